package sources

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// plantedModule writes a module full of things FromDir must not send, and
// returns its root and a directory outside it.
func plantedModule(t *testing.T) (root, outside string) {
	t.Helper()
	base := t.TempDir()
	root = filepath.Join(base, "mod")
	outside = writeTree(t, filepath.Join(base, "outside"), map[string]string{
		"stolen.go":   "package stolen // outside the module\n",
		"dir/evil.go": "package evil\n",
	})
	writeTree(t, root, map[string]string{
		"go.mod":  "module example.com/planted\n\ngo 1.26\n",
		"go.sum":  strings.Repeat("example.com/dep v1.0.0 h1:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG=\n", 4),
		"main.go": "package main\n\n// apiKey must arrive redacted.\nconst apiKey = \"" + openAIKey + "\"\n\nfunc main() {}\n",
		"big.go":  "package main\n\n" + strings.Repeat("// a line of padding to make the file big.\n", 50),
		"internal/util/util.go": "package util\n\n// Name says hello with an exact secret: hunter2-exact.\n" +
			"func Name() string { return \"util\" }\n",

		"main_test.go":               "package main\n",
		".env":                       "OPENAI_API_KEY=x\n",
		".env.local":                 "OPENAI_API_KEY=y\n",
		"server.key":                 "-----BEGIN PRIVATE KEY-----\n",
		"certs/ca.pem":               "-----BEGIN CERTIFICATE-----\n",
		"id_rsa":                     "-----BEGIN OPENSSH PRIVATE KEY-----\n",
		"secrets.go":                 "package main\n",
		"credentials.go":             "package main\n",
		"testdata/x.go":              "package x\n",
		"vendor/y/y.go":              "package y\n",
		".hidden/z.go":               "package z\n",
		"_tools/t.go":                "package t\n",
		"node_modules/m/m.go":        "package m\n",
		"nested/go.mod":              "module example.com/nested\n",
		"nested/a.go":                "package nested\n",
		"internal/util/util_test.go": "package util\n",
		"README.md":                  "# not Go\n",
	})
	require.NoError(t, os.Symlink(filepath.Join(outside, "stolen.go"), filepath.Join(root, "link.go")))
	require.NoError(t, os.Symlink(filepath.Join(outside, "dir"), filepath.Join(root, "linkdir")))
	return root, outside
}

func TestFromDirCollectsOnlyTheModulesSendableFiles(t *testing.T) {
	t.Parallel()
	root, _ := plantedModule(t)
	l := Limits{MaxFileBytes: 512}

	b, err := FromDir(root, l, "hunter2-exact")
	require.NoError(t, err)

	assert.Equal(t, []string{"big.go", "go.mod", "go.sum", "internal/util/util.go", "main.go"}, paths(b.Files))
	assert.Equal(t, []Skipped{
		{Path: "credentials.go", Reason: `excluded: name contains "credential"`},
		{Path: "link.go", Reason: "not a regular file (symlinks are not followed)"},
		{Path: "secrets.go", Reason: `excluded: name contains "secret"`},
	}, b.Skipped)
	abs, err := filepath.Abs(root)
	require.NoError(t, err)
	assert.Equal(t, "dir:"+abs, b.Origin)

	for _, f := range b.Files {
		assert.Equal(t, sha(f.Content), f.Hash, f.Path)
		assert.True(t, ValidPath(f.Path), f.Path)
		assert.NotContains(t, f.Content, "stolen")
	}

	main := fileByPath(t, b.Files, "main.go")
	assert.NotContains(t, main.Content, openAIKey)
	assert.NotContains(t, main.Content, "sk-proj-A1b2")
	assert.Contains(t, main.Content, `const apiKey = "[REDACTED]"`)
	assert.False(t, main.Truncated)
	assert.Less(t, len(main.Content), main.Size, "Size is the size on disk, before redaction")

	util := fileByPath(t, b.Files, "internal/util/util.go")
	assert.NotContains(t, util.Content, "hunter2-exact")
	assert.Contains(t, util.Content, "secret: [REDACTED].")

	big := fileByPath(t, b.Files, "big.go")
	onDisk, err := os.ReadFile(filepath.Join(root, "big.go"))
	require.NoError(t, err)
	assert.True(t, big.Truncated)
	assert.Equal(t, len(onDisk), big.Size)
	assert.LessOrEqual(t, len(big.Content), 512)
	marker := "// [agentops: truncated: " + itoa(len(onDisk)-512) + " bytes over the 512-byte cap]\n"
	require.True(t, strings.HasSuffix(big.Content, marker), "content ends with the marker: %q", big.Content)
	kept := strings.TrimSuffix(big.Content, marker)
	assert.True(t, strings.HasPrefix(string(onDisk), kept), "the kept part is the file's start")
	assert.True(t, strings.HasSuffix(kept, "\n"), "cut at a line end")
	assert.Equal(t, sha(big.Content), big.Hash, "Hash is of the cut content")
}

func TestFromDirFileCap(t *testing.T) {
	t.Parallel()
	root, _ := plantedModule(t)

	b, err := FromDir(root, Limits{MaxFiles: 2})
	require.NoError(t, err)

	assert.Equal(t, []string{"big.go", "go.mod"}, paths(b.Files), "the cap applies in sorted path order")
	assert.Equal(t, []Skipped{
		{Path: "credentials.go", Reason: `excluded: name contains "credential"`},
		{Path: "go.sum", Reason: "over the 2-file cap"},
		{Path: "internal/util/util.go", Reason: "over the 2-file cap"},
		{Path: "link.go", Reason: "not a regular file (symlinks are not followed)"},
		{Path: "main.go", Reason: "over the 2-file cap"},
		{Path: "secrets.go", Reason: `excluded: name contains "secret"`},
	}, b.Skipped)
}

func TestFromDirTotalCap(t *testing.T) {
	t.Parallel()
	root, _ := plantedModule(t)
	all, err := FromDir(root, Limits{MaxFileBytes: 512})
	require.NoError(t, err)
	size := func(p string) int { return len(fileByPath(t, all.Files, p).Content) }
	require.Greater(t, size("go.sum"), size("internal/util/util.go"))

	// Room for big.go, go.mod and util.go: go.sum does not fit, the
	// smaller util.go after it still does, main.go no longer does.
	total := size("big.go") + size("go.mod") + size("internal/util/util.go")
	b, err := FromDir(root, Limits{MaxFileBytes: 512, MaxTotalBytes: total})
	require.NoError(t, err)

	assert.Equal(t, []string{"big.go", "go.mod", "internal/util/util.go"}, paths(b.Files))
	capReason := "over the " + itoa(total) + "-byte total cap"
	assert.Contains(t, b.Skipped, Skipped{Path: "go.sum", Reason: capReason})
	assert.Contains(t, b.Skipped, Skipped{Path: "main.go", Reason: capReason})
	sum := 0
	for _, f := range b.Files {
		sum += len(f.Content)
	}
	assert.LessOrEqual(t, sum, total)
}

func TestFromDirNothingToSend(t *testing.T) {
	t.Parallel()
	root := writeTree(t, t.TempDir(), map[string]string{
		"secrets.go": "package main\n",
		"README.md":  "hi\n",
	})
	b, err := FromDir(root, Limits{})
	require.ErrorIs(t, err, ErrNoSource)
	assert.Empty(t, b.Files)
	assert.Equal(t, []string{"secrets.go"}, skippedPaths(b.Skipped))

	_, err = FromDir(filepath.Join(root, "missing"), Limits{})
	require.Error(t, err)
}

func TestFromDirUnlimited(t *testing.T) {
	t.Parallel()
	root := writeTree(t, t.TempDir(), map[string]string{
		"go.mod": "module example.com/x\n",
		"a.go":   "package x\n\n" + strings.Repeat("// padding\n", 200),
	})
	b, err := FromDir(root, Limits{MaxFileBytes: -1, MaxTotalBytes: -1, MaxFiles: -1})
	require.NoError(t, err)
	a := fileByPath(t, b.Files, "a.go")
	assert.False(t, a.Truncated)
	assert.Equal(t, a.Size, len(a.Content))
}

func TestDiscoverFindsThisModule(t *testing.T) {
	t.Parallel()
	wd, err := os.Getwd()
	require.NoError(t, err)
	b, err := Discover([]string{filepath.Join(wd, "dir_test.go")}, Limits{})
	require.NoError(t, err)

	assert.Equal(t, "github.com/agentops-go/agentops", b.Build.ModulePath)
	assert.NotEmpty(t, b.Build.GoVersion)
	assert.Contains(t, paths(b.Files), "go.mod")
	assert.Contains(t, paths(b.Files), "internal/sources/dir.go")
	assert.NotContains(t, paths(b.Files), "internal/sources/dir_test.go")
	assert.True(t, strings.HasPrefix(b.Origin, "dir:"), b.Origin)

	b, err = Discover([]string{"internal/sources/dir.go"}, Limits{})
	require.ErrorIs(t, err, ErrNoSource)
	assert.Equal(t, "github.com/agentops-go/agentops", b.Build.ModulePath, "Build is set on error too")
}

func TestWalkModuleBudget(t *testing.T) {
	t.Parallel()
	root := writeTree(t, t.TempDir(), map[string]string{
		"go.mod": "module example.com/wide\n",
		"a/a.go": "package a\n",
		"b/b.go": "package b\n",
		"c/c.go": "package c\n",
	})
	c := newCollector(os.DirFS(root), Limits{}, nil)
	c.walkBudget = 5 // the root's 4 entries and a's 1
	var cands []candidate
	require.NoError(t, c.walkModule(".", &cands))
	assert.ElementsMatch(t, []candidate{{"go.mod", "go.mod"}, {"a/a.go", "a/a.go"}}, cands)
	assert.Equal(t, []Skipped{
		{Path: "b/", Reason: "not read: the walk stopped after 5 entries"},
		{Path: "c/", Reason: "not read: the walk stopped after 5 entries"},
	}, c.skipped)
}

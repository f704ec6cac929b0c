package sources

import (
	"io/fs"
	"path"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFromFS(t *testing.T) {
	t.Parallel()
	cut := truncate("package cut\n\n"+strings.Repeat("// kept line\n", 100), 5000, 256)
	fsys := fstest.MapFS{
		"_go.mod":               {Data: []byte("module example.com/app\n")},
		"go.sum":                {Data: []byte("example.com/dep v1.0.0 h1:x=\n")},
		"main.go":               {Data: []byte("package main\n\nconst key = \"" + openAIKey + "\"\n")},
		"internal/util/util.go": {Data: []byte("package util // token: live-value-42\n")},
		"cut.go":                {Data: []byte(cut)},
		"big.go":                {Data: []byte("package main\n\n" + strings.Repeat("// padding padding\n", 100))},

		".env":                   {Data: []byte("OPENAI_API_KEY=" + openAIKey + "\n")},
		"deploy/server.key":      {Data: []byte("-----BEGIN PRIVATE KEY-----\n")},
		"config/secret_token.go": {Data: []byte("package config\n")},
		"credentials.json":       {Data: []byte("{}\n")},
		"id_ed25519":             {Data: []byte("key\n")},
		"main_test.go":           {Data: []byte("package main\n")},
		`bad\name.go`:            {Data: []byte("package main\n")},
		"nul\x00.go":             {Data: []byte("package main\n")},
		"link.go":                {Data: []byte("elsewhere.go"), Mode: fs.ModeSymlink},
		".git/config":            {Data: []byte("[core]\n")},
		"vendor/v/v.go":          {Data: []byte("package v\n")},
		"pkg/testdata/t.go":      {Data: []byte("package t\n")},
	}

	b, err := FromFS(fsys, Limits{MaxFileBytes: 1024}, "live-value-42")
	require.NoError(t, err)

	assert.Equal(t, "fs", b.Origin)
	assert.Equal(t, []string{"big.go", "cut.go", "go.mod", "go.sum", "internal/util/util.go", "main.go"}, paths(b.Files))
	assert.Equal(t, []Skipped{
		{Path: ".env", Reason: "excluded: environment file"},
		{Path: "bad\\name.go", Reason: "invalid path"},
		{Path: "config/secret_token.go", Reason: `excluded: name contains "secret"`},
		{Path: "credentials.json", Reason: `excluded: name contains "credential"`},
		{Path: "deploy/server.key", Reason: "excluded: key or certificate file"},
		{Path: "id_ed25519", Reason: "excluded: SSH key file"},
		{Path: "link.go", Reason: "not a regular file"},
		{Path: "main_test.go", Reason: "test file"},
		{Path: "nul\x00.go", Reason: "invalid path"},
	}, b.Skipped, "hidden, vendor and testdata directories are pruned without a record")

	assert.Equal(t, "module example.com/app\n", fileByPath(t, b.Files, "go.mod").Content)
	assert.NotContains(t, fileByPath(t, b.Files, "main.go").Content, openAIKey)
	assert.Equal(t, "package util // token: [REDACTED]\n", fileByPath(t, b.Files, "internal/util/util.go").Content)

	big := fileByPath(t, b.Files, "big.go")
	assert.True(t, big.Truncated)
	assert.LessOrEqual(t, len(big.Content), 1024)

	// A file Generate cut arrives as it was embedded, marked truncated,
	// not cut a second time.
	c := fileByPath(t, b.Files, "cut.go")
	assert.True(t, c.Truncated)
	assert.Equal(t, cut, c.Content)
	assert.Equal(t, sha(cut), c.Hash)
	for _, f := range b.Files {
		assert.Equal(t, sha(f.Content), f.Hash, f.Path)
	}
}

func TestFromFSRealGoModWins(t *testing.T) {
	t.Parallel()
	b, err := FromFS(fstest.MapFS{
		"go.mod":  {Data: []byte("module real\n")},
		"_go.mod": {Data: []byte("module stored\n")},
	}, Limits{})
	require.NoError(t, err)
	assert.Equal(t, []string{"_go.mod", "go.mod"}, paths(b.Files))
	assert.Equal(t, "module real\n", fileByPath(t, b.Files, "go.mod").Content)
}

func TestFromFSEmpty(t *testing.T) {
	t.Parallel()
	_, err := FromFS(fstest.MapFS{".env": {Data: []byte("X=1\n")}}, Limits{})
	require.ErrorIs(t, err, ErrNoSource)
	_, err = FromFS(nil, Limits{})
	require.ErrorIs(t, err, ErrNoSource)
}

func TestFromFSOddNamesDoNotHang(t *testing.T) {
	t.Parallel()
	// fstest.MapFS lists "." and ".." entries for these keys; fs.WalkDir
	// would walk "." again forever.
	b, err := FromFS(fstest.MapFS{
		"/abs.go":    {Data: []byte("package x\n")},
		"../evil.go": {Data: []byte("package x\n")},
		"a//b.go":    {Data: []byte("package x\n")},
		"ok.go":      {Data: []byte("package ok\n")},
	}, Limits{})
	require.NoError(t, err)
	assert.Equal(t, []string{"ok.go"}, paths(b.Files))
	require.NotEmpty(t, b.Skipped)
	for _, s := range b.Skipped {
		assert.Equal(t, "invalid path", s.Reason, s.Path)
	}
}

// endlessFS has a directory "d" and a file "f.go" in every directory.
type endlessFS struct{}

func (endlessFS) Open(name string) (fs.File, error) {
	if path.Base(name) == "f.go" {
		return fstest.MapFS{"f.go": {Data: []byte("package f\n")}}.Open("f.go")
	}
	return fstest.MapFS{"d/f.go": {}}.Open(".") // a directory
}

func (endlessFS) ReadDir(string) ([]fs.DirEntry, error) {
	m := fstest.MapFS{"d/f.go": {}, "f.go": {}}
	return m.ReadDir(".")
}

func TestFromFSEndlessTree(t *testing.T) {
	t.Parallel()
	b, err := FromFS(endlessFS{}, Limits{MaxFiles: 3})
	require.NoError(t, err)
	assert.Len(t, b.Files, 3, "the walk ended, and the limits held")
	assert.Contains(t, b.Skipped, Skipped{Path: strings.Repeat("d/", maxFSDepth+1), Reason: "deeper than 64 directories"})
}

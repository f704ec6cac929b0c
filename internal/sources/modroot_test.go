package sources

import (
	"path/filepath"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFindModuleRoot(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	outer := filepath.Join(base, "outer")
	inner := filepath.Join(outer, "inner")
	writeTree(t, outer, map[string]string{
		"go.mod":                 "// the outer module\nmodule example.com/outer // trailing comment\n\ngo 1.26\n",
		"inner/go.mod":           "module \"example.com/inner\"\n",
		"inner/pkg/deep/file.go": "package deep\n",
		"other/main.go":          "package main\n",
	})
	deepFile := filepath.Join(inner, "pkg", "deep", "file.go")

	for _, tt := range []struct {
		name, module string
		hints        []string
		want         string
	}{
		{"a file deep in the tree", "example.com/inner", []string{deepFile}, inner},
		{"a directory hint", "example.com/inner", []string{filepath.Join(inner, "pkg")}, inner},
		{"a file that no longer exists", "example.com/inner", []string{filepath.Join(inner, "pkg", "deep", "gone.go")}, inner},
		{"a mismatch keeps walking up", "example.com/outer", []string{deepFile}, outer},
		{"no module path: the first go.mod", "", []string{deepFile}, inner},
		{"go run file.go: the first go.mod", "command-line-arguments", []string{deepFile}, inner},
		{"relative hints are ignored", "example.com/outer", []string{"main.go", "example.com/outer/main.go", filepath.Join(outer, "other", "main.go")}, outer},
		{"later hints are tried", "example.com/inner", []string{filepath.Join(outer, "other"), deepFile}, inner},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FindModuleRoot(tt.module, tt.hints)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestFindModuleRootErrors(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	writeTree(t, base, map[string]string{"mod/go.mod": "module example.com/mine\n", "mod/a.go": "package a\n"})

	_, err := FindModuleRoot("example.com/app", []string{"main.go", "example.com/app/internal/x.go"})
	require.ErrorIs(t, err, ErrNoSource)
	assert.Contains(t, err.Error(), "no absolute source path")
	assert.Contains(t, err.Error(), "-trimpath")
	assert.Contains(t, err.Error(), "`agentops sources`")

	_, err = FindModuleRoot("example.com/app", nil)
	require.ErrorIs(t, err, ErrNoSource)

	// A binary run from inside an unrelated checkout must not send it.
	_, err = FindModuleRoot("example.com/app", []string{filepath.Join(base, "mod", "a.go")})
	require.ErrorIs(t, err, ErrNoSource)
	assert.Contains(t, err.Error(), `is module "example.com/mine"`)
	assert.Contains(t, err.Error(), "-trimpath")
}

func TestModulePathOf(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ gomod, want string }{
		{"module example.com/a\n", "example.com/a"},
		{"module example.com/a", "example.com/a"},
		{"// Deprecated: use b\nmodule example.com/a // comment\n\ngo 1.26\n", "example.com/a"},
		{"module \"example.com/q\"\n", "example.com/q"},
		{"module `example.com/r`\n", "example.com/r"},
		{"\tmodule   example.com/s  \r\n", "example.com/s"},
		{"module (\n\t// c\n\texample.com/block\n)\n", "example.com/block"},
		{"modulex example.com/no\n", ""},
		{"go 1.26\n", ""},
		{"", ""},
		{"module \"unterminated\n", ""},
		{"module\n", ""},
	} {
		assert.Equal(t, tt.want, modulePathOf(tt.gomod), "%q", tt.gomod)
	}
}

func TestBuildOf(t *testing.T) {
	t.Parallel()
	b := buildOf(&debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "example.com/app", Version: "v1.2.3"},
		Settings: []debug.BuildSetting{
			{Key: "-trimpath", Value: "true"},
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "abc123"},
			{Key: "vcs.time", Value: "2026-01-02T03:04:05Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	})
	assert.Equal(t, Build{
		ModulePath: "example.com/app", Version: "v1.2.3", GoVersion: "go1.26.8",
		Revision: "abc123", Time: "2026-01-02T03:04:05Z", Modified: true, TrimPath: true,
	}, b)

	rb := ReadBuild()
	assert.Equal(t, "github.com/agentops-go/agentops", rb.ModulePath, "a test binary's main module")
	assert.NotEmpty(t, rb.GoVersion)
}

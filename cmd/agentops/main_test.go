package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"-h"}, {"--help"}, {"help"}} {
		code, stdout, stderr := runCLI(t, args...)
		assert.Equal(t, 2, code, "%q", args)
		assert.Empty(t, stdout, "%q", args)
		assert.Contains(t, stderr, "usage: agentops <command>", "%q", args)
		assert.Contains(t, stderr, "sources ", "%q lists the commands", args)
	}
}

func TestUnknownCommand(t *testing.T) {
	code, stdout, stderr := runCLI(t, "frobnicate", "-x")
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout)
	assert.True(t, strings.HasPrefix(stderr, "agentops: unknown command \"frobnicate\"\n"), stderr)
	assert.Contains(t, stderr, "usage: agentops <command>")
}

func TestSourcesHelp(t *testing.T) {
	for _, args := range [][]string{{"sources", "-h"}, {"help", "sources"}} {
		code, stdout, stderr := runCLI(t, args...)
		assert.Equal(t, 2, code)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, "usage: agentops sources")
		assert.Contains(t, stderr, "-dir directory")
	}
	code, _, stderr := runCLI(t, "sources", "-nope")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "flag provided but not defined: -nope")
}

// offlineGo makes the go command that Generate runs work in a temporary
// module without network or workspace. It sets the process environment,
// so tests using it do not run in parallel.
func offlineGo(t *testing.T) {
	t.Setenv("GOFLAGS", "-mod=mod")
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOWORK", "off")
}

func writeModule(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	return root
}

func TestSources(t *testing.T) {
	offlineGo(t)
	t.Setenv("AGENTOPS_API_KEY", "build-time-api-key-0000")
	root := writeModule(t, map[string]string{
		"go.mod":            "module example.com/cli\n\ngo 1.26\n",
		"cmd/app/main.go":   "package main\n\nimport \"example.com/cli/internal/x\"\n\nfunc main() { x.X(); _ = agentopsSources }\n",
		"cmd/app/secret.go": "package main\n",
		"internal/x/x.go":   "package x\n\n// X knows build-time-api-key-0000.\nfunc X() {}\n",
		"other/other.go":    "package other\n",
	})
	appDir := filepath.Join(root, "cmd", "app")

	code, stdout, stderr := runCLI(t, "sources", "-dir", appDir)
	require.Equal(t, 0, code, stderr)
	assert.Empty(t, stderr)
	assert.Equal(t, "wrote "+filepath.Join(appDir, "agentops_sources.go")+
		`: 3 files (1 skipped: cmd/app/secret.go (excluded: name contains "secret"))`+"\n", stdout)

	copied, err := os.ReadFile(filepath.Join(appDir, "_agentops_sources", "internal", "x", "x.go"))
	require.NoError(t, err)
	assert.Contains(t, string(copied), "// X knows [REDACTED].", "AGENTOPS_API_KEY is masked")

	build := exec.Command("go", "build", "./...")
	build.Dir = root
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)

	// Flags and patterns, in place of the first bundle.
	require.NoError(t, os.Remove(filepath.Join(appDir, "agentops_sources.go")))
	code, stdout, stderr = runCLI(t, "sources", "-dir", appDir, "-o", "bundle.go", "-data", "_b", "-var", "agentopsSources", "-max-files", "1", ".")
	require.Equal(t, 0, code, stderr)
	assert.True(t, strings.HasPrefix(stdout, "wrote "+filepath.Join(appDir, "bundle.go")+": 1 file (3 skipped: "), stdout)
	assert.Contains(t, stdout, "(over the 1-file cap)")
}

func TestSourcesErrors(t *testing.T) {
	offlineGo(t)
	notModule := writeModule(t, map[string]string{"main.go": "package main\n"})

	code, stdout, stderr := runCLI(t, "sources", "-dir", notModule)
	assert.Equal(t, 1, code)
	assert.Empty(t, stdout)
	assert.True(t, strings.HasPrefix(stderr, "agentops sources: go list"), stderr)
	assert.Contains(t, stderr, "go.mod file not found")
	assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)

	code, _, stderr = runCLI(t, "sources", "-data", "../elsewhere")
	assert.Equal(t, 1, code)
	assert.Equal(t, "agentops sources: invalid data directory ../elsewhere: must be a relative path inside the package directory\n", stderr)
}

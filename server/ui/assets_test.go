package ui

import (
	"io/fs"
	"path"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readAssets returns the embedded files by path under static/.
func readAssets(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(static, p)
		out[strings.TrimPrefix(p, "static/")] = string(b)
		return err
	})
	require.NoError(t, err)
	return out
}

// The scripts build the page with createElement and textContent only:
// telemetry is untrusted, and any API that parses a string as HTML or
// code could run what a span carries. This test keeps them out.
func TestScriptsNeverParseStrings(t *testing.T) {
	forbidden := regexp.MustCompile(`innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\s*\(|new\s+Function\b|` +
		`\bsetTimeout\s*\(\s*['"` + "`" + `]|setAttribute\(\s*['"](on|style|srcdoc)|javascript:|createContextualFragment|DOMParser|srcdoc`)
	scripts := 0
	for p, text := range readAssets(t) {
		if path.Ext(p) != ".js" && path.Ext(p) != ".html" {
			continue
		}
		scripts++
		for i, line := range strings.Split(text, "\n") {
			if m := forbidden.FindString(line); m != "" {
				t.Errorf("%s:%d uses %s: build elements with createElement and textContent instead", p, i+1, m)
			}
		}
	}
	assert.Greater(t, scripts, 5)
}

// index.html loads everything from files: the CSP forbids inline script
// and style, and a page that relied on them would be blank.
func TestIndexHasNothingInline(t *testing.T) {
	index := readAssets(t)["index.html"]
	for _, m := range regexp.MustCompile(`<script[^>]*>`).FindAllString(index, -1) {
		assert.Regexp(t, `src="/ui/`, m)
	}
	assert.NotRegexp(t, `<script[^>]*>[^<]`, index, "inline script")
	assert.NotContains(t, index, "<style")
	assert.NotRegexp(t, `\sstyle=`, index)
	assert.NotRegexp(t, `\son[a-z]+=`, index, "inline event handler")
}

// Every module a script imports is embedded, and every embedded module is
// imported: a typo would leave the page blank, a leftover file is dead
// code.
func TestImportsResolve(t *testing.T) {
	assets := readAssets(t)
	imports := regexp.MustCompile(`(?m)^import\s[^;]*?from\s+'(\./[^']+)';`)
	used := map[string]bool{"js/main.js": true}
	for p, text := range assets {
		if path.Ext(p) != ".js" {
			continue
		}
		for _, m := range imports.FindAllStringSubmatch(text, -1) {
			target := path.Join(path.Dir(p), m[1])
			used[target] = true
			assert.Contains(t, assets, target, "%s imports %s", p, m[1])
		}
	}
	for p := range assets {
		if path.Ext(p) == ".js" {
			assert.True(t, used[p], "%s is never imported", p)
		}
	}
	assert.Contains(t, assets["index.html"], `src="/ui/js/main.js"`)
}

func TestNewRefusesIncompleteFiles(t *testing.T) {
	_, err := newUI(fstest.MapFS{"static/index.html": {Data: []byte("x")}, "static/x.exe": {Data: []byte("y")}})
	assert.ErrorContains(t, err, "x.exe")
	_, err = newUI(fstest.MapFS{"static/app.css": {Data: []byte("x")}})
	assert.ErrorContains(t, err, "index.html")
}

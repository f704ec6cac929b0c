package sources

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// trimpathAdvice ends every "cannot find the source" error: it names the
// usual causes and the fix.
const trimpathAdvice = "the binary was built with -trimpath or runs away from its source; " +
	"generate a bundle with `agentops sources` and embed it"

// FindModuleRoot returns the directory of modulePath's go.mod. For each
// absolute hint in order (a file or directory: the program's stack-frame
// files, its working directory) it walks up the parents to the first go.mod
// whose module directive is modulePath. When modulePath is "" or
// "command-line-arguments" (no module identity to check against), the
// first go.mod found wins. Relative hints, as a -trimpath build records,
// are ignored.
//
// A go.mod of another module is never taken for modulePath's: a binary run
// from inside an unrelated checkout must not upload that checkout. The
// error wraps ErrNoSource and says what was found and what to do.
// FindModuleRoot is safe for concurrent use.
func FindModuleRoot(modulePath string, hints []string) (string, error) {
	anyModule := modulePath == "" || modulePath == "command-line-arguments"
	seen := make(map[string]bool)
	var tried, other string // the first absolute hint; the first other module's go.mod
	for _, h := range hints {
		if !filepath.IsAbs(h) {
			continue
		}
		dir := filepath.Clean(h)
		if tried == "" {
			tried = dir
		}
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			dir = filepath.Dir(dir)
		}
		for ; !seen[dir]; dir = filepath.Dir(dir) {
			seen[dir] = true
			gomod := filepath.Join(dir, "go.mod")
			if data, err := os.ReadFile(gomod); err == nil {
				mp := modulePathOf(string(data))
				if anyModule || mp == modulePath {
					return dir, nil
				}
				if other == "" {
					other = fmt.Sprintf("%s is module %q", gomod, mp)
				}
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}

	var why string
	switch {
	case tried == "":
		why = "no absolute source path to start from"
	case other != "":
		why = fmt.Sprintf("no go.mod of module %q above %s (%s)", modulePath, tried, other)
	default:
		why = "no go.mod above " + tried
	}
	return "", fmt.Errorf("sources: %s: %s: %w", why, trimpathAdvice, ErrNoSource)
}

// modulePathOf returns the path of a go.mod's module directive, or "" when
// it has none. It accepts what the go command writes and reads: a quoted or
// bare path, comments, and the parenthesized block form.
func modulePathOf(gomod string) string {
	inBlock := false
	for line := range strings.Lines(gomod) {
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if inBlock {
			if line == ")" {
				return ""
			}
			if line != "" {
				return unquoteModulePath(line)
			}
			continue
		}
		rest, ok := strings.CutPrefix(line, "module")
		if !ok || rest != "" && !strings.ContainsAny(rest[:1], " \t(\"`") {
			continue
		}
		rest = strings.TrimSpace(rest)
		if rest == "(" {
			inBlock = true
			continue
		}
		return unquoteModulePath(rest)
	}
	return ""
}

func unquoteModulePath(s string) string {
	if s != "" && (s[0] == '"' || s[0] == '`') {
		if u, err := strconv.Unquote(s); err == nil {
			return u
		}
		return ""
	}
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}

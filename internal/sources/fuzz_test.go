package sources

import (
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzValidPath checks that a path ValidPath accepts can be joined under a
// directory without leaving it, whatever a client sends.
func FuzzValidPath(f *testing.F) {
	for _, s := range []string{"main.go", "a/b/c.go", "..", "/abs", `a\b`, "a/../b", "x\x00y", "", ".", "a//b", "..a/b.."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if !ValidPath(p) {
			return
		}
		if path.Clean(p) != p || path.IsAbs(p) || strings.ContainsAny(p, "\\\x00") {
			t.Fatalf("ValidPath(%q) but it is not clean and relative", p)
		}
		for elem := range strings.SplitSeq(p, "/") {
			if elem == ".." || elem == "." || elem == "" {
				t.Fatalf("ValidPath(%q) but it has the element %q", p, elem)
			}
		}
		if !filepath.IsLocal(filepath.FromSlash(p)) {
			t.Fatalf("ValidPath(%q) but it is not local", p)
		}
		Excluded(p) // must not panic
	})
}

// FuzzModulePathOf feeds go.mod text, which comes from whatever directory
// the program runs in.
func FuzzModulePathOf(f *testing.F) {
	for _, s := range []string{
		"module example.com/a\n", "module \"q\"\n", "module (\n x\n)\n", "module `r`", "module\n", "// x\nmodule y // z\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, gomod string) {
		mp := modulePathOf(gomod)
		if strings.ContainsAny(mp, "\n") {
			t.Fatalf("module path %q spans lines", mp)
		}
	})
}

package sources

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// FromDir collects the main module's files under root: every .go file but
// _test.go files, plus go.mod and go.sum at the root. It does not descend
// into directories the go tool ignores or that are not this module's:
// vendor, testdata, node_modules, hidden (.*) and _-prefixed ones, and
// nested modules (a subdirectory with its own go.mod). Symlinks are not
// followed, and files are opened through an os.Root so nothing outside
// root is read. Then the gates of the package doc apply.
//
// The error wraps ErrNoSource when no file is left. FromDir is safe for
// concurrent use.
func FromDir(root string, l Limits, secrets ...string) (Bundle, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return Bundle{}, fmt.Errorf("sources: %w", err)
	}
	r, err := os.OpenRoot(abs)
	if err != nil {
		return Bundle{}, fmt.Errorf("sources: %w", err)
	}
	defer r.Close()

	c := newCollector(r.FS(), l, secrets)
	var cands []candidate
	if err := c.walkModule(".", &cands); err != nil {
		return Bundle{}, fmt.Errorf("sources: reading %s: %w", abs, err)
	}
	files, skipped := c.collect(cands)
	b := Bundle{Origin: "dir:" + abs, Files: files, Skipped: skipped}
	if len(files) == 0 {
		return b, fmt.Errorf("sources: no Go files to send under %s: %w", abs, ErrNoSource)
	}
	return b, nil
}

// maxWalkEntries bounds the directory entries FromDir looks at: a go.mod
// in a home directory must not turn a session's end into a walk of the
// whole disk.
const maxWalkEntries = 200_000

// walkModule adds the module's candidate files under dir (a slash path in
// c.fsys). A subdirectory it cannot read, or one it does not reach within
// maxWalkEntries, is recorded in Skipped; only the root failing is an
// error.
func (c *collector) walkModule(dir string, cands *[]candidate) error {
	if c.walked >= c.walkBudget {
		c.skip(dir+"/", fmt.Sprintf("not read: the walk stopped after %d entries", c.walkBudget))
		return nil
	}
	entries, err := fs.ReadDir(c.fsys, dir)
	if err != nil {
		if dir == "." {
			return err
		}
		c.skip(dir+"/", "unreadable directory: "+unwrapPathError(err))
		return nil
	}
	if dir != "." && hasGoMod(entries) {
		return nil // a nested module: its files are not this module's
	}
	c.walked += len(entries)
	for _, e := range entries {
		name := e.Name()
		p := childPath(dir, name)
		switch {
		case e.IsDir():
			if !skipDirName(name) {
				if err := c.walkModule(p, cands); err != nil {
					return err
				}
			}
		case isModuleFile(dir, name):
			if !e.Type().IsRegular() {
				c.skip(p, "not a regular file (symlinks are not followed)")
				continue
			}
			if c.admit(p) {
				*cands = append(*cands, candidate{path: p, name: p})
			}
		}
	}
	return nil
}

// isModuleFile reports whether a file named name in dir is one FromDir
// sends.
func isModuleFile(dir, name string) bool {
	if dir == "." && (name == "go.mod" || name == "go.sum") {
		return true
	}
	return strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go")
}

// skipDirName reports whether FromDir leaves a directory out by its name:
// the go tool ignores _- and .-prefixed directories and testdata, vendor
// belongs to other modules, node_modules to another ecosystem.
func skipDirName(name string) bool {
	switch {
	case strings.HasPrefix(name, "."), strings.HasPrefix(name, "_"):
		return true
	case name == "vendor", name == "testdata", name == "node_modules":
		return true
	}
	return false
}

func hasGoMod(entries []fs.DirEntry) bool {
	for _, e := range entries {
		if e.Name() == "go.mod" && !e.IsDir() {
			return true
		}
	}
	return false
}

// unwrapPathError drops the path a *fs.PathError repeats, since the
// Skipped entry already names it.
func unwrapPathError(err error) string {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// Discover is ReadBuild, then FindModuleRoot(build.ModulePath, hints), then
// FromDir on the root found. The Bundle's Build is set even when the
// error is not nil. Discover is safe for concurrent use.
func Discover(hints []string, l Limits, secrets ...string) (Bundle, error) {
	build := ReadBuild()
	root, err := FindModuleRoot(build.ModulePath, hints)
	if err != nil {
		return Bundle{Build: build}, err
	}
	b, err := FromDir(root, l, secrets...)
	b.Build = build
	return b, err
}

package sources

import (
	"fmt"
	"io/fs"
	"strings"
)

// embeddedGoMod is the name go.mod is stored under in a bundle written by
// Generate: a directory holding a go.mod is another module to the go tool,
// and //go:embed refuses to embed it. FromFS reads it back as go.mod.
const embeddedGoMod = "_go.mod"

// FromFS collects the files of fsys, typically the embedded bundle written
// by Generate. Every regular file is a candidate (a root-level "_go.mod" is
// read as go.mod); it skips hidden, vendor and testdata directories and
// _test.go files, then the gates of the package doc apply. Anything else
// (irregular files, unreadable directories) is recorded in Skipped.
//
// The error wraps ErrNoSource when no file is left. FromFS reads fsys from
// a few goroutines at once (embed.FS, os.DirFS and fstest.MapFS allow
// that); it is safe for concurrent use when fsys is.
func FromFS(fsys fs.FS, l Limits, secrets ...string) (Bundle, error) {
	if fsys == nil {
		return Bundle{Origin: "fs"}, fmt.Errorf("sources: nil fs.FS: %w", ErrNoSource)
	}
	c := newCollector(fsys, l, secrets)
	_, err := fs.Stat(fsys, "go.mod")
	mapGoMod := err != nil // a real go.mod wins over the stored one
	var cands []candidate
	if err := c.walkFS(".", 0, mapGoMod, &cands); err != nil {
		return Bundle{Origin: "fs"}, fmt.Errorf("sources: reading the fs.FS: %w", err)
	}
	files, skipped := c.collect(cands)
	b := Bundle{Origin: "fs", Files: files, Skipped: skipped}
	if len(files) == 0 {
		return b, fmt.Errorf("sources: no files to send in the fs.FS: %w", ErrNoSource)
	}
	return b, nil
}

// maxFSDepth bounds how deep FromFS descends: an fs.FS is an interface, and
// one that invents directories forever must not hang the caller.
const maxFSDepth = 64

// walkFS adds the candidates under dir. Unlike fs.WalkDir it checks each
// entry's name first: an fs.FS can list "", "." or a name with a slash
// (fstest.MapFS does for a key like "/x"), and joining those would walk the
// same directory again, forever.
func (c *collector) walkFS(dir string, depth int, mapGoMod bool, cands *[]candidate) error {
	entries, err := fs.ReadDir(c.fsys, dir)
	if err != nil {
		if dir == "." {
			return err
		}
		c.skip(dir+"/", "unreadable directory: "+unwrapPathError(err))
		return nil
	}
	for _, e := range entries {
		name := e.Name()
		p := childPath(dir, name)
		switch {
		case name == "" || name == "." || name == ".." || strings.Contains(name, "/"):
			c.skip(p, "invalid path")
		case e.IsDir():
			if _, excluded := excludedDir(name); excluded {
				continue
			}
			if depth >= maxFSDepth {
				c.skip(p+"/", fmt.Sprintf("deeper than %d directories", maxFSDepth))
				continue
			}
			if err := c.walkFS(p, depth+1, mapGoMod, cands); err != nil {
				return err
			}
		case !e.Type().IsRegular():
			c.skip(p, "not a regular file")
		case strings.HasSuffix(p, "_test.go"):
			c.skip(p, "test file")
		default:
			sendAs := p
			if p == embeddedGoMod && mapGoMod {
				sendAs = "go.mod"
			}
			if c.admit(sendAs) {
				*cands = append(*cands, candidate{path: sendAs, name: p})
			}
		}
	}
	return nil
}

// childPath names an entry of dir without cleaning it, so an odd name
// stays visible in Skipped.
func childPath(dir, name string) string {
	if dir == "." {
		return name
	}
	return dir + "/" + name
}

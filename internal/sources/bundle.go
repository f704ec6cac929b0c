package sources

import "errors"

// ErrNoSource is wrapped by every error that means "there is no source to
// send": no module root to be found, or no file left after filtering.
var ErrNoSource = errors.New("no source files found")

// Limits bounds what a bundle holds. A zero field takes its DefaultLimits
// value; a negative field means no limit. Limits is a plain value, safe to
// share between goroutines.
type Limits struct {
	// MaxFileBytes caps the bytes read from one file; a larger file is cut
	// so that its content, a final marker line included, fits the cap.
	MaxFileBytes int
	// MaxTotalBytes caps the content of all files together; a file that
	// would take the total over it is skipped (recorded in Skipped), and
	// later, smaller files may still fit.
	MaxTotalBytes int
	// MaxFiles caps the number of files; files past it are skipped
	// (recorded in Skipped).
	MaxFiles int
}

// DefaultLimits returns 1 MiB per file, 16 MiB in total and 1000 files.
// It is safe for concurrent use.
func DefaultLimits() Limits {
	return Limits{MaxFileBytes: 1 << 20, MaxTotalBytes: 16 << 20, MaxFiles: 1000}
}

// resolve fills zero fields with the defaults and turns negative ones into
// "no limit".
func (l Limits) resolve() Limits {
	d := DefaultLimits()
	pick := func(v, def int) int {
		switch {
		case v == 0:
			return def
		case v < 0:
			return int(^uint(0) >> 1)
		}
		return v
	}
	return Limits{
		MaxFileBytes:  pick(l.MaxFileBytes, d.MaxFileBytes),
		MaxTotalBytes: pick(l.MaxTotalBytes, d.MaxTotalBytes),
		MaxFiles:      pick(l.MaxFiles, d.MaxFiles),
	}
}

// File is one source file, ready to upload: a plain value, safe to share
// between goroutines.
type File struct {
	Path      string // module-relative, slash-separated; always ValidPath
	Content   string // redacted; cut to MaxFileBytes with a final marker line when too big
	Hash      string // hex sha256 of Content
	Size      int    // bytes on disk, before redaction and truncation
	Truncated bool   // Content was cut (or, in FromFS, ends with the cut marker)
}

// Skipped is a candidate file left out of a bundle, and why: a plain value,
// safe to share between goroutines.
type Skipped struct{ Path, Reason string }

// Build is the identity of the running binary, from runtime/debug: a plain
// value, safe to share between goroutines.
type Build struct {
	ModulePath string // main module path
	Version    string // main module version ("(devel)" for a local build)
	GoVersion  string // toolchain that built the binary
	Revision   string // vcs.revision
	Time       string // vcs.time
	Modified   bool   // vcs.modified
	TrimPath   bool   // built with -trimpath
}

// Bundle is the main module's source files and the build they belong to.
// A Bundle is safe to read from many goroutines once built; nothing here
// writes to it after it is returned.
type Bundle struct {
	Build   Build
	Origin  string    // "dir:<absolute module root>" or "fs"
	Files   []File    // sorted by Path
	Skipped []Skipped // sorted by Path
}

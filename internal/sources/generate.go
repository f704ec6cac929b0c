package sources

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// GenerateOptions configures Generate. The zero value bundles the package
// in the current directory with the defaults below. It is a plain value,
// safe to share between goroutines.
type GenerateOptions struct {
	Dir      string   // the main package's directory (default ".")
	Patterns []string // go list patterns, relative to Dir (default ["."])
	// Output is the generated Go file, a file name in Dir (default
	// "agentops_sources.go").
	Output string
	// DataDir holds the copies, relative to Dir (default
	// "_agentops_sources"). Its last element must start with "_" or "." so
	// the go tool ignores the copies; it is removed and rewritten on every
	// run.
	DataDir string
	VarName string // the fs.FS variable the generated file declares (default "agentopsSources")
	Limits  Limits
	// Secrets are exact values to mask besides the shapes redact knows,
	// such as an API key present at build time.
	Secrets []string
	// Env is added to the environment `go list` runs in (after
	// os.Environ, so it wins).
	Env []string
}

// GenerateResult is what Generate wrote: a plain value, safe to share
// between goroutines.
type GenerateResult struct {
	Output  string    // the generated file: Dir joined with Output
	Files   []string  // module-relative paths of the bundled files, sorted
	Skipped []Skipped // compiled files left out, and why
}

const (
	defaultOutput  = "agentops_sources.go"
	defaultDataDir = "_agentops_sources"
	defaultVarName = "agentopsSources"
)

// Generate bundles the main module's compiled source files into the main
// package for binaries that run away from their source (containers,
// -trimpath builds). It runs `go list -deps` on the patterns in Dir, keeps
// the GoFiles and CgoFiles of the main module's packages (so exactly what
// the current GOOS, GOARCH and build tags compile), adds go.mod and go.sum,
// drops its own output, applies the gates of the package doc, rewrites
// DataDir with the redacted copies under their module-relative paths and
// writes Output, a gofmt-formatted file that embeds DataDir as an fs.FS
// named VarName, for FromFS. The generated file needs only the standard
// library.
//
// Errors from go list (not in a module, missing packages) carry go's own
// message. Generate is safe for concurrent use on different directories.
func Generate(ctx context.Context, o GenerateOptions) (GenerateResult, error) {
	o, err := o.resolve()
	if err != nil {
		return GenerateResult{}, err
	}
	absDir, err := filepath.Abs(o.Dir)
	if err != nil {
		return GenerateResult{}, fmt.Errorf("sources: %w", err)
	}
	pkgs, err := goList(ctx, absDir, o.Env, true, o.Patterns)
	if err != nil {
		return GenerateResult{}, err
	}
	dirPkg := findDirPackage(pkgs, absDir)
	if dirPkg == nil {
		// The patterns did not include Dir itself; ask for its name alone.
		own, err := goList(ctx, absDir, o.Env, false, []string{"."})
		if err != nil {
			return GenerateResult{}, err
		}
		dirPkg = &own[0]
	}
	if dirPkg.Module == nil || !dirPkg.Module.Main {
		return GenerateResult{}, fmt.Errorf("sources: %s is not in the main module: run it inside a Go module: %w", absDir, ErrNoSource)
	}

	// Paths from here on are go list's view (symlinks resolved), so
	// comparisons between them hold.
	pkgDir, modDir := dirPkg.Dir, dirPkg.Module.Dir
	outAbs := filepath.Join(pkgDir, o.Output)
	dataAbs := filepath.Join(pkgDir, filepath.FromSlash(o.DataDir))
	root, err := os.OpenRoot(modDir)
	if err != nil {
		return GenerateResult{}, fmt.Errorf("sources: %w", err)
	}
	defer root.Close()

	c := newCollector(root.FS(), o.Limits, o.Secrets)
	var cands []candidate
	add := func(abs string) {
		if abs == outAbs || isWithin(dataAbs, abs) {
			return // our own output, from an earlier run
		}
		rel, err := filepath.Rel(modDir, abs)
		if err != nil || !filepath.IsLocal(rel) {
			c.skip(filepath.ToSlash(abs), "outside the module directory")
			return
		}
		if p := filepath.ToSlash(rel); c.admit(p) {
			cands = append(cands, candidate{path: p, name: p})
		}
	}
	for _, p := range pkgs {
		if p.Module == nil || !p.Module.Main || p.Module.Dir != modDir {
			continue
		}
		for _, f := range p.GoFiles {
			add(filepath.Join(p.Dir, f))
		}
		for _, f := range p.CgoFiles {
			add(filepath.Join(p.Dir, f))
		}
	}
	for _, name := range []string{"go.mod", "go.sum"} {
		if fi, err := os.Lstat(filepath.Join(modDir, name)); err == nil && fi.Mode().IsRegular() {
			add(filepath.Join(modDir, name))
		}
	}

	files, skipped := c.collect(cands)
	res := GenerateResult{Output: filepath.Join(o.Dir, o.Output), Skipped: skipped}
	if len(files) == 0 {
		return res, fmt.Errorf("sources: no files to bundle for %s: %w", strings.Join(o.Patterns, " "), ErrNoSource)
	}
	if err := writeDataDir(dataAbs, files); err != nil {
		return res, err
	}
	if err := writeFileAtomic(outAbs, generatedFile(dirPkg.Name, o.DataDir, o.VarName)); err != nil {
		return res, err
	}
	for _, f := range files {
		res.Files = append(res.Files, f.Path)
	}
	return res, nil
}

// dataDirElem is what a DataDir element may be: a name that needs no
// quoting in a //go:embed pattern and holds no glob characters.
var dataDirElem = regexp.MustCompile(`^\.?[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

// resolve fills in the defaults and rejects options that would write
// outside Dir, produce a file the go tool ignores, or not compile.
func (o GenerateOptions) resolve() (GenerateOptions, error) {
	if o.Dir == "" {
		o.Dir = "."
	}
	if len(o.Patterns) == 0 {
		o.Patterns = []string{"."}
	}
	if o.Output == "" {
		o.Output = defaultOutput
	}
	if o.DataDir == "" {
		o.DataDir = defaultDataDir
	}
	if o.VarName == "" {
		o.VarName = defaultVarName
	}
	invalid := func(what, why string) (GenerateOptions, error) {
		return o, fmt.Errorf("sources: invalid %s: %s", what, why)
	}
	switch out := o.Output; {
	case filepath.Base(out) != out || !filepath.IsLocal(out):
		return invalid("output "+out, "must be a file name in the package directory")
	case !strings.HasSuffix(out, ".go") || strings.HasSuffix(out, "_test.go"):
		return invalid("output "+out, `must end in ".go" and not in "_test.go"`)
	case strings.HasPrefix(out, "_") || strings.HasPrefix(out, "."):
		return invalid("output "+out, `the go tool ignores files starting with "_" or "."`)
	}
	o.DataDir = filepath.ToSlash(filepath.Clean(o.DataDir))
	if !ValidPath(o.DataDir) {
		return invalid("data directory "+o.DataDir, "must be a relative path inside the package directory")
	}
	for elem := range strings.SplitSeq(o.DataDir, "/") {
		if !dataDirElem.MatchString(elem) {
			return invalid("data directory "+o.DataDir, "use letters, digits, '_', '-' and '.' only")
		}
	}
	if base := o.DataDir[strings.LastIndexByte(o.DataDir, '/')+1:]; !strings.HasPrefix(base, "_") && !strings.HasPrefix(base, ".") {
		return invalid("data directory "+o.DataDir, `its name must start with "_" (or ".") so the go tool ignores the copies`)
	}
	if !token.IsIdentifier(o.VarName) || o.VarName == "_" {
		return invalid("variable name "+o.VarName, "must be a Go identifier")
	}
	for _, p := range o.Patterns {
		if strings.HasPrefix(p, "-") {
			return invalid("pattern "+p, "patterns cannot start with '-'")
		}
	}
	return o, nil
}

// listedPackage is the part of `go list -json` output Generate reads.
type listedPackage struct {
	Dir      string
	Name     string
	GoFiles  []string
	CgoFiles []string
	Module   *struct {
		Path string
		Main bool
		Dir  string
	}
}

// goList runs `go list -json` (with -deps when deps) in dir.
func goList(ctx context.Context, dir string, env []string, deps bool, patterns []string) ([]listedPackage, error) {
	args := []string{"list"}
	if deps {
		args = append(args, "-deps")
	}
	// Only these fields: go list then neither resolves embed patterns nor
	// needs the generated file's data directory to exist.
	args = append(args, "-json=Dir,ImportPath,Name,GoFiles,CgoFiles,Module", "--")
	args = append(args, patterns...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := oneLine(stderr.String())
		if msg == "" {
			return nil, fmt.Errorf("sources: go list %s in %s: %w", strings.Join(patterns, " "), dir, err)
		}
		return nil, fmt.Errorf("sources: go list %s in %s: %w: %s", strings.Join(patterns, " "), dir, err, msg)
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(&stdout)
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("sources: reading go list output: %w", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		return nil, fmt.Errorf("sources: go list %s in %s matched no packages: %w", strings.Join(patterns, " "), dir, ErrNoSource)
	}
	return pkgs, nil
}

// findDirPackage returns the listed package in dir, comparing by file
// identity when the paths differ (dir may go through a symlink).
func findDirPackage(pkgs []listedPackage, dir string) *listedPackage {
	for i := range pkgs {
		if pkgs[i].Dir == dir {
			return &pkgs[i]
		}
	}
	want, err := os.Stat(dir)
	if err != nil {
		return nil
	}
	for i := range pkgs {
		if pkgs[i].Module == nil || !pkgs[i].Module.Main {
			continue
		}
		if fi, err := os.Stat(pkgs[i].Dir); err == nil && os.SameFile(want, fi) {
			return &pkgs[i]
		}
	}
	return nil
}

// oneLine joins the non-empty lines of go's stderr, so an error stays one
// line.
func oneLine(s string) string {
	var lines []string
	for l := range strings.Lines(s) {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "; ")
}

// isWithin reports whether path is dir or inside it.
func isWithin(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && (rel == "." || filepath.IsLocal(rel))
}

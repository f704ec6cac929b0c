package sources

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeBenchModule writes a module of 300 files of a few KB each in 30
// packages and returns its root and the bytes of Go source in it.
func writeBenchModule(b *testing.B) (root string, goBytes int64) {
	b.Helper()
	root = b.TempDir()
	files := map[string]string{"go.mod": "module example.com/bench\n\ngo 1.26\n"}
	for p := range 30 {
		pkg := fmt.Sprintf("pkg%02d", p)
		dir := "internal/" + pkg
		if p%3 == 0 {
			dir = "cmd/" + pkg
		}
		for f := range 10 {
			files[fmt.Sprintf("%s/file%02d.go", dir, f)] = benchFile(pkg, p*10+f)
		}
	}
	for _, content := range files {
		goBytes += int64(len(content))
	}
	writeTree(b, root, files)
	return root, goBytes
}

// benchFile is plausible Go: a doc comment, imports, a struct, methods
// with error handling and a table of strings, about 3 KB.
func benchFile(pkg string, n int) string {
	var s strings.Builder
	fmt.Fprintf(&s, "// Package %s does part %d of the work.\npackage %s\n\n", pkg, n, pkg)
	s.WriteString("import (\n\t\"context\"\n\t\"errors\"\n\t\"fmt\"\n\t\"net/http\"\n\t\"time\"\n)\n\n")
	fmt.Fprintf(&s, "// Worker%d calls the model and a tool.\ntype Worker%d struct {\n\tClient  *http.Client\n\tBaseURL string\n\tTimeout time.Duration\n\tRetries int\n}\n\n", n, n)
	for m := range 6 {
		fmt.Fprintf(&s, `// Step%[2]d runs step %[2]d of the agent loop.
func (w *Worker%[1]d) Step%[2]d(ctx context.Context, input string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, w.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.BaseURL+"/v1/step/%[2]d", nil)
	if err != nil {
		return "", fmt.Errorf("step %[2]d: %%w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := w.Client.Do(req)
	if err != nil {
		return "", errors.Join(err, ctx.Err())
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("step %[2]d: %%s for %%q", resp.Status, input)
	}
	return input, nil
}

`, n, m)
	}
	s.WriteString("var prompts = []string{\n")
	for i := range 8 {
		fmt.Fprintf(&s, "\t\"You are a helpful agent; answer question %d briefly and cite the tool output.\",\n", i)
	}
	s.WriteString("}\n")
	return s.String()
}

// BenchmarkFromDir compares FromDir (walk, filters, os.Root reads,
// redaction, hashing) with the least any source collector must do: walk
// the tree and read every .go file.
func BenchmarkFromDir(b *testing.B) {
	root, goBytes := writeBenchModule(b)

	b.Run("baseline-walk-read", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(goBytes)
		for b.Loop() {
			n := 0
			err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") {
					return err
				}
				data, err := os.ReadFile(p)
				n += len(data)
				return err
			})
			if err != nil || n == 0 {
				b.Fatal(err, n)
			}
		}
	})
	b.Run("FromDir", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(goBytes)
		for b.Loop() {
			bundle, err := FromDir(root, Limits{})
			if err != nil || len(bundle.Files) != 301 {
				b.Fatal(err, len(bundle.Files))
			}
		}
	})
}

package sources_test

import (
	"fmt"
	"testing/fstest"

	"github.com/agentops-go/agentops/internal/sources"
)

func ExampleExcluded() {
	for _, p := range []string{"main.go", ".env.local", "deploy/server.key", "internal/secrets.go", "vendor/x/x.go"} {
		if reason, excluded := sources.Excluded(p); excluded {
			fmt.Printf("%s: excluded (%s)\n", p, reason)
		} else {
			fmt.Printf("%s: sent\n", p)
		}
	}
	// Output:
	// main.go: sent
	// .env.local: excluded (environment file)
	// deploy/server.key: excluded (key or certificate file)
	// internal/secrets.go: excluded (name contains "secret")
	// vendor/x/x.go: excluded (vendor directory)
}

func ExampleValidPath() {
	for _, p := range []string{"cmd/app/main.go", "../etc/passwd", "/etc/passwd", `a\b.go`} {
		fmt.Println(p, sources.ValidPath(p))
	}
	// Output:
	// cmd/app/main.go true
	// ../etc/passwd false
	// /etc/passwd false
	// a\b.go false
}

// FromFS reads a bundle such as the one `agentops sources` embeds; the
// same gates as for a directory apply.
func ExampleFromFS() {
	bundle, err := sources.FromFS(fstest.MapFS{
		"_go.mod": {Data: []byte("module example.com/app\n")},
		"main.go": {Data: []byte("package main\n\nconst key = \"sk-proj-0123456789abcdefghijklmn\"\n")},
		".env":    {Data: []byte("OPENAI_API_KEY=sk-proj-0123456789abcdefghijklmn\n")},
	}, sources.DefaultLimits())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range bundle.Files {
		fmt.Printf("== %s (%d bytes on disk)\n%s", f.Path, f.Size, f.Content)
	}
	for _, s := range bundle.Skipped {
		fmt.Printf("skipped %s: %s\n", s.Path, s.Reason)
	}
	// Output:
	// == go.mod (23 bytes on disk)
	// module example.com/app
	// == main.go (61 bytes on disk)
	// package main
	//
	// const key = "[REDACTED]"
	// skipped .env: excluded: environment file
}

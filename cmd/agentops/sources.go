package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/agentops-go/agentops/internal/sources"
)

func init() {
	register(command{
		name:    "sources",
		summary: "bundle the main module's compiled source files for embedding",
		run:     runSources,
	})
}

const sourcesUsage = `usage: agentops sources [flags] [packages]

Copies the main module's source files that are compiled into the binary
(go list -deps of the packages, default ".") into -data, redacted, and
writes -o, a Go file that embeds them as an fs.FS for
agentops.WithSourceFS. Use it for binaries that run away from their source
(containers, -trimpath builds), from the main package:

	//go:generate go run github.com/agentops-go/agentops/cmd/agentops sources

The value of AGENTOPS_API_KEY, when set, is masked in the copies too.

flags:
`

// maxSkippedShown bounds the skipped files the summary line names.
const maxSkippedShown = 5

func runSources(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	def := sources.DefaultLimits()
	flags := flag.NewFlagSet("agentops sources", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() {
		io.WriteString(stderr, sourcesUsage)
		flags.PrintDefaults()
	}
	var (
		o        sources.GenerateOptions
		maxFile  = flags.Int("max-file-bytes", def.MaxFileBytes, "cut files larger than this")
		maxTotal = flags.Int("max-total-bytes", def.MaxTotalBytes, "skip files past this total")
		maxFiles = flags.Int("max-files", def.MaxFiles, "skip files past this count")
	)
	flags.StringVar(&o.Dir, "dir", ".", "the main package's `directory`")
	flags.StringVar(&o.Output, "o", "agentops_sources.go", "the generated Go `file`, in -dir")
	flags.StringVar(&o.DataDir, "data", "_agentops_sources", "the `directory` holding the copies, relative to -dir")
	flags.StringVar(&o.VarName, "var", "agentopsSources", "the `name` of the generated fs.FS variable")
	if err := flags.Parse(args); err != nil {
		return 2 // flag has printed the error (if any) and the usage
	}
	o.Patterns = flags.Args()
	o.Limits = sources.Limits{MaxFileBytes: *maxFile, MaxTotalBytes: *maxTotal, MaxFiles: *maxFiles}
	if key := os.Getenv("AGENTOPS_API_KEY"); key != "" {
		o.Secrets = append(o.Secrets, key)
	}

	res, err := sources.Generate(ctx, o)
	if err != nil {
		fmt.Fprintf(stderr, "agentops sources: %s\n", strings.TrimPrefix(err.Error(), "sources: "))
		return 1
	}
	fmt.Fprintln(stdout, summary(res))
	return 0
}

// summary is the one line `agentops sources` prints on success:
// "wrote agentops_sources.go: 12 files (3 skipped: a.go (why), ...)".
func summary(res sources.GenerateResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "wrote %s: %d %s", res.Output, len(res.Files), plural(len(res.Files), "file", "files"))
	if n := len(res.Skipped); n > 0 {
		fmt.Fprintf(&b, " (%d skipped: ", n)
		for i, s := range res.Skipped[:min(n, maxSkippedShown)] {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s (%s)", s.Path, s.Reason)
		}
		if n > maxSkippedShown {
			fmt.Fprintf(&b, ", and %d more", n-maxSkippedShown)
		}
		b.WriteString(")")
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

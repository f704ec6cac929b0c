package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/agentops-go/agentops/server"
)

func init() {
	register(command{
		name:    "serve",
		summary: "run the local backend: OTLP + AgentOps API ingest, SQLite, REST API, live stream",
		run:     runServe,
	})
}

const serveUsage = `usage: agentops serve [flags]

Runs the local backend on one port: OTLP/HTTP traces and metrics, the
AgentOps API (/v3/auth/token, /v4/*/upload/), the REST API under /api/ and
the live event stream /api/events. The SDK sends here when no API key and
no endpoint are set. Data lives in -data (SQLite).

It listens on loopback; give -addr to listen elsewhere, and then -api-key
(repeatable) so that only holders of a key can read and write.

flags:
`

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("agentops serve", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() {
		io.WriteString(stderr, serveUsage)
		flags.PrintDefaults()
	}
	var (
		cfg       server.Config
		keys      stringList
		addr      = flags.String("addr", server.DefaultAddr, "`host:port` to listen on")
		retention = flags.String("retention", "", "delete sessions older than this (`age`: 720h, 30d)")
		maxSize   = flags.String("max-db-size", "", "delete the oldest sessions while the database is larger (`size`: 500MB, 2GB)")
		level     = flags.String("log-level", "info", "debug, info, warn or error")
	)
	flags.StringVar(&cfg.DataDir, "data", defaultDataDir(), "`directory` for the database and the token secret")
	flags.Var(&keys, "api-key", "an API key allowed to get a token (repeatable); with any, every request needs a token")
	flags.StringVar(&cfg.PricesFile, "prices", "", "a price table `file` (JSON) that overrides and extends the embedded one")
	flags.StringVar(&cfg.PublicURL, "public-url", "", "the base `URL` clients reach this server at (default: from each request)")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	cfg.APIKeys = keys
	var err error
	if cfg.Retention, err = parseAge(*retention); err != nil {
		fmt.Fprintln(stderr, "agentops serve: -retention:", err)
		return 2
	}
	if cfg.MaxDBBytes, err = parseSize(*maxSize); err != nil {
		fmt.Fprintln(stderr, "agentops serve: -max-db-size:", err)
		return 2
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		fmt.Fprintln(stderr, "agentops serve: -log-level:", err)
		return 2
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl}))

	srv, err := server.New(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "agentops serve:", err)
		return 1
	}
	ln, err := listen(*addr)
	if err != nil {
		_ = srv.Close()
		fmt.Fprintln(stderr, "agentops serve:", err)
		return 1
	}
	fmt.Fprintf(stdout, "agentops serve: listening on http://%s (data in %s)\n", ln.Addr(), cfg.DataDir)
	if err := srv.Serve(ctx, ln); err != nil {
		fmt.Fprintln(stderr, "agentops serve:", err)
		return 1
	}
	return 0
}

// defaultDataDir is ~/.agentops, or ./.agentops without a home.
func defaultDataDir() string {
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".agentops")
	}
	return ".agentops"
}

// parseAge reads a Go duration or a number of days ("30d"); "" is none.
func parseAge(v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.ParseFloat(days, 64)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("%q is not a number of days", v)
		}
		return time.Duration(n * float64(24*time.Hour)), nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not an age such as 720h or 30d", v)
	}
	return d, nil
}

// parseSize reads a byte size with an optional KB, MB, GB or TB suffix
// (powers of 1000; KiB, MiB, GiB, TiB for powers of 1024); "" is none.
func parseSize(v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	s := strings.ToUpper(strings.TrimSpace(v))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		n      int64
	}{
		{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"TIB", 1 << 40},
		{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1},
	} {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(rest), u.n
			break
		}
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a size such as 500MB or 2GB", v)
	}
	return int64(n * float64(mult)), nil
}

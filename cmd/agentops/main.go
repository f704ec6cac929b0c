// Command agentops is the agentops command line: the local backend and
// dashboard, a demo, and build-time helpers for programs instrumented with
// the agentops SDK.
//
// Usage:
//
//	agentops <command> [flags] [arguments]
//
// The commands are:
//
//	demo      start the local backend, run a sample agent against it, serve the dashboard
//	serve     run the local backend: ingest, SQLite, REST API, live stream, dashboard
//	sources   bundle the main module's compiled source files for embedding
//
// Each command lives in a file of its own and registers itself with
// register; run dispatches to it.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// command is one subcommand of agentops.
type command struct {
	name    string
	summary string // one line, for the usage text
	// run gets the arguments after the command name. It returns the exit
	// code: 0 success, 1 failure, 2 bad usage.
	run func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

// commands holds every registered command, by name.
var commands = map[string]command{}

// register adds a command; each command's file calls it from init.
func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("agentops: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// run is the whole program but for os.Exit: it dispatches args[0] to its
// command and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		if name == "help" && len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				return c.run(context.Background(), []string{"-h"}, stdout, stderr)
			}
		}
		usage(stderr)
		return 2
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "agentops: unknown command %q\n\n", name)
		usage(stderr)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return c.run(ctx, args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("usage: agentops <command> [flags] [arguments]\n\ncommands:\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(&b, "  %-10s %s\n", n, commands[n].summary)
	}
	b.WriteString("\nRun 'agentops <command> -h' for a command's flags.\n")
	io.WriteString(w, b.String())
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/agentops-go/agentops"
	"github.com/agentops-go/agentops/instrument/openai"
	"github.com/agentops-go/agentops/internal/chatmodel"
	"github.com/agentops-go/agentops/internal/demoagent"
	"github.com/agentops-go/agentops/server"
)

func init() {
	register(command{
		name:    "demo",
		summary: "start the local backend, run a sample agent against it, and serve the dashboard",
		run:     runDemo,
	})
}

const demoUsage = `usage: agentops demo [flags]

Starts the local backend (a fresh database in a temporary directory unless
-data says where), runs a sample multi-step agent against it, prints the
dashboard and session URLs, and keeps serving until Ctrl-C (-once exits
after the run).

The agent talks to OpenAI when OPENAI_API_KEY is set (OPENAI_BASE_URL for
another OpenAI-compatible API, OPENAI_MODEL for the model, default
` + chatmodel.DefaultModel + `), and otherwise to a scripted OpenAI-compatible
model server that this command starts: its answers are canned, labelled as
scripted, and free.

flags:
`

// agentTimeout bounds the sample agent's run: a real provider that hangs
// must not hold the demo forever.
const agentTimeout = 5 * time.Minute

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("agentops demo", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() {
		io.WriteString(stderr, demoUsage)
		flags.PrintDefaults()
	}
	var (
		addr = flags.String("addr", server.DefaultAddr, "`host:port` for the backend and dashboard (default busy: a free port)")
		data = flags.String("data", "", "keep the database in this `directory` (default: a temporary one, deleted on exit)")
		once = flags.Bool("once", false, "exit after the agent's run instead of serving until Ctrl-C")
	)
	if err := flags.Parse(args); err != nil {
		return 2
	}
	addrGiven := false
	flags.Visit(func(f *flag.Flag) { addrGiven = addrGiven || f.Name == "addr" })
	fail := func(err error) int {
		fmt.Fprintln(stderr, "agentops demo:", err)
		return 1
	}

	dir, cleanup, err := demoDataDir(*data)
	if err != nil {
		return fail(err)
	}
	defer cleanup()
	srv, err := server.New(ctx, server.Config{DataDir: dir, Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		return fail(err)
	}
	ln, err := listen(*addr)
	if err != nil && !addrGiven {
		ln, err = listen("127.0.0.1:0")
		if err == nil {
			fmt.Fprintf(stderr, "agentops demo: %s is in use (another agentops serve?); using %s instead\n", *addr, ln.Addr())
		}
	}
	if err != nil {
		_ = srv.Close()
		return fail(err)
	}
	serveCtx, stopServing := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(serveCtx, ln) }()
	base := "http://" + ln.Addr().String()

	fmt.Fprintf(stdout, "agentops demo\nbackend: %s (data in %s)\n", base, dir)
	m, err := chatmodel.Open(demoagent.Script, stdout)
	if err != nil {
		stopServing()
		return fail(errors.Join(err, <-served))
	}
	sess, runErr := runDemoAgent(ctx, base, openai.NewClient(m.ClientConfig(), m.Options()...), m.Name, stdout, stderr)
	m.Close()
	if runErr == nil {
		runErr = reportStored(ctx, srv, sess, stdout)
	}
	if runErr == nil {
		fmt.Fprintf(stdout, "dashboard: %s/\n", base)
	}
	if runErr == nil && !*once {
		fmt.Fprintln(stdout, "Serving the dashboard until Ctrl-C.")
		<-ctx.Done()
	}
	stopServing()
	if err := errors.Join(runErr, <-served); err != nil {
		return fail(err)
	}
	return 0
}

// demoDataDir is dir, or a new temporary directory that cleanup removes.
func demoDataDir(dir string) (string, func(), error) {
	if dir != "" {
		return dir, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "agentops-demo-")
	if err != nil {
		return "", nil, fmt.Errorf("a temporary data directory: %w", err)
	}
	return tmp, func() { _ = os.RemoveAll(tmp) }, nil
}

// runDemoAgent runs the sample agent with an SDK client that sends to
// base, and waits for everything to be delivered. The session is nil only
// when the agent could not start one.
func runDemoAgent(ctx context.Context, base string, llm *openai.Client, model string, stdout, stderr io.Writer) (*agentops.Session, error) {
	client, err := agentops.Init(ctx, agentops.WithEndpoint(base), agentops.WithServiceName("agentops-demo"),
		agentops.WithErrorHandler(func(err error) { fmt.Fprintln(stderr, "agentops demo: telemetry:", err) }))
	if err != nil {
		return nil, err
	}
	logger := slog.New(agentops.NewSlogHandler(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	fmt.Fprintf(stdout, "question: %s\n\n", demoagent.Question)

	runCtx, cancel := context.WithTimeout(ctx, agentTimeout)
	res, runErr := demoagent.Run(runCtx, demoagent.Config{LLM: llm, Model: model, Out: stdout, Logger: logger})
	cancel()

	// Flush the spans and finish the log and source uploads before saying
	// the session is there to look at.
	flushCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := client.Shutdown(flushCtx); err != nil {
		return nil, fmt.Errorf("delivering the session to the backend: %w", err)
	}
	if runErr != nil && res.Session == nil {
		return nil, runErr
	}
	if runErr != nil {
		fmt.Fprintf(stdout, "The agent failed (the session records how): %v\n", runErr)
	}
	return res.Session, nil
}

// reportStored prints what the backend stored of the session, and fails
// when it stored nothing: the demo is also CI's end-to-end check.
func reportStored(ctx context.Context, srv *server.Server, sess *agentops.Session, stdout io.Writer) error {
	s, err := srv.Store().Session(ctx, sess.TraceID().String())
	if err != nil {
		return fmt.Errorf("the backend has no record of the session %s: %w", sess.TraceID(), err)
	}
	fmt.Fprintf(stdout, "stored: %s, %d spans, %d LLM calls, %d tool calls, %d failed, %d+%d tokens, $%.4f, %d source files\n",
		s.Status, s.Spans, s.LLMCalls, s.ToolCalls, s.Errors, s.InputTokens, s.OutputTokens, s.Cost, s.Files)
	fmt.Fprintf(stdout, "session: %s\n", sess.URL())
	return nil
}

// listen listens on addr, with an error that says what to do when the
// port is taken.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s: %w (is another agentops serve running? pick another port with -addr)", addr, err)
	}
	return ln, nil
}

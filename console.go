package agentops

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/agentops-go/agentops/internal/semconv"
)

// consoleEnv names the variable that turns the console on.
const consoleEnv = "AGENTOPS_CONSOLE"

// WithConsole prints each session's steps to w in format f when the
// session ends (AGENTOPS_CONSOLE=compact|detailed|json prints to stderr).
// With WithoutDefaultExporter it shows what an agent did with no backend
// at all. Printing happens on a goroutine of the console's own, never the
// agent's; Client.ForceFlush and Shutdown wait for it, and Shutdown prints
// the sessions it ends. Steps still running when their session ends are
// shown as running, and each session holds at most StepRecordLimit steps.
//
// The last WithConsole given wins, and a nil w turns the console off,
// including the one AGENTOPS_CONSOLE asks for. w must be safe to write to
// from another goroutine than the program's.
func WithConsole(w io.Writer, f Format) Option {
	return optionFunc(func(c config) config {
		c.processors = slices.DeleteFunc(slices.Clone(c.processors), func(p sdktrace.SpanProcessor) bool {
			_, isConsole := p.(*consolePrinter)
			return isConsole
		})
		switch {
		case w == nil:
		case !f.valid():
			c.errs = append(c.errs, fmt.Errorf("WithConsole: %v is not a Format", f))
		default:
			c.processors = append(c.processors, newConsolePrinter(w, f))
		}
		return c
	})
}

// consoleFromEnv puts the console AGENTOPS_CONSOLE asks for ahead of opts,
// so that a WithConsole among them replaces it.
func consoleFromEnv(getenv func(string) string, opts []Option) []Option {
	v := strings.TrimSpace(getenv(consoleEnv))
	if v == "" {
		return opts
	}
	f, err := parseFormat(v)
	if err != nil {
		return append([]Option{optionFunc(func(c config) config {
			c.errs = append(c.errs, fmt.Errorf("%s: %w", consoleEnv, err))
			return c
		})}, opts...)
	}
	return append([]Option{WithConsole(os.Stderr, f)}, opts...)
}

// consoleQueueSize bounds the sessions waiting to be printed; past it a
// session is skipped, and the next one printed says how many were.
const consoleQueueSize = 64

// consolePrinter is the span processor behind WithConsole. It collects the
// steps of each session whose root it sees start, and when the root ends
// hands them to its worker, which prints them; OnEnd only enqueues. The
// worker starts with the first session end, so a console that prints
// nothing (Init failed, no session ended) leaves no goroutine behind.
//
// It is safe for concurrent use.
type consolePrinter struct {
	w      io.Writer
	format Format

	mu       sync.Mutex
	sessions map[trace.TraceID]*stepCollector // the open ones
	started  bool                             // the worker
	closed   bool

	queue    chan consoleJob
	skipped  atomic.Uint64
	stop     chan struct{}
	stopOnce sync.Once
	done     chan struct{} // closed when the worker returns
}

// consoleJob is a session to print, or (flushed != nil) a marker that
// ForceFlush waits on.
type consoleJob struct {
	steps   *stepCollector
	flushed chan struct{}
}

var _ sdktrace.SpanProcessor = (*consolePrinter)(nil)

func newConsolePrinter(w io.Writer, f Format) *consolePrinter {
	return &consolePrinter{
		w:        w,
		format:   f,
		sessions: map[trace.TraceID]*stepCollector{},
		queue:    make(chan consoleJob, consoleQueueSize),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
}

// OnStart implements sdktrace.SpanProcessor.
func (p *consolePrinter) OnStart(_ context.Context, s sdktrace.ReadWriteSpan) {
	sc := s.SpanContext()
	root := !s.Parent().IsValid() && isSession(s)
	p.mu.Lock()
	steps := p.sessions[sc.TraceID()]
	if root && !p.closed {
		steps = newStepCollector(sc.SpanID())
		p.sessions[sc.TraceID()] = steps
	}
	p.mu.Unlock()
	if steps != nil {
		steps.add(StepEvent{Type: StepStarted, Step: stepFromSpan(s)})
	}
}

// isSession reports whether s is a session's root span.
func isSession(s sdktrace.ReadOnlySpan) bool {
	for _, kv := range s.Attributes() {
		if kv.Key == semconv.SpanKind {
			return kv.Value.AsString() == semconv.KindSession
		}
	}
	return false
}

// OnEnd implements sdktrace.SpanProcessor.
func (p *consolePrinter) OnEnd(s sdktrace.ReadOnlySpan) {
	sc := s.SpanContext()
	p.mu.Lock()
	steps := p.sessions[sc.TraceID()]
	root := steps != nil && sc.SpanID().String() == steps.rootID
	if root {
		delete(p.sessions, sc.TraceID())
	}
	p.mu.Unlock()
	if steps == nil {
		return
	}
	steps.add(StepEvent{Type: StepEnded, Step: stepFromSpan(s)})
	if root {
		p.enqueue(steps)
	}
}

func (p *consolePrinter) enqueue(steps *stepCollector) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	if !p.started {
		p.started = true
		go p.work()
	}
	select {
	case p.queue <- consoleJob{steps: steps}:
	default:
		p.skipped.Add(1)
	}
}

func (p *consolePrinter) work() {
	defer close(p.done)
	for {
		select {
		case j := <-p.queue:
			if j.flushed != nil {
				close(j.flushed)
				continue
			}
			p.print(j.steps.trace())
		case <-p.stop:
			return
		}
	}
}

func (p *consolePrinter) print(t Trace) {
	// A JSON reader would choke on a line of text between the documents.
	if n := p.skipped.Swap(0); n > 0 && p.format != FormatJSON {
		_, _ = fmt.Fprintf(p.w, "agentops: %s not printed: the console fell behind\n", plural(int(n), "session"))
	}
	// A console that cannot be written to has nowhere to say so either.
	_ = t.Print(p.w, p.format)
}

// ForceFlush implements sdktrace.SpanProcessor: it waits until the
// sessions ended so far are printed, or ctx ends.
func (p *consolePrinter) ForceFlush(ctx context.Context) error {
	p.mu.Lock()
	started := p.started
	p.mu.Unlock()
	if !started {
		return nil
	}
	marker := make(chan struct{})
	return awaitMarker(ctx, p.queue, consoleJob{flushed: marker}, marker, p.done, "the console")
}

// Shutdown implements sdktrace.SpanProcessor: it prints the sessions
// ended so far, within ctx, and stops the worker. Sessions still open are
// not printed: Client.Shutdown has ended the SDK's own before.
func (p *consolePrinter) Shutdown(ctx context.Context) error {
	p.mu.Lock()
	p.closed, p.sessions = true, nil
	started := p.started
	p.mu.Unlock()
	if !started {
		return nil
	}
	err := p.ForceFlush(ctx)
	p.stopOnce.Do(func() { close(p.stop) })
	select {
	case <-p.done:
	case <-ctx.Done():
		if err == nil {
			err = fmt.Errorf("agentops: waiting for the console: %w", ctx.Err())
		}
	}
	return err
}

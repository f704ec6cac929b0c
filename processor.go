package agentops

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/agentops-go/agentops/internal/logcapture"
)

// SessionEnd describes a session whose root span has ended. Hooks receive
// it on the SDK's worker goroutine.
type SessionEnd struct {
	Name    string
	TraceID trace.TraceID
	State   EndState
	Tags    []string
	Start   time.Time
	End     time.Time
	// Spans and Errors count the session's spans (root excluded) that
	// ended before its root, and those of them with status Error.
	Spans  int
	Errors int

	root trace.SpanContext
	logs *logcapture.Buffer // the session's captured log, nil without capture
}

// sessionHook runs for each ended session on the worker goroutine; ctx ends
// when Shutdown runs out of time.
type sessionHook func(ctx context.Context, end SessionEnd) error

// jobQueueSize bounds the session ends waiting for the worker; past it a
// session's end-of-session work is skipped and reported, never waited for.
const jobQueueSize = 256

// processor is the SDK's internal span processor. It knows every open
// session's root, because StartSession registers the root it started
// (keyed by trace ID, so any number of sessions run at once), counts the
// spans that end inside each session, and when a root ends hands one job to
// a worker goroutine that runs the session-end hooks (the uploads). OnEnd
// only enqueues: the agent's goroutine never waits on a hook.
//
// It is safe for concurrent use.
type processor struct {
	diag  *diagnostics
	hooks []sessionHook
	// logLimits, when set, opens a log buffer for every session tracked;
	// the processor closes it when the session's job is handled or dropped.
	logLimits *logcapture.Limits

	mu   sync.RWMutex
	open map[trace.TraceID]*openSession

	jobs    chan job
	closed  atomic.Bool
	dropped atomic.Uint64

	ctx      context.Context // ends when Shutdown gives up on the hooks
	cancel   context.CancelFunc
	done     chan struct{} // closed when the worker returns
	stopOnce sync.Once
}

type openSession struct {
	sess   *Session
	root   trace.SpanID
	spans  atomic.Int64
	errors atomic.Int64
}

// job is a session end, or (flushed != nil) a marker that ForceFlush waits
// on: the queue is FIFO, so when the marker is reached every job queued
// before it has run.
type job struct {
	end     SessionEnd
	flushed chan struct{}
}

var _ sdktrace.SpanProcessor = (*processor)(nil)

func newProcessor(diag *diagnostics, hooks []sessionHook, logLimits *logcapture.Limits) *processor {
	ctx, cancel := context.WithCancel(context.Background())
	p := &processor{
		diag:      diag,
		hooks:     hooks,
		logLimits: logLimits,
		open:      map[trace.TraceID]*openSession{},
		jobs:      make(chan job, jobQueueSize),
		ctx:       ctx,
		cancel:    cancel,
		done:      make(chan struct{}),
	}
	go p.work()
	return p
}

// track registers a session whose root span was just started. After
// Shutdown there is nothing to track: no OnEnd will come.
func (p *processor) track(s *Session) {
	if p.closed.Load() {
		return
	}
	p.mu.Lock()
	p.open[s.traceID] = &openSession{sess: s, root: s.span.SpanContext().SpanID()}
	p.mu.Unlock()
	if p.logLimits != nil {
		capturedLogs.Open(logcapture.ID(s.traceID), logcapture.NewBuffer(*p.logLimits))
	}
}

// openSessions returns the sessions whose root has not ended.
func (p *processor) openSessions() []*Session {
	p.mu.RLock()
	defer p.mu.RUnlock()
	out := make([]*Session, 0, len(p.open))
	for _, o := range p.open {
		out = append(out, o.sess)
	}
	return out
}

// OnStart implements sdktrace.SpanProcessor; roots are registered by
// StartSession, so there is nothing to do here.
func (p *processor) OnStart(context.Context, sdktrace.ReadWriteSpan) {}

// OnEnd implements sdktrace.SpanProcessor: a map lookup, a counter, and for
// a session root one non-blocking send.
func (p *processor) OnEnd(s sdktrace.ReadOnlySpan) {
	sc := s.SpanContext()
	p.mu.RLock()
	o := p.open[sc.TraceID()]
	p.mu.RUnlock()
	if o == nil {
		return
	}
	if sc.SpanID() != o.root {
		o.spans.Add(1)
		if s.Status().Code == codes.Error {
			o.errors.Add(1)
		}
		return
	}
	p.mu.Lock()
	delete(p.open, sc.TraceID())
	p.mu.Unlock()

	state := o.sess.state
	if state == "" { // the root was ended through Session.Span, not End
		state = Indeterminate
	}
	end := SessionEnd{
		Name:    o.sess.name,
		TraceID: sc.TraceID(),
		State:   state,
		Tags:    o.sess.tags,
		Start:   s.StartTime(),
		End:     s.EndTime(),
		Spans:   int(o.spans.Load()),
		Errors:  int(o.errors.Load()),
		root:    sc,
	}
	if p.closed.Load() {
		p.drop(end, "after Shutdown")
		return
	}
	select {
	case p.jobs <- job{end: end}:
	default:
		p.drop(end, fmt.Sprintf("with %d session ends already queued", jobQueueSize))
	}
}

func (p *processor) drop(end SessionEnd, why string) {
	capturedLogs.Close(logcapture.ID(end.TraceID))
	p.dropped.Add(1)
	p.diag.report(fmt.Errorf("agentops: session %q (trace %s) ended %s; its end-of-session uploads were skipped", end.Name, end.TraceID, why))
}

func (p *processor) work() {
	defer close(p.done)
	defer p.discardQueued()
	for {
		select {
		case j := <-p.jobs:
			if j.flushed != nil {
				close(j.flushed)
				continue
			}
			p.handle(j.end)
		case <-p.ctx.Done():
			return
		}
	}
}

// handle runs the hooks for one ended session, with its captured log.
func (p *processor) handle(end SessionEnd) {
	if p.logLimits != nil {
		// Output the program wrote before the session ended may still be
		// in the stdout pipe: let it reach the log before closing it.
		if err := syncStdio(p.ctx); err != nil {
			p.diag.report(fmt.Errorf("agentops: stdout/stderr not fully captured for session %q: %w", end.Name, err))
		}
		end.logs = capturedLogs.Close(logcapture.ID(end.TraceID))
	}
	for _, h := range p.hooks {
		p.runHook(h, end)
	}
}

// discardQueued releases the logs of sessions still queued when the worker
// stops (Shutdown ran out of time); their uploads are lost, and said so.
func (p *processor) discardQueued() {
	for {
		select {
		case j := <-p.jobs:
			if j.flushed != nil {
				close(j.flushed)
				continue
			}
			p.drop(j.end, "while Shutdown was giving up")
		default:
			return
		}
	}
}

// runHook keeps one failing or panicking hook from stopping the worker.
func (p *processor) runHook(h sessionHook, end SessionEnd) {
	defer func() {
		if r := recover(); r != nil {
			p.diag.report(fmt.Errorf("agentops: a session-end hook panicked for session %q: %v", end.Name, r))
		}
	}()
	if err := h(p.ctx, end); err != nil {
		p.diag.report(err)
	}
}

// ForceFlush waits until every session end queued before the call has been
// handled, or ctx ends.
func (p *processor) ForceFlush(ctx context.Context) error {
	marker := make(chan struct{})
	return awaitMarker(ctx, p.jobs, job{flushed: marker}, marker, p.done, "session-end uploads")
}

// awaitMarker queues j, a job whose handling closes marker, on a worker's
// queue and waits until it is handled: nil then, or when the worker has
// stopped (done); an error that names what was awaited when ctx ends
// first.
func awaitMarker[J any](ctx context.Context, queue chan<- J, j J, marker, done <-chan struct{}, what string) error {
	select {
	case queue <- j:
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("agentops: waiting for %s: %w", what, ctx.Err())
	}
	select {
	case <-marker:
		return nil
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("agentops: waiting for %s: %w", what, ctx.Err())
	}
}

// shutdownGrace is how long Shutdown waits for a hook to notice that its
// context ended before giving up on it.
const shutdownGrace = 200 * time.Millisecond

// Shutdown handles the queued session ends within ctx, then stops the
// worker, cancelling a hook still running. It may be called more than once.
func (p *processor) Shutdown(ctx context.Context) error {
	var err error
	p.stopOnce.Do(func() {
		p.closed.Store(true)
		err = p.ForceFlush(ctx)
		p.cancel()
		select {
		case <-p.done:
		case <-time.After(shutdownGrace):
		}
	})
	return err
}

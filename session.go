package agentops

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/agentops-go/agentops/internal/semconv"
)

// EndState is how a session ended. Its values are the strings the AgentOps
// backend reads from agentops.session.end_state.
type EndState string

const (
	// Success ends a session with status OK.
	Success EndState = "Success"
	// Failure ends a session with status ERROR.
	Failure EndState = "Error"
	// Indeterminate ends a session with status Unset; the SDK uses it for
	// sessions it has to end itself (Shutdown, a signal).
	Indeterminate EndState = "Indeterminate"
)

// Session is one run of an agent: the root span of a trace of its own, under
// which every span started from its context nests. Many sessions may run at
// once in one process. A Session is safe for concurrent use; End, Fail and
// their automatic forms end it exactly once.
type Session struct {
	client  *Client
	span    trace.Span
	traceID trace.TraceID
	name    string
	tags    []string
	ended   atomic.Bool
	state   EndState // written once, before the root ends
}

type sessionKey struct{}

var sessionInfo = newKindInfo(semconv.KindSession)

// StartSession starts a session named name (the configured trace name when
// empty) with the default Client, or with the Client of the session ctx
// already carries. Its root span always starts a new trace; when ctx carries
// a span (a parent session, say), the root links to it. The returned context
// carries the session: pass it to everything the session does.
//
// Without an initialised Client it returns a no-op session, so code that is
// instrumented runs unchanged without the SDK.
func StartSession(ctx context.Context, name string, opts ...SpanOption) (context.Context, *Session) {
	return clientFor(ctx).StartSession(ctx, name, opts...)
}

// StartSession is the package-level StartSession for this Client.
func (c *Client) StartSession(ctx context.Context, name string, opts ...SpanOption) (context.Context, *Session) {
	if c == nil || c.tracer == nil {
		return ctx, &Session{span: noop.Span{}}
	}
	if name == "" {
		name = c.cfg.traceName
	}
	sc := applySpanOptions(opts)
	tags := mergeTags(c.cfg.defaultTags, sc.tags)
	attrs := startAttributes(sessionInfo, name, tags, sc)
	startOpts := []trace.SpanStartOption{trace.WithNewRoot(), trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...)}
	if parent := trace.SpanContextFromContext(ctx); parent.IsValid() {
		startOpts = append(startOpts, trace.WithLinks(trace.Link{SpanContext: parent}))
	}
	ctx, span := c.tracer.Start(ctx, semconv.SpanName(semconv.KindSession, name), startOpts...)
	s := &Session{client: c, span: span, traceID: span.SpanContext().TraceID(), name: name, tags: tags}
	if span.IsRecording() {
		if sc.hasInput && c.cfg.level >= LevelDetailed { // inputs are recorded from detailed up
			span.SetAttributes(attribute.String(sessionInfo.inputKey, encodePayload(sc.input, c.cfg.maxPayload)))
		}
		c.proc.track(s)
	}
	return context.WithValue(ctx, sessionKey{}, s), s
}

// SessionFromContext returns the session ctx carries, or nil.
func SessionFromContext(ctx context.Context) *Session {
	s, _ := ctx.Value(sessionKey{}).(*Session)
	return s
}

// ContextWithSession returns ctx carrying s and its root span, for work that
// starts from a context of its own (a goroutine started with
// context.Background, a queue consumer) but belongs to the session.
func ContextWithSession(ctx context.Context, s *Session) context.Context {
	return context.WithValue(trace.ContextWithSpan(ctx, s.span), sessionKey{}, s)
}

// TraceID returns the session's trace ID (zero for a no-op session).
func (s *Session) TraceID() trace.TraceID { return s.traceID }

// Name returns the session's name.
func (s *Session) Name() string { return s.name }

// Span returns the session's root span, for attributes or events of the
// caller's own. End the session with End or Fail, not through this span.
func (s *Session) Span() trace.Span { return s.span }

// URL returns the dashboard link of the session, or "" for a no-op session
// and when the spans go to no AgentOps backend (WithoutDefaultExporter, or
// only OTEL_EXPORTER_OTLP_* set): a link to a dashboard that never got the
// session would mislead.
// The form, {app}/sessions?trace_id={32 hex}, is AgentOps cloud's, and the
// local dashboard answers it too.
func (s *Session) URL() string {
	if s.client == nil || !s.traceID.IsValid() || !s.client.cfg.hasAgentOpsBackend() {
		return ""
	}
	return s.client.cfg.appURL + "/sessions?trace_id=" + s.traceID.String()
}

// End ends the session with state: agentops.session.end_state is set to it
// and the root's status to OK (Success), ERROR (Failure) or left Unset.
// Calls after the first do nothing.
func (s *Session) End(state EndState) { s.end(state, "", nil) }

// Fail ends the session as Failure with err recorded on the root span (an
// exception event and the status message). A nil err ends it as Success.
func (s *Session) Fail(err error) {
	if err == nil {
		s.end(Success, "", nil)
		return
	}
	s.end(Failure, "", err)
}

// end ends the session once. reason, when set, records why the SDK rather
// than the program ended it.
func (s *Session) end(state EndState, reason string, err error) {
	if !s.ended.CompareAndSwap(false, true) {
		return
	}
	s.state = state
	if s.span.IsRecording() {
		s.span.SetAttributes(attribute.String(semconv.SessionEndState, string(state)))
		if reason != "" {
			s.span.SetAttributes(attribute.String(semconv.SessionEndReason, reason))
		}
		if err != nil {
			recordError(s.span, err)
		}
		switch state {
		case Success:
			s.span.SetStatus(codes.Ok, "")
		case Failure:
			msg := "session ended in " + string(Failure)
			if err != nil {
				msg = err.Error()
			}
			s.span.SetStatus(codes.Error, msg)
		}
	}
	s.span.End()
}

// RunSession runs fn inside a new session and ends it by fn's outcome:
// Success when fn returns nil, Failure with the error otherwise. A panic in
// fn ends the session as Failure and is re-raised.
func RunSession(ctx context.Context, name string, fn func(ctx context.Context) error, opts ...SpanOption) error {
	ctx, s := StartSession(ctx, name, opts...)
	defer func() {
		if r := recover(); r != nil {
			s.Fail(fmt.Errorf("panic: %v", r))
			panic(r)
		}
	}()
	err := fn(ctx)
	s.Fail(err)
	return err
}

// mergeTags returns defaults followed by tags, without repeats.
func mergeTags(defaults, tags []string) []string {
	if len(defaults) == 0 {
		return tags
	}
	out := slices.Clone(defaults)
	for _, t := range tags {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

package agentops

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// StepEventType says whether a StepEvent is a step's start or its end.
type StepEventType string

// The types of StepEvent.
const (
	StepStarted StepEventType = "started"
	StepEnded   StepEventType = "ended"
)

// StepEvent is a span of the program starting or ending, as a Subscription
// delivers it.
type StepEvent struct {
	Type StepEventType `json:"type"`
	Step Step          `json:"step"`
}

// defaultSubscriptionBuffer is room for the events of a busy agent's few
// seconds: enough that a reader that keeps up loses nothing to a burst.
const defaultSubscriptionBuffer = 256

// SubscribeOption configures a Subscription.
type SubscribeOption interface {
	applySubscribe(subscribeConfig) subscribeConfig
}

type subscribeConfig struct {
	session  *Session // the session ForSession named, for its Client
	traceID  trace.TraceID
	filtered bool
	buffer   int
}

type subscribeOptionFunc func(subscribeConfig) subscribeConfig

func (f subscribeOptionFunc) applySubscribe(c subscribeConfig) subscribeConfig { return f(c) }

// ForSession delivers only the events of sess's spans, and ends the
// subscription after its root's end. The package-level Subscribe then
// subscribes to the session's own Client. For a session that has ended or
// is not recorded (nil, a no-op session) the subscription is closed from
// the start.
func ForSession(sess *Session) SubscribeOption {
	return subscribeOptionFunc(func(c subscribeConfig) subscribeConfig {
		c.session, c.traceID, c.filtered = sess, trace.TraceID{}, true
		if sess != nil {
			c.traceID = sess.traceID
		}
		return c
	})
}

// ForTrace delivers only the events of the spans of trace id (a session's
// trace, or one that came in from another service), and ends the
// subscription after the end of its root span, if the root is in this
// process.
func ForTrace(id trace.TraceID) SubscribeOption {
	return subscribeOptionFunc(func(c subscribeConfig) subscribeConfig {
		c.session, c.traceID, c.filtered = nil, id, true
		return c
	})
}

// WithBuffer sets how many events wait for the reader before new ones are
// dropped; the default is 256, and n below 1 means the default.
func WithBuffer(n int) SubscribeOption {
	return subscribeOptionFunc(func(c subscribeConfig) subscribeConfig { c.buffer = n; return c })
}

// Subscription delivers the program's own spans as they start and end, to
// stream an agent's steps to where the program wants them (its API's
// clients, a log) while it runs. Events are sent on the goroutine that
// starts or ends the span without ever waiting: when the reader falls
// behind and the buffer is full, events are dropped and counted. Events of
// one goroutine arrive in the order they happened.
//
// A subscription lasts until Close, until Client.Shutdown, or, when it is
// for one session or trace, until the end of its root; Events' channel is
// closed then. Its methods are safe for concurrent use.
type Subscription struct {
	traceID  trace.TraceID
	filtered bool
	hub      *stepHub // nil for one closed before it reached a hub

	// mu orders sends against Close, so that no send hits a closed
	// channel: senders share it, Close takes it alone.
	mu      sync.RWMutex
	closed  bool
	events  chan StepEvent
	dropped atomic.Uint64
}

// Subscribe subscribes to the spans of the default Client, or, with
// ForSession, of the session's Client. Without a Client the subscription
// is closed from the start. Events cover the spans that start or end from
// now on.
func Subscribe(opts ...SubscribeOption) *Subscription {
	cfg := applySubscribeOptions(opts)
	c := Default()
	if cfg.session != nil && cfg.session.client != nil {
		c = cfg.session.client
	}
	return c.subscribe(cfg)
}

// Subscribe subscribes to the spans of this Client's TracerProvider: see
// the package-level Subscribe.
func (c *Client) Subscribe(opts ...SubscribeOption) *Subscription {
	return c.subscribe(applySubscribeOptions(opts))
}

func applySubscribeOptions(opts []SubscribeOption) subscribeConfig {
	cfg := subscribeConfig{buffer: defaultSubscriptionBuffer}
	for _, o := range opts {
		cfg = o.applySubscribe(cfg)
	}
	if cfg.buffer < 1 {
		cfg.buffer = defaultSubscriptionBuffer
	}
	return cfg
}

func (c *Client) subscribe(cfg subscribeConfig) *Subscription {
	s := &Subscription{traceID: cfg.traceID, filtered: cfg.filtered, events: make(chan StepEvent, cfg.buffer)}
	// A session that has ended, or is not recorded, sends nothing more.
	over := cfg.filtered && (!cfg.traceID.IsValid() || cfg.session != nil && !cfg.session.span.IsRecording())
	if c == nil || c.pipe == nil || over {
		s.Close()
		return s
	}
	// The hub is set first: the subscription may close itself as soon as
	// it is added.
	s.hub = c.pipe.steps
	if !s.hub.add(s) {
		s.Close()
	}
	return s
}

// Events returns the channel the events arrive on.
func (s *Subscription) Events() <-chan StepEvent { return s.events }

// Dropped returns how many events were dropped because the buffer was full.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// Close ends the subscription and closes Events' channel; events still in
// it can be read. Calls after the first do nothing.
func (s *Subscription) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.events)
	s.mu.Unlock()
	s.hub.remove(s)
}

func (s *Subscription) wants(id trace.TraceID) bool { return !s.filtered || id == s.traceID }

func (s *Subscription) receive(ev StepEvent) {
	s.mu.RLock()
	if !s.closed {
		select {
		case s.events <- ev:
		default:
			s.dropped.Add(1)
		}
	}
	s.mu.RUnlock()
	if s.filtered && ev.Type == StepEnded && ev.Step.ParentID == "" {
		s.Close()
	}
}

// stepSink is what the hub delivers to: a Subscription or a Recorder.
type stepSink interface {
	// wants reports whether the sink takes the events of trace id.
	wants(id trace.TraceID) bool
	// receive takes an event on the goroutine that starts or ends the
	// span, so it must never wait.
	receive(ev StepEvent)
	// Close stops the sink for good, and removes it from the hub.
	Close()
}

// stepHub is the span processor behind Subscribe and RecordSteps, run
// first in the Client's pipeline. With no sink, which is the usual case, a
// span costs it one atomic load at its start and one at its end; a span
// is read into a Step only when a sink wants its trace.
//
// It is safe for concurrent use.
type stepHub struct {
	sinks atomic.Pointer[[]stepSink] // nil when there are none

	mu     sync.Mutex // serialises the changes to sinks
	closed bool
}

var _ sdktrace.SpanProcessor = (*stepHub)(nil)

// add adds a sink, unless the hub has shut down.
func (h *stepHub) add(s stepSink) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	var sinks []stepSink
	if cur := h.sinks.Load(); cur != nil {
		sinks = slices.Clone(*cur)
	}
	sinks = append(sinks, s)
	h.sinks.Store(&sinks)
	return true
}

// remove removes a sink; events already on their way to it may still
// arrive. A nil hub has nothing to remove.
func (h *stepHub) remove(s stepSink) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	cur := h.sinks.Load()
	if cur == nil {
		return
	}
	sinks := slices.DeleteFunc(slices.Clone(*cur), func(x stepSink) bool { return x == s })
	if len(sinks) == 0 {
		h.sinks.Store(nil)
		return
	}
	h.sinks.Store(&sinks)
}

// OnStart implements sdktrace.SpanProcessor.
func (h *stepHub) OnStart(_ context.Context, s sdktrace.ReadWriteSpan) { h.publish(StepStarted, s) }

// OnEnd implements sdktrace.SpanProcessor.
func (h *stepHub) OnEnd(s sdktrace.ReadOnlySpan) { h.publish(StepEnded, s) }

func (h *stepHub) publish(typ StepEventType, s sdktrace.ReadOnlySpan) {
	sinks := h.sinks.Load()
	if sinks == nil {
		return
	}
	id := s.SpanContext().TraceID()
	var ev StepEvent
	read := false // the span is read once, for the first sink that wants it
	for _, sink := range *sinks {
		if !sink.wants(id) {
			continue
		}
		if !read {
			ev, read = StepEvent{Type: typ, Step: stepFromSpan(s)}, true
		}
		sink.receive(ev)
	}
}

// ForceFlush implements sdktrace.SpanProcessor; events are delivered as
// they happen, so there is nothing to flush.
func (h *stepHub) ForceFlush(context.Context) error { return nil }

// Shutdown implements sdktrace.SpanProcessor: it detaches every sink
// (closing the subscriptions' channels) and refuses new ones.
func (h *stepHub) Shutdown(context.Context) error {
	h.mu.Lock()
	h.closed = true
	cur := h.sinks.Swap(nil)
	h.mu.Unlock()
	if cur != nil {
		for _, s := range *cur {
			s.Close()
		}
	}
	return nil
}

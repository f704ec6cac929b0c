package agentops

import (
	"cmp"
	"context"
	"errors"
	"math"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/agentops-go/agentops/internal/semconv"
)

// A Bridge turns the start and end callbacks of an agent framework into
// agentops sessions and spans, for frameworks that report their progress
// through callbacks rather than through the user's code: a session, an
// agent or a step, an LLM call, a tool call, a message, an error.
//
// Each start names its run with a key, and the matching end gives the same
// key: the framework's run id, or any comparable value that is the same at
// both ends (a pointer the framework passes to both, say). Starts and ends
// may interleave freely across goroutines; a key may be reused while its
// run is open (a recursive chain), and the ends then match the starts last
// in, first out.
//
// A run nests under its Parent run when the framework names one, else
// under the span in the context given to Start. The context Start returns
// carries the new span: when the framework passes it on to the work the
// run covers, LLM calls made there (through instrument/openai, say) nest
// under the run too.
//
//	b := agentops.NewBridge()
//	ctx = b.Start(ctx, agentops.BridgeStart{Key: runID, Parent: parentID, Kind: agentops.KindAgent, Name: "planner"})
//	...
//	b.End(runID, agentops.BridgeEnd{Output: answer})
//
// A Bridge is safe for concurrent use. Close it when the framework is done,
// so that a run the framework never ended is ended, as failed, rather than
// left open.
type Bridge struct {
	mu   sync.Mutex
	runs map[any][]*bridgeRun // by key; the last is the innermost open run
	open int
	seq  uint64 // start order, for Close

	unmatched atomic.Uint64
}

// NewBridge returns an empty Bridge.
func NewBridge() *Bridge { return &Bridge{runs: map[any][]*bridgeRun{}} }

// BridgeStart describes a run that starts.
type BridgeStart struct {
	// Key names the run until BridgeEnd. It must be comparable (a string,
	// a number, a pointer, a struct of those) and not nil: with any other
	// key nothing is recorded.
	Key any
	// Parent, when not nil and open, is the key of the run this one nests
	// under; otherwise the run nests under the span in Start's context.
	Parent any
	// Kind is the span's kind: KindAgent, KindTask (a step or a chain),
	// KindTool, KindLLM, KindRetrieval, KindWorkflow, ...
	Kind Kind
	// Name is the agent's, step's or tool's name; for an LLM call, the
	// model when LLM gives none.
	Name string
	// Input is the run's input (recorded as WithInput records it).
	Input any
	// Tool, for a KindTool run, is the call the model asked for (id, name,
	// arguments), recorded as RunTool records it; without it, Name and
	// Input (as text) make the call.
	Tool *ToolCall
	// LLM, for a KindLLM run, is the request: model, messages, settings.
	LLM *LLMRequest
	// Options are added to the span's own (tags, attributes, ...); a
	// KindTool run takes only their attributes, a KindLLM run none (LLM
	// carries everything).
	Options []SpanOption
}

// BridgeEnd describes how a run ended.
type BridgeEnd struct {
	// Output is the run's result (recorded as SetOutput records it); for a
	// tool, the result text the model gets. Nil records no result.
	Output any
	// LLM, for a KindLLM run, is the response: model, choices, usage.
	LLM *LLMResponse
	// Err, when not nil, marks the run failed (a session ends Failure).
	Err error
}

// bridgeRun is one open run: exactly one of session, span, tool and llm
// is set.
type bridgeRun struct {
	seq     uint64
	ctx     context.Context // carries the run's span
	session *Session
	span    *Span
	tool    *toolSpan
	llm     *LLMSpan
}

// StartSession starts a session (see StartSession) as the run key; End
// with the same key ends it, Success or Failure by BridgeEnd.Err.
func (b *Bridge) StartSession(ctx context.Context, key any, name string, opts ...SpanOption) context.Context {
	if !usableKey(key) {
		return ctx
	}
	ctx, s := StartSession(ctx, name, opts...)
	b.push(key, &bridgeRun{ctx: ctx, session: s})
	return ctx
}

// Start starts a run and returns a context that carries its span.
func (b *Bridge) Start(ctx context.Context, s BridgeStart) context.Context {
	if !usableKey(s.Key) {
		return ctx
	}
	ctx = b.parentContext(ctx, s.Parent)
	run := &bridgeRun{}
	switch s.Kind {
	case KindLLM:
		req := LLMRequest{}
		if s.LLM != nil {
			req = *s.LLM
		}
		if req.Model == "" {
			req.Model = s.Name
		}
		run.ctx, run.llm = StartLLM(ctx, req)
	case KindTool:
		call := ToolCall{Name: s.Name}
		if s.Tool != nil {
			call = *s.Tool
		}
		if call.Name == "" {
			call.Name = s.Name
		}
		if call.Arguments == "" && s.Input != nil {
			call.Arguments = payloadText(s.Input)
		}
		var t toolSpan
		run.ctx, t = startTool(ctx, call)
		run.tool = &t
		if len(s.Options) > 0 {
			t.span.SetAttributes(applySpanOptions(s.Options).attrs...)
		}
	default:
		opts := s.Options
		if s.Input != nil {
			opts = append(opts, WithInput(s.Input))
		}
		run.ctx, run.span = StartSpan(ctx, s.Kind, s.Name, opts...)
	}
	b.push(s.Key, run)
	return run.ctx
}

// parentContext is ctx with the span (and session) of the open run parent,
// if there is one; ctx keeps its own deadline and values either way.
func (b *Bridge) parentContext(ctx context.Context, parent any) context.Context {
	if parent == nil {
		return ctx
	}
	pctx, ok := b.Context(parent)
	if !ok {
		return ctx
	}
	if s := SessionFromContext(pctx); s != nil {
		ctx = ContextWithSession(ctx, s)
	}
	return trace.ContextWithSpan(ctx, trace.SpanFromContext(pctx))
}

// End ends the innermost open run started with key. It returns false, and
// counts it (see Unmatched), when no run with that key is open: a
// framework's end without its start must not fail the program.
func (b *Bridge) End(key any, e BridgeEnd) bool {
	if !usableKey(key) {
		b.unmatched.Add(1)
		return false
	}
	run := b.pop(key)
	if run == nil {
		b.unmatched.Add(1)
		return false
	}
	run.end(e)
	return true
}

func (r *bridgeRun) end(e BridgeEnd) {
	switch {
	case r.session != nil:
		if e.Err != nil {
			r.session.Fail(e.Err)
		} else {
			r.session.End(Success)
		}
	case r.tool != nil && e.Output == nil:
		r.tool.span.End(e.Err) // a tool that reported no result has none to record
	case r.tool != nil:
		r.tool.end(payloadText(e.Output), e.Err)
	case r.llm != nil:
		resp := LLMResponse{}
		if e.LLM != nil {
			resp = *e.LLM
		}
		r.llm.End(resp, e.Err)
	default:
		if e.Output != nil && e.Err == nil {
			r.span.SetOutput(e.Output)
		}
		r.span.End(e.Err)
	}
}

// payloadText is a tool's arguments or result as text: a string as it
// is, anything else as WithInput would record it (JSON, mostly); the
// recording caps it.
func payloadText(v any) string { return encodePayload(v, math.MaxInt) }

// Message records a message of the run keyed key (a step's input or an
// agent's reply, as the framework reports it) as a span event with its
// role and, when content is captured, its text. It reports whether such a
// run is open.
func (b *Bridge) Message(key any, role, content string) bool {
	ctx, ok := b.Context(key)
	if !ok {
		return false
	}
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return true
	}
	attrs := []attribute.KeyValue{attribute.String(semconv.BridgeMessageRole, role)}
	if c := clientFor(ctx); c != nil && c.cfg.captureContent {
		attrs = append(attrs, attribute.String(semconv.BridgeMessageContent, c.content().text(content)))
	}
	span.AddEvent(semconv.BridgeMessageEvent, trace.WithAttributes(attrs...))
	return true
}

// SetInput records v as the input of the innermost open run keyed key, as
// WithInput would have at its start: for a framework that knows a run's
// input only after the run started (a streamed input). It reports whether
// it did: not for a run that is not open, nor for a session or an LLM run
// (whose input is its request).
func (b *Bridge) SetInput(key any, v any) bool {
	if !usableKey(key) {
		return false
	}
	b.mu.Lock()
	var run *bridgeRun
	if stack := b.runs[key]; len(stack) > 0 {
		run = stack[len(stack)-1]
	}
	b.mu.Unlock()
	switch {
	case run == nil:
		return false
	case run.tool != nil:
		run.tool.setArguments(payloadText(v))
	case run.span != nil:
		run.span.SetInput(v)
	default:
		return false
	}
	return true
}

// Context returns the context of the innermost open run keyed key, which
// carries its span: for work the framework does for that run without
// passing it the context Start returned.
func (b *Bridge) Context(key any) (context.Context, bool) {
	if !usableKey(key) {
		return nil, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	stack := b.runs[key]
	if len(stack) == 0 {
		return nil, false
	}
	return stack[len(stack)-1].ctx, true
}

// Open is how many runs have started and not ended.
func (b *Bridge) Open() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.open
}

// Unmatched is how many ends named no open run.
func (b *Bridge) Unmatched() uint64 { return b.unmatched.Load() }

// ErrRunNotEnded is the error of the runs Close ends.
var ErrRunNotEnded = errors.New("agentops: the framework never reported the end of this run")

// Close ends every open run, the last started first (children before
// their parents, a session last), as failed with ErrRunNotEnded, so that
// no span is left open when the framework stopped reporting (a panic, a
// cancelled stream that was never drained).
func (b *Bridge) Close() {
	b.mu.Lock()
	var open []*bridgeRun
	for _, stack := range b.runs {
		open = append(open, stack...)
	}
	clear(b.runs)
	b.open = 0
	b.mu.Unlock()
	slices.SortFunc(open, func(x, y *bridgeRun) int { return cmp.Compare(y.seq, x.seq) })
	for _, run := range open {
		run.end(BridgeEnd{Err: ErrRunNotEnded})
	}
}

// usableKey reports whether key can name a run: not nil (every nil-keyed
// run would share one stack), and usable as a map key without a panic.
func usableKey(key any) bool {
	return key != nil && reflect.TypeOf(key).Comparable()
}

func (b *Bridge) push(key any, run *bridgeRun) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seq++
	run.seq = b.seq
	b.runs[key] = append(b.runs[key], run)
	b.open++
}

func (b *Bridge) pop(key any) *bridgeRun {
	b.mu.Lock()
	defer b.mu.Unlock()
	stack := b.runs[key]
	if len(stack) == 0 {
		return nil
	}
	run := stack[len(stack)-1]
	if len(stack) == 1 {
		delete(b.runs, key)
	} else {
		stack[len(stack)-1] = nil
		b.runs[key] = stack[:len(stack)-1]
	}
	b.open--
	return run
}

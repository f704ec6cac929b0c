package agentopseino

import (
	"context"

	"github.com/cloudwego/eino/callbacks"
	"github.com/cloudwego/eino/schema"
	"go.opentelemetry.io/otel/trace"

	"github.com/agentops-go/agentops"
)

// Handler is an eino callbacks.Handler that records each run eino reports
// as an agentops span (see the package documentation for the mapping).
// Create it with New. It is safe for concurrent use.
type Handler struct {
	cfg     config
	bridge  *agentops.Bridge
	readers readers
}

// The compiler checks that a *Handler is what eino calls.
var _ callbacks.Handler = (*Handler)(nil)

// New returns a Handler configured by opts.
func New(opts ...Option) *Handler {
	var cfg config
	for _, o := range opts {
		cfg = o.apply(cfg)
	}
	return &Handler{cfg: cfg, bridge: agentops.NewBridge()}
}

// OnStart starts the span of a run and returns a context that carries it,
// which eino gives the component and, at the end, OnEnd or OnError.
func (h *Handler) OnStart(ctx context.Context, info *callbacks.RunInfo, input callbacks.CallbackInput) context.Context {
	ctx, _ = h.start(ctx, info, input)
	return ctx
}

// OnEnd ends the span of the run with its output.
func (h *Handler) OnEnd(ctx context.Context, info *callbacks.RunInfo, output callbacks.CallbackOutput) context.Context {
	if r := runOf(ctx, info); r != nil {
		h.end(r, r.outcome(output))
	}
	return ctx
}

// OnError ends the span of the run as failed with err.
func (h *Handler) OnError(ctx context.Context, info *callbacks.RunInfo, err error) context.Context {
	if r := runOf(ctx, info); r != nil {
		h.end(r, agentops.BridgeEnd{Err: err})
	}
	return ctx
}

// OnStartWithStreamInput starts the span of a run whose input is a stream,
// as OnStart does. Its copy of the input stream is read on another
// goroutine and closed; once the input has been assembled it is recorded as
// the span's input (for a chat model, as a message with the role "input").
func (h *Handler) OnStartWithStreamInput(ctx context.Context, info *callbacks.RunInfo, input *schema.StreamReader[callbacks.CallbackInput]) context.Context {
	ctx, r := h.start(ctx, info, nil)
	if r == nil || !instrumented(ctx) {
		input.Close()
		return ctx
	}
	h.readers.add()
	go func() {
		defer h.readers.done()
		chunks, _ := drain(input, nil)
		in := text(assemble(chunks))
		if !h.bridge.SetInput(r, in) { // a chat model's input is its request
			h.bridge.Message(r, "input", in)
		}
	}()
	return ctx
}

// OnEndWithStreamOutput reads the run's copy of its output stream on
// another goroutine, closes it, and ends the run's span when the stream
// ends: with the chunks assembled into one output, or with the stream's
// error.
func (h *Handler) OnEndWithStreamOutput(ctx context.Context, info *callbacks.RunInfo, output *schema.StreamReader[callbacks.CallbackOutput]) context.Context {
	r := runOf(ctx, info)
	switch {
	case r == nil:
		output.Close()
	case !instrumented(ctx):
		output.Close()
		h.end(r, agentops.BridgeEnd{})
	default:
		h.readOutput(ctx, r, output)
	}
	return ctx
}

// readOutput reads the output stream of r on a goroutine of its own, and
// ends r when the stream ends.
func (h *Handler) readOutput(ctx context.Context, r *run, output *schema.StreamReader[callbacks.CallbackOutput]) {
	onChunk := func() {}
	if r.kind == agentops.KindLLM {
		if llm := agentops.LLMSpanFromContext(ctx); llm != nil {
			onChunk = llm.ChunkReceived // the time to first chunk and per chunk
		}
	}
	h.readers.add()
	go func() {
		defer h.readers.done()
		chunks, err := drain(output, onChunk)
		end := r.outcome(assemble(chunks)) // what came before an error too
		end.Err = err
		h.end(r, end)
	}()
}

// instrumented reports whether ctx, the context a run's start returned,
// carries a span with an identity. It has none when agentops records
// nothing (not initialised, or disabled): reading a stream is then not
// worth a goroutine. A span that is sampled out has one, and its stream is
// read, for the metrics of an LLM call, which are recorded regardless.
func instrumented(ctx context.Context) bool {
	return trace.SpanContextFromContext(ctx).IsValid()
}

// Close waits until every stream the handler is reading has ended, or ctx
// is done, and then ends every span still open as failed with
// agentops.ErrRunNotEnded: a run whose end eino never reported (a panic) or
// whose stream has not ended. It returns ctx's error when it stopped
// waiting early; a stream still being read then ends nothing more when it
// ends. Call Close when the graphs are done, before the agentops Client's
// Shutdown; runs started after Close are recorded as before.
func (h *Handler) Close(ctx context.Context) error {
	err := h.readers.wait(ctx)
	h.bridge.Close()
	return err
}

// start starts the run eino reports (unless eino names none) and returns
// the context the component runs with.
func (h *Handler) start(ctx context.Context, info *callbacks.RunInfo, input callbacks.CallbackInput) (context.Context, *run) {
	r := newRun(info)
	if r == nil {
		return ctx, nil
	}
	// Only an outermost run starts a session: not one in a session the
	// program started, nor one inside another run (checked apart, for
	// with agentops off no context carries a session).
	if h.cfg.session && parentRun(ctx) == nil && agentops.SessionFromContext(ctx) == nil {
		name := h.cfg.sessionName
		if name == "" {
			name = r.name
		}
		ctx = h.bridge.StartSession(ctx, sessionKey{r}, name, h.cfg.sessionOpts...)
		r.session = true
	}
	ctx = h.bridge.Start(ctx, r.describe(ctx, input))
	return withRun(ctx, r), r
}

// end ends r's span, then the session r started, if any.
func (h *Handler) end(r *run, e agentops.BridgeEnd) {
	h.bridge.End(r, e)
	if r.session {
		h.bridge.End(sessionKey{r}, agentops.BridgeEnd{Err: e.Err})
	}
}

package openai

import (
	"context"
	"errors"
	"io"
	"sync"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/agentops-go/agentops"
)

// streamState ends the LLM span of one streamed answer exactly once,
// whichever comes first: the end of the stream, an error, Close, the
// request context's end, or the stream being dropped. Chunks arrive on the
// reader's goroutine; the context's end and Close may come from any other,
// hence the lock. It holds nothing that refers back to the stream wrapper,
// so a cleanup attached to that wrapper can run when the wrapper is
// dropped.
type streamState struct {
	span *agentops.LLMSpan
	ctx  context.Context
	body io.Closer // the stream underneath, closed if the wrapper is dropped

	ending
	asm assembler
}

func newStreamState(ctx context.Context, span *agentops.LLMSpan, body io.Closer, v agentops.Verbosity) *streamState {
	st := &streamState{span: span, ctx: ctx, body: body}
	st.asm.content = recorded(span, v).Content
	st.watch(ctx, st.canceled)
	return st
}

func (st *streamState) chat(c *goopenai.ChatCompletionStreamResponse) {
	st.span.ChunkReceived()
	st.mu.Lock()
	if !st.done {
		st.asm.chat(c)
	}
	st.mu.Unlock()
}

func (st *streamState) completion(c *goopenai.CompletionResponse) {
	st.span.ChunkReceived()
	st.mu.Lock()
	if !st.done {
		st.asm.completion(c)
	}
	st.mu.Unlock()
}

// recvError ends the span on what Recv returned: io.EOF is the stream's
// normal end; after the context's end, the error is that.
func (st *streamState) recvError(err error) {
	switch {
	case errors.Is(err, io.EOF):
		st.end(nil, "")
	case st.ctx.Err() != nil:
		st.end(st.ctx.Err(), "")
	default:
		st.end(err, errorType(err))
	}
}

func (st *streamState) canceled() { st.end(st.ctx.Err(), "") }

// abandon is the cleanup of a stream dropped without Close: the answer so
// far is recorded, as Close would, and the connection released.
func (st *streamState) abandon() {
	st.end(nil, "")
	if st.body != nil {
		_ = st.body.Close()
	}
}

// end ends the span once; later calls do nothing.
func (st *streamState) end(err error, errType string) {
	var resp agentops.LLMResponse
	if !st.finish(func() {
		resp = st.asm.response()
		st.asm = assembler{} // the texts now live in resp only
	}) {
		return
	}
	resp.ErrorType = errType
	st.span.End(resp, err)
}

// ending is the end-exactly-once state both kinds of stream share: the
// lock their state is guarded by, whether the span has ended, and the
// context.AfterFunc that ends it when the request's context does.
type ending struct {
	mu   sync.Mutex
	done bool
	stop func() bool // unregisters the context.AfterFunc
}

// watch calls onCancel when ctx ends. A context already done runs onCancel
// at once, on another goroutine: stop is published under the lock for
// finish to find.
func (e *ending) watch(ctx context.Context, onCancel func()) {
	stop := context.AfterFunc(ctx, onCancel)
	e.mu.Lock()
	done := e.done
	if !done {
		e.stop = stop
	}
	e.mu.Unlock()
	if done {
		stop()
	}
}

// finish runs last under the lock, the first time only, then unregisters
// the context watch; it reports whether it ran.
func (e *ending) finish(last func()) bool {
	e.mu.Lock()
	if e.done {
		e.mu.Unlock()
		return false
	}
	e.done = true
	last()
	stop := e.stop
	e.mu.Unlock()
	if stop != nil {
		stop()
	}
	return true
}

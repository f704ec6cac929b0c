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

	mu   sync.Mutex
	asm  assembler
	done bool
	stop func() bool // unregisters the context.AfterFunc
}

func newStreamState(ctx context.Context, span *agentops.LLMSpan, body io.Closer) *streamState {
	st := &streamState{span: span, ctx: ctx, body: body}
	st.asm.content = span.Recording()
	// A done context runs canceled at once, on another goroutine: stop is
	// published under the lock for end to find.
	stop := context.AfterFunc(ctx, st.canceled)
	st.mu.Lock()
	done := st.done
	if !done {
		st.stop = stop
	}
	st.mu.Unlock()
	if done {
		stop()
	}
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
	st.mu.Lock()
	if st.done {
		st.mu.Unlock()
		return
	}
	st.done = true
	resp := st.asm.response()
	st.asm = assembler{} // the texts now live in resp only
	stop := st.stop
	st.mu.Unlock()
	if stop != nil {
		stop()
	}
	resp.ErrorType = errType
	st.span.End(resp, err)
}

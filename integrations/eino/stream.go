package agentopseino

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"

	"github.com/cloudwego/eino/components/model"
	"github.com/cloudwego/eino/schema"
)

// drain reads sr to its end and closes it, calling onChunk, when not nil,
// for each chunk. It returns the chunks and the stream's error, if it
// ended with one rather than io.EOF.
//
// eino hands a callback handler a copy of the stream: the source is closed
// only once every copy is, so the copy must be closed even when it is not
// read to the end, and only by the goroutine that reads it (a copy's Recv
// and Close are not safe to call concurrently).
func drain[T any](sr *schema.StreamReader[T], onChunk func()) ([]T, error) {
	defer sr.Close()
	var chunks []T
	for {
		c, err := sr.Recv()
		if errors.Is(err, io.EOF) {
			return chunks, nil
		}
		if err != nil {
			return chunks, err
		}
		if onChunk != nil {
			onChunk()
		}
		chunks = append(chunks, c)
	}
}

// assemble joins a stream's chunks into the one value the run would have
// given without streaming, as eino itself joins them: a chat model's
// messages (with the token usage of the last chunk that has one), the
// tools node's lists of messages, tool results and strings. Chunks of other
// types are kept as a list.
func assemble[T any](chunks []T) any {
	switch len(chunks) {
	case 0:
		return nil
	case 1:
		return chunks[0]
	}
	if v, ok := concat(chunks, schema.ConcatMessages); ok {
		return v
	}
	if v, ok := concat(chunks, concatModelOutputs); ok {
		return v
	}
	if v, ok := concat(chunks, schema.ConcatMessageArray); ok {
		return v
	}
	if v, ok := concat(chunks, schema.ConcatToolResults); ok {
		return v
	}
	if v, ok := concat(chunks, joinStrings); ok {
		return v
	}
	return chunks
}

// concat joins chunks with join if every chunk is a C and join succeeds.
func concat[C, T any](chunks []T, join func([]C) (C, error)) (any, bool) {
	cs := make([]C, len(chunks))
	for i, c := range chunks {
		v, ok := any(c).(C)
		if !ok {
			return nil, false
		}
		cs[i] = v
	}
	v, err := join(cs)
	return v, err == nil
}

func joinStrings(ss []string) (string, error) { return strings.Join(ss, ""), nil }

// concatModelOutputs joins the chunks a chat model that reports its own
// callbacks streams: its messages, and the usage and config that the last
// chunks carry (eino-ext's OpenAI model sends the usage alone, last).
func concatModelOutputs(outs []*model.CallbackOutput) (*model.CallbackOutput, error) {
	joined := &model.CallbackOutput{}
	var msgs []*schema.Message
	for _, o := range outs {
		if o == nil {
			continue
		}
		if o.Message != nil {
			msgs = append(msgs, o.Message)
		}
		if o.TokenUsage != nil {
			joined.TokenUsage = o.TokenUsage
		}
		if o.Config != nil {
			joined.Config = o.Config
		}
	}
	// Messages that do not join (the roles differ) leave the usage worth
	// recording.
	if m, err := schema.ConcatMessages(msgs); err == nil {
		joined.Message = m
	}
	return joined, nil
}

// readers counts the goroutines reading streams, so that Close can wait
// for them. (A sync.WaitGroup would not do: a stream may start while
// Close waits.)
type readers struct {
	mu      sync.Mutex
	n       int
	waiters []chan struct{} // closed when n drops to 0
}

func (r *readers) add() {
	r.mu.Lock()
	r.n++
	r.mu.Unlock()
}

func (r *readers) done() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n--
	if r.n > 0 {
		return
	}
	for _, w := range r.waiters {
		close(w)
	}
	r.waiters = nil
}

// wait waits until no stream is being read, or ctx is done.
func (r *readers) wait(ctx context.Context) error {
	r.mu.Lock()
	if r.n == 0 {
		r.mu.Unlock()
		return nil
	}
	w := make(chan struct{})
	r.waiters = append(r.waiters, w)
	r.mu.Unlock()
	select {
	case <-w:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

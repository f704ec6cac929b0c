package openai

import (
	"encoding/json"
	"net/http"
	"runtime"

	goopenai "github.com/sashabaranov/go-openai"
)

// ChatCompletionStream is a streamed chat completion whose LLM span ends
// exactly once: when Recv reaches the end of the stream (io.EOF) or fails,
// on Close, when the request's context ends, or, for a stream dropped
// without Close, when the garbage collector finds it unreachable. Until
// then it assembles the answer from the chunks, each choice separately and
// each tool call by its index, for the span.
//
// Like go-openai's stream, Recv and RecvRaw are for one goroutine at a
// time; Close and the context's end may come from any goroutine.
type ChatCompletionStream struct {
	inner *goopenai.ChatCompletionStream
	st    *streamState // nil when the call is not recorded
}

func newChatStream(inner *goopenai.ChatCompletionStream, st *streamState) *ChatCompletionStream {
	s := &ChatCompletionStream{inner: inner, st: st}
	if st != nil {
		runtime.AddCleanup(s, (*streamState).abandon, st)
	}
	return s
}

// Recv returns the next chunk, or io.EOF at the end of the stream, as
// go-openai's Recv does.
func (s *ChatCompletionStream) Recv() (goopenai.ChatCompletionStreamResponse, error) {
	resp, err := s.inner.Recv()
	if s.st != nil {
		if err != nil {
			s.st.recvError(err)
		} else {
			s.st.chat(&resp)
		}
	}
	return resp, err
}

// RecvRaw returns the next chunk's JSON, or io.EOF at the end of the
// stream, as go-openai's RecvRaw does. The chunk is still recorded.
func (s *ChatCompletionStream) RecvRaw() ([]byte, error) {
	raw, err := s.inner.RecvRaw()
	if s.st != nil {
		if err != nil {
			s.st.recvError(err)
		} else {
			var c goopenai.ChatCompletionStreamResponse
			if json.Unmarshal(raw, &c) == nil {
				s.st.chat(&c)
			}
		}
	}
	return raw, err
}

// Close closes the stream. Before its end, the span ends with what was
// received so far, and without an error: stopping early is the caller's
// choice, not a failure of the call.
func (s *ChatCompletionStream) Close() error {
	if s.st != nil {
		s.st.end(nil, "")
	}
	return s.inner.Close()
}

// Header returns the response's HTTP header.
func (s *ChatCompletionStream) Header() http.Header { return s.inner.Header() }

// GetRateLimitHeaders returns the rate limit headers of the response.
func (s *ChatCompletionStream) GetRateLimitHeaders() goopenai.RateLimitHeaders {
	return s.inner.GetRateLimitHeaders()
}

// CompletionStream is a streamed text completion; its span ends as
// ChatCompletionStream's does. Recv and RecvRaw are for one goroutine at a
// time; Close and the context's end may come from any goroutine.
type CompletionStream struct {
	inner *goopenai.CompletionStream
	st    *streamState
}

func newCompletionStream(inner *goopenai.CompletionStream, st *streamState) *CompletionStream {
	s := &CompletionStream{inner: inner, st: st}
	if st != nil {
		runtime.AddCleanup(s, (*streamState).abandon, st)
	}
	return s
}

// Recv returns the next chunk, or io.EOF at the end of the stream.
func (s *CompletionStream) Recv() (goopenai.CompletionResponse, error) {
	resp, err := s.inner.Recv()
	if s.st != nil {
		if err != nil {
			s.st.recvError(err)
		} else {
			s.st.completion(&resp)
		}
	}
	return resp, err
}

// RecvRaw returns the next chunk's JSON, or io.EOF at the end of the
// stream. The chunk is still recorded.
func (s *CompletionStream) RecvRaw() ([]byte, error) {
	raw, err := s.inner.RecvRaw()
	if s.st != nil {
		if err != nil {
			s.st.recvError(err)
		} else {
			var c goopenai.CompletionResponse
			if json.Unmarshal(raw, &c) == nil {
				s.st.completion(&c)
			}
		}
	}
	return raw, err
}

// Close closes the stream; before its end, the span ends with what was
// received so far, without an error.
func (s *CompletionStream) Close() error {
	if s.st != nil {
		s.st.end(nil, "")
	}
	return s.inner.Close()
}

// Header returns the response's HTTP header.
func (s *CompletionStream) Header() http.Header { return s.inner.Header() }

// GetRateLimitHeaders returns the rate limit headers of the response.
func (s *CompletionStream) GetRateLimitHeaders() goopenai.RateLimitHeaders {
	return s.inner.GetRateLimitHeaders()
}

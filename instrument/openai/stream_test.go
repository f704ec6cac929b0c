package openai

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	goopenai "github.com/sashabaranov/go-openai"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
)

// drain reads a stream to its end and returns its chunks.
func drain(t *testing.T, s chatStream) []goopenai.ChatCompletionStreamResponse {
	t.Helper()
	var out []goopenai.ChatCompletionStreamResponse
	for {
		c, err := s.Recv()
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(t, err)
		out = append(out, c)
	}
}

func streamRequest(includeUsage bool) goopenai.ChatCompletionRequest {
	r := goopenai.ChatCompletionRequest{
		Model:    "gpt-4o-mini",
		Messages: []goopenai.ChatCompletionMessage{{Role: "user", Content: "Weather and time in Paris?"}},
		Tools:    weatherTools,
	}
	if includeUsage {
		r.StreamOptions = &goopenai.StreamOptions{IncludeUsage: true}
	}
	return r
}

func TestChatStream(t *testing.T) {
	chunks := chatStreamChunks(true)
	forEachAPI(t, func() http.HandlerFunc { return replyStream(chunks, true) }, func(t *testing.T, h *harness, srv *fakeOpenAI, a api) {
		ctx, sess := h.session()
		s, err := a.chatStream(ctx, streamRequest(true))
		require.NoError(t, err)
		got := drain(t, s)
		assert.Len(t, got, len(chunks))
		span := h.llmSpan() // ended at io.EOF, before Close
		require.NoError(t, s.Close())

		checkSpan(t, span, sess, "chat gpt-4o-mini", codes.Unset)
		want(t, span, map[string]any{
			"gen_ai.request.stream":                      true,
			"gen_ai.request.streaming":                   true,
			"gen_ai.response.id":                         streamID,
			"gen_ai.response.model":                      "gpt-4o-mini-2024-07-18",
			"gen_ai.response.finish_reasons":             []string{"tool_calls"},
			"gen_ai.completion.0.role":                   "assistant",
			"gen_ai.completion.0.content":                streamContent,
			"gen_ai.completion.0.finish_reason":          "tool_calls",
			"gen_ai.completion.0.tool_calls.0.id":        "call_Dn2RJJSxzDm49vlVTehseJ0k",
			"gen_ai.completion.0.tool_calls.0.type":      "function",
			"gen_ai.completion.0.tool_calls.0.name":      "get_weather",
			"gen_ai.completion.0.tool_calls.0.arguments": streamArgs0,
			"gen_ai.completion.0.tool_calls.1.id":        "call_m8QeLxYzd3W1bK7nGcFpT2sA",
			"gen_ai.completion.0.tool_calls.1.name":      "get_time",
			"gen_ai.completion.0.tool_calls.1.arguments": streamArgs1,
			"gen_ai.usage.input_tokens":                  91,
			"gen_ai.usage.output_tokens":                 63,
			"gen_ai.usage.cache_read.input_tokens":       64,
			"gen_ai.usage.prompt_tokens":                 91,
			"gen_ai.usage.completion_tokens":             63,
			"gen_ai.usage.total_tokens":                  154,
		})
		at := attrs(span)
		ttfc := at["gen_ai.response.time_to_first_chunk"].AsFloat64()
		assert.Greater(t, ttfc, 0.0)
		assert.Equal(t, ttfc, at["gen_ai.streaming.time_to_first_token"].AsFloat64())
		assert.Less(t, ttfc, span.EndTime().Sub(span.StartTime()).Seconds()+1e-9)
		h.checkMetrics("chat", "gpt-4o-mini", "", 91, 63)
		h.checkStreamMetrics(len(chunks))
	})
}

// Without stream_options.include_usage there is no usage to record, and
// none is invented.
func TestChatStreamWithoutUsage(t *testing.T) {
	chunks := chatStreamChunks(false)
	forEachAPI(t, func() http.HandlerFunc { return replyStream(chunks, true) }, func(t *testing.T, h *harness, srv *fakeOpenAI, a api) {
		ctx, sess := h.session()
		s, err := a.chatStream(ctx, streamRequest(false))
		require.NoError(t, err)
		drain(t, s)
		require.NoError(t, s.Close())
		span := h.llmSpan()
		checkSpan(t, span, sess, "chat gpt-4o-mini", codes.Unset)
		want(t, span, map[string]any{
			"gen_ai.completion.0.content":                streamContent,
			"gen_ai.completion.0.tool_calls.1.arguments": streamArgs1,
			"gen_ai.usage.input_tokens":                  nil,
			"gen_ai.usage.prompt_tokens":                 nil,
		})
		assert.NotContains(t, string(srv.body(0)), "stream_options", "the request is sent as the caller made it")
		h.checkMetrics("chat", "gpt-4o-mini", "", -1, -1)
		h.checkStreamMetrics(len(chunks))
	})
}

func TestChatStreamTwoChoices(t *testing.T) {
	chunks := chatStreamTwoChoices()
	forEachAPI(t, func() http.HandlerFunc { return replyStream(chunks, true) }, func(t *testing.T, h *harness, srv *fakeOpenAI, a api) {
		ctx, sess := h.session()
		s, err := a.chatStream(ctx, goopenai.ChatCompletionRequest{
			Model: "gpt-4o-mini", N: 2,
			Messages:      []goopenai.ChatCompletionMessage{{Role: "user", Content: "A two-line poem."}},
			StreamOptions: &goopenai.StreamOptions{IncludeUsage: true},
		})
		require.NoError(t, err)
		drain(t, s)
		require.NoError(t, s.Close())
		span := h.llmSpan()
		checkSpan(t, span, sess, "chat gpt-4o-mini", codes.Unset)
		want(t, span, map[string]any{
			"gen_ai.request.choice.count":       2,
			"gen_ai.response.finish_reasons":    []string{"stop", "length"},
			"gen_ai.completion.0.role":          "assistant",
			"gen_ai.completion.0.content":       "Roses are red, violets are blue.",
			"gen_ai.completion.0.finish_reason": "stop",
			"gen_ai.completion.1.role":          "assistant",
			"gen_ai.completion.1.content":       "The sun sets slow on the",
			"gen_ai.completion.1.finish_reason": "length",
		})
		h.checkMetrics("chat", "gpt-4o-mini", "", 12, 16)
		h.checkStreamMetrics(len(chunks))
	})
}

// An error event in the middle of the stream fails the call, with what
// came before it recorded.
func TestChatStreamErrorMidway(t *testing.T) {
	reply := func() http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			chunks := append(chatStreamChunks(false)[:3:3], streamErrorEvent)
			replyStream(chunks, false)(w, r)
		}
	}
	forEachAPI(t, reply, func(t *testing.T, h *harness, srv *fakeOpenAI, a api) {
		ctx, sess := h.session()
		s, err := a.chatStream(ctx, streamRequest(false))
		require.NoError(t, err)
		defer s.Close()
		for range 3 {
			_, err = s.Recv()
			require.NoError(t, err)
		}
		_, err = s.Recv()
		require.Error(t, err)
		assert.Contains(t, err.Error(), "The server had an error")

		span := h.llmSpan()
		checkSpan(t, span, sess, "chat gpt-4o-mini", codes.Error)
		assert.Contains(t, span.Status().Description, "The server had an error")
		want(t, span, map[string]any{
			"error.type":                  "server_error",
			"gen_ai.completion.0.content": "Let me check",
		})
		h.checkMetrics("chat", "gpt-4o-mini", "server_error", -1, -1)
	})
}

// A stream closed before its end is a call the caller stopped, not a
// failure: the span ends at Close with what was received.
func TestChatStreamClosedEarly(t *testing.T) {
	chunks := chatStreamChunks(false)[:4]
	forEachAPI(t, func() http.HandlerFunc { return replyStreamThenHang(chunks) }, func(t *testing.T, h *harness, srv *fakeOpenAI, a api) {
		ctx, sess := h.session()
		s, err := a.chatStream(ctx, streamRequest(false))
		require.NoError(t, err)
		for range 3 {
			_, err = s.Recv()
			require.NoError(t, err)
		}
		require.NoError(t, s.Close())
		span := h.llmSpan()
		checkSpan(t, span, sess, "chat gpt-4o-mini", codes.Unset)
		want(t, span, map[string]any{"error.type": nil, "gen_ai.response.id": streamID})
		// The wrapper has what the caller read; the transport what came
		// off the wire, which may be a chunk more.
		assert.True(t, strings.HasPrefix(attrs(span)["gen_ai.completion.0.content"].AsString(), "Let me check"))
		assert.Len(t, h.llmSpans(), 1)
	})
}

// Cancelling the request's context ends the span at once, as canceled,
// even while nobody reads the stream.
func TestChatStreamCanceled(t *testing.T) {
	chunks := chatStreamChunks(false)[:3]
	forEachAPI(t, func() http.HandlerFunc { return replyStreamThenHang(chunks) }, func(t *testing.T, h *harness, srv *fakeOpenAI, a api) {
		sctx, sess := h.session()
		ctx, cancel := context.WithCancel(sctx)
		s, err := a.chatStream(ctx, streamRequest(false))
		require.NoError(t, err)
		_, err = s.Recv()
		require.NoError(t, err)
		cancel()

		span := h.llmSpan()
		checkSpan(t, span, sess, "chat gpt-4o-mini", codes.Error)
		want(t, span, map[string]any{"error.type": "canceled"})
		h.checkMetrics("chat", "gpt-4o-mini", "canceled", -1, -1)

		for {
			if _, err = s.Recv(); err != nil {
				break
			}
		}
		assert.ErrorIs(t, err, context.Canceled)
		require.NoError(t, s.Close())
		assert.Len(t, h.llmSpans(), 1, "ended once")
	})
}

// A stream dropped without Close is ended by its cleanup, which also
// releases the connection (the server sees the client go away).
func TestChatStreamDropped(t *testing.T) {
	chunks := chatStreamChunks(false)[:3]
	forEachAPI(t, func() http.HandlerFunc { return replyStreamThenHang(chunks) }, func(t *testing.T, h *harness, srv *fakeOpenAI, a api) {
		ctx, sess := h.session()
		func() {
			s, err := a.chatStream(ctx, streamRequest(false))
			require.NoError(t, err)
			_, err = s.Recv()
			require.NoError(t, err)
		}()
		h.waitCleanup()
		span := h.llmSpans()[0]
		checkSpan(t, span, sess, "chat gpt-4o-mini", codes.Unset)
		want(t, span, map[string]any{"gen_ai.response.id": streamID, "error.type": nil})
	})
}

// An error status on a streaming request fails the call before any chunk.
func TestChatStreamErrorStatus(t *testing.T) {
	forEachAPI(t, func() http.HandlerFunc { return replyJSON(429, error429) }, func(t *testing.T, h *harness, srv *fakeOpenAI, a api) {
		ctx, sess := h.session()
		_, err := a.chatStream(ctx, streamRequest(true))
		require.Error(t, err)
		span := h.llmSpan()
		checkSpan(t, span, sess, "chat gpt-4o-mini", codes.Error)
		want(t, span, map[string]any{"error.type": "429", "gen_ai.request.stream": true})
		assert.Contains(t, span.Status().Description, "Rate limit reached")
	})
}

func TestCompletionStream(t *testing.T) {
	forEachAPI(t, func() http.HandlerFunc { return replyStream(textStreamChunks(), true) }, func(t *testing.T, h *harness, srv *fakeOpenAI, a api) {
		ctx, sess := h.session()
		s, err := a.completionStream(ctx, goopenai.CompletionRequest{Model: "gpt-3.5-turbo-instruct", Prompt: "Say this is a test", MaxTokens: 7})
		require.NoError(t, err)
		var text strings.Builder
		for {
			c, err := s.Recv()
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err)
			text.WriteString(c.Choices[0].Text)
		}
		require.NoError(t, s.Close())
		span := h.llmSpan()
		checkSpan(t, span, sess, "text_completion gpt-3.5-turbo-instruct", codes.Unset)
		want(t, span, map[string]any{
			"gen_ai.operation.name":             "text_completion",
			"gen_ai.request.type":               "completion",
			"gen_ai.request.stream":             true,
			"gen_ai.response.id":                "cmpl-9yL2kQ4mT7vW0xZ3aB6cD9eF",
			"gen_ai.prompt.0.content":           "Say this is a test",
			"gen_ai.completion.0.content":       text.String(),
			"gen_ai.completion.0.finish_reason": "length",
			"gen_ai.response.finish_reasons":    []string{"length"},
		})
		assert.Equal(t, "\n\nThis is indeed a test", text.String())
		h.checkStreamMetrics(4)
	})
}

// Recv on one goroutine while Close and the context's end come from two
// others: one span per stream, and no race (run with -race).
func TestChatStreamConcurrentEnds(t *testing.T) {
	chunks := chatStreamChunks(false)
	forEachAPI(t, func() http.HandlerFunc { return replyStreamThenHang(chunks) }, func(t *testing.T, h *harness, srv *fakeOpenAI, a api) {
		sctx, _ := h.session()
		const rounds = 8
		for i := range rounds {
			ctx, cancel := context.WithCancel(sctx)
			s, err := a.chatStream(ctx, streamRequest(false))
			require.NoError(t, err)
			_, err = s.Recv()
			require.NoError(t, err)
			var wg sync.WaitGroup
			wg.Go(func() {
				for {
					if _, err := s.Recv(); err != nil {
						return
					}
				}
			})
			wg.Go(func() { _ = s.Close() })
			wg.Go(cancel)
			wg.Wait()
			h.waitLLMSpans(i + 1)
			assert.Len(t, h.llmSpans(), i+1, "one span per stream")
		}
	})
}

// RecvRaw hands the caller the JSON and still records the chunk.
func TestChatStreamRecvRaw(t *testing.T) {
	h := setup(t)
	chunks := chatStreamChunks(true)
	srv := newFakeOpenAI(t, replyStream(chunks, true))
	ctx, sess := h.session()
	s, err := NewClient(testConfig(srv), WithProvider("openai")).CreateChatCompletionStream(ctx, streamRequest(true))
	require.NoError(t, err)
	defer s.Close()
	var raw []string
	for {
		b, err := s.RecvRaw()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		raw = append(raw, string(b))
	}
	assert.Equal(t, chunks, raw)
	assert.Equal(t, "text/event-stream; charset=utf-8", s.Header().Get("Content-Type"))
	span := h.llmSpan()
	checkSpan(t, span, sess, "chat gpt-4o-mini", codes.Unset)
	want(t, span, map[string]any{
		"gen_ai.completion.0.content":                streamContent,
		"gen_ai.completion.0.tool_calls.1.arguments": streamArgs1,
		"gen_ai.usage.input_tokens":                  91,
	})
	h.checkStreamMetrics(len(chunks))
}

package openai

import (
	"context"
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	goopenai "github.com/sashabaranov/go-openai"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/agentops-go/agentops"
)

// A secret a user pasted into a message, and a bearer token quoted in one:
// at LevelDebug the raw bodies carry them, masked.
const (
	pastedKey    = "sk-proj-Pz8wQ4rT6yU2iO0pA5sD7fG9"
	quotedBearer = "Authorization: Bearer tok_9f8e7d6c5b4a3210"
)

func secretQuestion() goopenai.ChatCompletionRequest {
	r := capitalQuestion()
	r.Messages = append(r.Messages, goopenai.ChatCompletionMessage{Role: goopenai.ChatMessageRoleUser,
		Content: "My key is " + pastedKey + " and my proxy wants " + quotedBearer})
	return r
}

// keyGroups sorts a span's keys by what records them: the kind (every
// level), the raw bodies (debug), the content (detailed), and the scalars
// (standard) for the rest.
func keyGroups(s sdktrace.ReadOnlySpan) (kind, scalars, content, bodies []string) {
	for _, kv := range s.Attributes() {
		k := string(kv.Key)
		switch {
		case k == "agentops.span.kind" || k == "gen_ai.operation.name":
			kind = append(kind, k)
		case strings.HasPrefix(k, "agentops.llm."):
			bodies = append(bodies, k)
		case strings.HasPrefix(k, "gen_ai.prompt.") || strings.HasPrefix(k, "gen_ai.completion.") ||
			strings.HasPrefix(k, "gen_ai.request.functions."):
			content = append(content, k)
		default:
			scalars = append(scalars, k)
		}
	}
	slices.Sort(kind)
	return kind, scalars, content, bodies
}

// checkLevel asserts what an LLM span of the level carries, and that the
// call's metrics, token usage included, were recorded at any level.
func checkLevel(t *testing.T, h *harness, l agentops.TraceLevel, capture bool) sdktrace.ReadOnlySpan {
	t.Helper()
	s := h.llmSpan()
	assert.Equal(t, "chat gpt-4o-mini", s.Name())
	kind, scalars, content, bodies := keyGroups(s)
	assert.Equal(t, []string{"agentops.span.kind", "gen_ai.operation.name"}, kind)
	if l >= agentops.LevelStandard {
		want(t, s, map[string]any{"gen_ai.request.model": "gpt-4o-mini", "gen_ai.provider.name": "openai",
			"gen_ai.response.model": "gpt-4o-mini-2024-07-18"})
		assert.Contains(t, scalars, "gen_ai.response.finish_reasons")
		assert.Contains(t, scalars, "gen_ai.usage.input_tokens")
	} else {
		assert.Empty(t, scalars, "minimal: the kind and the name, nothing else")
	}
	assert.Equal(t, l >= agentops.LevelDetailed && capture, len(content) > 0, "content: %v", content)
	if l == agentops.LevelDebug && capture {
		assert.ElementsMatch(t, []string{"agentops.llm.request.body", "agentops.llm.response.body"}, bodies)
	} else {
		assert.Empty(t, bodies)
	}
	d := h.points("gen_ai.client.operation.duration")
	require.Len(t, d, 1, "duration at every level")
	var tokens float64
	for _, p := range h.points("gen_ai.client.token.usage") {
		tokens += p.sum
	}
	assert.Positive(t, tokens, "token usage at every level")
	return s
}

func TestLevels(t *testing.T) {
	cases := []struct {
		level   agentops.TraceLevel
		capture bool
	}{
		{agentops.LevelMinimal, true}, {agentops.LevelStandard, true}, {agentops.LevelDetailed, true},
		{agentops.LevelDebug, true}, {agentops.LevelDebug, false},
	}
	for _, mode := range apis {
		for _, tc := range cases {
			name := mode.name + "/" + tc.level.String()
			if !tc.capture {
				name += "/no-content"
			}
			t.Run(name+"/chat", func(t *testing.T) {
				var redactions atomic.Int32
				h := setup(t, agentops.WithTraceLevel(tc.level), agentops.WithContentCapture(tc.capture),
					agentops.WithContentRedactor(func(s string) string { redactions.Add(1); return s }))
				a := mode.make(newFakeOpenAI(t, replyJSON(200, chatPlain)))
				ctx, _ := h.session()
				_, err := a.chat(ctx, capitalQuestion())
				require.NoError(t, err)
				checkLevel(t, h, tc.level, tc.capture)
				if tc.level < agentops.LevelDetailed || !tc.capture {
					assert.Zero(t, redactions.Load(), "no content is even translated")
				}
			})
			t.Run(name+"/stream", func(t *testing.T) {
				chunks := chatStreamChunks(true)
				h := setup(t, agentops.WithTraceLevel(tc.level), agentops.WithContentCapture(tc.capture))
				a := mode.make(newFakeOpenAI(t, replyStream(chunks, true)))
				ctx, _ := h.session()
				s, err := a.chatStream(ctx, streamRequest(true))
				require.NoError(t, err)
				drain(t, s)
				require.NoError(t, s.Close())
				span := checkLevel(t, h, tc.level, tc.capture)
				h.checkStreamMetrics(len(chunks))
				if tc.level >= agentops.LevelStandard {
					want(t, span, map[string]any{"gen_ai.response.finish_reasons": []string{"tool_calls"}})
				}
			})
		}
	}
}

// At LevelDebug both ways of calling record the raw bodies, secrets masked;
// the API key the client sends in its Authorization header is nowhere.
func TestDebugBodies(t *testing.T) {
	for _, mode := range apis {
		t.Run(mode.name+"/chat", func(t *testing.T) {
			h := setup(t, agentops.WithTraceLevel(agentops.LevelDebug))
			srv := newFakeOpenAI(t, replyJSON(200, chatPlain))
			ctx, _ := h.session()
			_, err := mode.make(srv).chat(ctx, secretQuestion())
			require.NoError(t, err)
			s := h.llmSpan()
			req := checkBodies(t, s, srv)
			assert.Contains(t, req, "My key is [REDACTED] and my proxy wants Authorization: Bearer [REDACTED]")
			assert.JSONEq(t, chatPlain, attrs(s)["agentops.llm.response.body"].AsString(), "the answer as it came")
		})
		t.Run(mode.name+"/stream", func(t *testing.T) {
			h := setup(t, agentops.WithTraceLevel(agentops.LevelDebug))
			srv := newFakeOpenAI(t, replyStream(chatStreamChunks(true), true))
			ctx, _ := h.session()
			r := secretQuestion()
			r.StreamOptions = &goopenai.StreamOptions{IncludeUsage: true}
			stream, err := mode.make(srv).chatStream(ctx, r)
			require.NoError(t, err)
			drain(t, stream)
			require.NoError(t, stream.Close())
			s := h.llmSpan()
			checkBodies(t, s, srv)
			// The wrapper ends the span at [DONE], which the transport has
			// passed on by then.
			resp := attrs(s)["agentops.llm.response.body"].AsString()
			assert.True(t, strings.HasPrefix(resp, `data: {"id":"`+streamID), resp)
			assert.Contains(t, resp, `"content":" check"`)
			assert.Contains(t, resp, `"usage":`+streamUsage)
			assert.Contains(t, resp, "data: [DONE]")
		})
	}
}

// checkBodies asserts what every span of a debug call must hold: the
// request as sent, less its secrets; no secret in either body, whatever
// WithContentRedactor says (message content follows it alone); and the API
// key of the Authorization header nowhere.
func checkBodies(t *testing.T, s sdktrace.ReadOnlySpan, srv *fakeOpenAI) string {
	t.Helper()
	a := attrs(s)
	req := a["agentops.llm.request.body"].AsString()
	sent := string(srv.body(0))
	require.Contains(t, sent, pastedKey, "the request did carry the secret")
	assert.Equal(t, strings.ReplaceAll(strings.ReplaceAll(sent, pastedKey, "[REDACTED]"), "tok_9f8e7d6c5b4a3210", "[REDACTED]"), req,
		"the request body as sent, secrets masked")
	for _, k := range []string{"agentops.llm.request.body", "agentops.llm.response.body"} {
		for _, secret := range []string{pastedKey, "tok_9f8e7d6c5b4a3210", "sk-proj"} {
			assert.NotContains(t, a[k].AsString(), secret, k)
		}
	}
	for k, v := range a {
		assert.NotContains(t, v.Emit(), testKey, k)
	}
	return req
}

// Through two transports (NewClient over a configuration InstrumentConfig
// already instrumented), each body is recorded once.
func TestDebugBodiesOnceThroughTwoTransports(t *testing.T) {
	h := setup(t, agentops.WithTraceLevel(agentops.LevelDebug))
	srv := newFakeOpenAI(t, replyJSON(200, chatPlain))
	cfg := testConfig(srv)
	InstrumentConfig(&cfg)
	ctx, _ := h.session()
	_, err := NewClient(cfg).CreateChatCompletion(ctx, capitalQuestion())
	require.NoError(t, err)
	a := attrs(h.llmSpan())
	assert.Equal(t, string(srv.body(0)), a["agentops.llm.request.body"].AsString())
	assert.Equal(t, chatPlain, a["agentops.llm.response.body"].AsString())
}

// Wrap is given a goopenai.Client as it is: unless its HTTP client goes
// through NewTransport, there are no bodies to record, and the rest is.
func TestDebugWrapWithoutTransport(t *testing.T) {
	h := setup(t, agentops.WithTraceLevel(agentops.LevelDebug))
	srv := newFakeOpenAI(t, replyJSON(200, chatPlain))
	ctx, _ := h.session()
	_, err := Wrap(goopenai.NewClientWithConfig(testConfig(srv))).CreateChatCompletion(ctx, capitalQuestion())
	require.NoError(t, err)
	_, _, content, bodies := keyGroups(h.llmSpan())
	assert.NotEmpty(t, content)
	assert.Empty(t, bodies)
}

// The transport's bodies are the wire's: a hand-written client's request
// as it sent it (its Authorization header nowhere), an error answer too.
func TestDebugTransportHandWritten(t *testing.T) {
	h := setup(t, agentops.WithTraceLevel(agentops.LevelDebug), agentops.WithMaxPayloadBytes(64))
	srv := newFakeOpenAI(t, replyJSON(429, error429))
	ctx, _ := h.session()
	resp, err := newHandWritten(srv).post(ctx, "/chat/completions", handWrittenChat)
	require.NoError(t, err)
	var out json.RawMessage
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	require.NoError(t, resp.Body.Close())

	s := h.llmSpan()
	a := attrs(s)
	assert.Equal(t, handWrittenChat[:64]+"…[truncated "+strconv.Itoa(len(handWrittenChat)-64)+" bytes]",
		a["agentops.llm.request.body"].AsString(), "capped")
	assert.True(t, strings.HasPrefix(a["agentops.llm.response.body"].AsString(), error429[:64]))
	want(t, s, map[string]any{"error.type": "429"})
	for k, v := range a {
		assert.NotContains(t, v.Emit(), testKey, k)
	}
}

// Below LevelDetailed the transport decodes no message, prompt or tool of
// a request: what it does not record, it does not read.
func TestTransportSkipsContentBelowDetailed(t *testing.T) {
	h := setup(t, agentops.WithTraceLevel(agentops.LevelStandard))
	srv := newFakeOpenAI(t, replyJSON(200, chatPlain))
	resp, err := newHandWritten(srv).post(context.Background(), "/chat/completions", handWrittenChat)
	require.NoError(t, err)
	_, err = io.Copy(io.Discard, resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	s := h.llmSpan()
	want(t, s, map[string]any{"gen_ai.request.max_tokens": 64, "gen_ai.usage.input_tokens": 24})
	_, _, content, _ := keyGroups(s)
	assert.Empty(t, content)
	assert.Empty(t, parseRequest([]byte(handWrittenChat), false).Messages)
}

// The wrapper translates only what the span records: the root package would
// drop the rest, but it would have been built for nothing.
func TestTranslateOnlyWhatIsRecorded(t *testing.T) {
	r := secretQuestion()
	r.Tools = weatherTools
	ep := agentops.Endpoint{Provider: "openai", Host: "api.openai.com", Port: 443}
	call := agentops.LLMRequest{Operation: agentops.OperationChat, Provider: "openai", Model: "gpt-4o-mini",
		ServerAddress: "api.openai.com", ServerPort: 443}

	assert.Equal(t, call, chatRequest(&r, ep, false, agentops.Verbosity{Level: agentops.LevelMinimal}),
		"minimal: what the span's name and the metrics need")
	standard := chatRequest(&r, ep, false, agentops.Verbosity{Level: agentops.LevelStandard})
	assert.Equal(t, 256, standard.MaxTokens)
	assert.Equal(t, 0.7, *standard.Temperature)
	assert.Empty(t, standard.Messages)
	assert.Empty(t, standard.Tools)
	detailed := chatRequest(&r, ep, false, agentops.Verbosity{Level: agentops.LevelDetailed, Content: true})
	assert.Len(t, detailed.Messages, 3)
	assert.Len(t, detailed.Tools, len(weatherTools))

	cr := goopenai.CompletionRequest{Model: "gpt-3.5-turbo-instruct", Prompt: "Say this is a test", MaxTokens: 7}
	assert.Empty(t, completionRequest(&cr, ep, false, agentops.Verbosity{Level: agentops.LevelStandard}).Prompts)
	assert.Equal(t, []string{"Say this is a test"},
		completionRequest(&cr, ep, false, agentops.Verbosity{Level: agentops.LevelDebug, Content: true}).Prompts)
	er := goopenai.EmbeddingRequest{Model: goopenai.SmallEmbedding3, Input: "x", EncodingFormat: goopenai.EmbeddingEncodingFormatFloat}
	assert.Empty(t, embeddingsRequest(&er, ep, agentops.Verbosity{Level: agentops.LevelMinimal}).EncodingFormats)
	assert.Empty(t, embeddingsRequest(&er, ep, agentops.Verbosity{Level: agentops.LevelStandard}).Prompts)

	var resp goopenai.ChatCompletionResponse
	require.NoError(t, json.Unmarshal([]byte(chatToolCalls), &resp))
	assert.Empty(t, chatResponse(&resp, agentops.Verbosity{Level: agentops.LevelMinimal}).Choices,
		"minimal: the model and usage, for the metrics")
	assert.NotNil(t, chatResponse(&resp, agentops.Verbosity{Level: agentops.LevelMinimal}).Usage)
	std := chatResponse(&resp, agentops.Verbosity{Level: agentops.LevelStandard})
	assert.Equal(t, []agentops.Choice{{FinishReason: "tool_calls"}}, std.Choices)
	full := chatResponse(&resp, agentops.Verbosity{Level: agentops.LevelDetailed, Content: true})
	assert.Len(t, full.Choices[0].Message.ToolCalls, 2)
}

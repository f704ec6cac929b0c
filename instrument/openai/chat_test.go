package openai

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	goopenai "github.com/sashabaranov/go-openai"
	"github.com/sashabaranov/go-openai/jsonschema"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"

	"github.com/agentops-go/agentops"
)

func serverPort(t *testing.T, srv *fakeOpenAI) int {
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	p, err := strconv.Atoi(u.Port())
	require.NoError(t, err)
	return p
}

func capitalQuestion() goopenai.ChatCompletionRequest {
	return goopenai.ChatCompletionRequest{
		Model: "gpt-4o-mini",
		Messages: []goopenai.ChatCompletionMessage{
			{Role: goopenai.ChatMessageRoleSystem, Content: "You are a concise geography assistant."},
			{Role: goopenai.ChatMessageRoleUser, Content: "What is the capital of France?"},
		},
		MaxCompletionTokens: 256,
		Temperature:         0.7,
		TopP:                0.9,
		Seed:                ptr(42),
		Stop:                []string{"\n\n"},
	}
}

func ptr[T any](v T) *T { return &v }

func TestChat(t *testing.T) {
	forEachAPI(t, func() http.HandlerFunc { return replyJSON(200, chatPlain) }, func(t *testing.T, h *harness, srv *fakeOpenAI, a api) {
		ctx, sess := h.session()
		resp, err := a.chat(ctx, capitalQuestion())
		require.NoError(t, err)
		assert.Equal(t, "The capital of France is Paris.", resp.Choices[0].Message.Content)

		s := h.llmSpan()
		checkSpan(t, s, sess, "chat gpt-4o-mini", codes.Unset)
		want(t, s, map[string]any{
			// OTel GenAI
			"gen_ai.operation.name":                "chat",
			"gen_ai.provider.name":                 "openai",
			"gen_ai.request.model":                 "gpt-4o-mini",
			"server.address":                       "127.0.0.1",
			"server.port":                          serverPort(t, srv),
			"gen_ai.request.max_tokens":            256,
			"gen_ai.request.temperature":           0.7,
			"gen_ai.request.top_p":                 0.9,
			"gen_ai.request.seed":                  42,
			"gen_ai.request.stop_sequences":        []string{"\n\n"},
			"gen_ai.request.stream":                nil,
			"gen_ai.response.id":                   "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
			"gen_ai.response.model":                "gpt-4o-mini-2024-07-18",
			"gen_ai.response.finish_reasons":       []string{"stop"},
			"gen_ai.usage.input_tokens":            24,
			"gen_ai.usage.output_tokens":           8,
			"gen_ai.usage.cache_read.input_tokens": nil,
			"error.type":                           nil,
			// AgentOps
			"agentops.span.kind":                "llm",
			"gen_ai.system":                     "OpenAI",
			"gen_ai.request.type":               "chat",
			"gen_ai.request.streaming":          false,
			"gen_ai.usage.prompt_tokens":        24,
			"gen_ai.usage.completion_tokens":    8,
			"gen_ai.usage.total_tokens":         32,
			"gen_ai.prompt.0.role":              "system",
			"gen_ai.prompt.0.content":           "You are a concise geography assistant.",
			"gen_ai.prompt.1.role":              "user",
			"gen_ai.prompt.1.content":           "What is the capital of France?",
			"gen_ai.completion.0.role":          "assistant",
			"gen_ai.completion.0.content":       "The capital of France is Paris.",
			"gen_ai.completion.0.finish_reason": "stop",
			"gen_ai.completion":                 nil,
		})
		h.checkMetrics("chat", "gpt-4o-mini", "", 24, 8)
		d := h.points("gen_ai.client.operation.duration")[0]
		assert.Equal(t, "gpt-4o-mini-2024-07-18", d.attr("gen_ai.response.model"))
		assert.Equal(t, "openai", d.attr("gen_ai.provider.name"))
	})
}

var weatherTools = []goopenai.Tool{
	{Type: goopenai.ToolTypeFunction, Function: &goopenai.FunctionDefinition{
		Name:        "get_weather",
		Description: "Current weather at a location.",
		Parameters: jsonschema.Definition{
			Type: jsonschema.Object,
			Properties: map[string]jsonschema.Definition{
				"location": {Type: jsonschema.String, Description: "City and country, e.g. Paris, France"},
				"unit":     {Type: jsonschema.String, Enum: []string{"celsius", "fahrenheit"}},
			},
			Required: []string{"location"},
		},
	}},
	{Type: goopenai.ToolTypeFunction, Function: &goopenai.FunctionDefinition{
		Name:        "get_time",
		Description: "Current local time in a time zone.",
		Parameters:  json.RawMessage(`{"type":"object","properties":{"timezone":{"type":"string"}},"required":["timezone"]}`),
	}},
}

func TestChatParallelToolCalls(t *testing.T) {
	reply := func() http.HandlerFunc {
		return replySequence(replyJSON(200, chatToolCalls), replyJSON(200, chatAfterTools))
	}
	forEachAPI(t, reply, func(t *testing.T, h *harness, srv *fakeOpenAI, a api) {
		ctx, sess := h.session()
		req := goopenai.ChatCompletionRequest{
			Model:    "gpt-4o-mini",
			Messages: []goopenai.ChatCompletionMessage{{Role: "user", Content: "Weather and time in Paris?"}},
			Tools:    weatherTools,
		}
		resp, err := a.chat(ctx, req)
		require.NoError(t, err)
		require.Len(t, resp.Choices[0].Message.ToolCalls, 2)

		s := h.llmSpan()
		checkSpan(t, s, sess, "chat gpt-4o-mini", codes.Unset)
		want(t, s, map[string]any{
			"gen_ai.request.functions.0.name":            "get_weather",
			"gen_ai.request.functions.0.description":     "Current weather at a location.",
			"gen_ai.request.functions.1.name":            "get_time",
			"gen_ai.request.functions.1.parameters":      `{"type":"object","properties":{"timezone":{"type":"string"}},"required":["timezone"]}`,
			"gen_ai.response.finish_reasons":             []string{"tool_calls"},
			"gen_ai.completion.0.role":                   "assistant",
			"gen_ai.completion.0.finish_reason":          "tool_calls",
			"gen_ai.completion.0.content":                nil,
			"gen_ai.completion.0.tool_calls.0.id":        "call_Dn2RJJSxzDm49vlVTehseJ0k",
			"gen_ai.completion.0.tool_calls.0.type":      "function",
			"gen_ai.completion.0.tool_calls.0.name":      "get_weather",
			"gen_ai.completion.0.tool_calls.0.arguments": `{"location":"Paris, France","unit":"celsius"}`,
			"gen_ai.completion.0.tool_calls.1.id":        "call_m8QeLxYzd3W1bK7nGcFpT2sA",
			"gen_ai.completion.0.tool_calls.1.name":      "get_time",
			"gen_ai.completion.0.tool_calls.1.arguments": `{"timezone":"Europe/Paris"}`,
			"gen_ai.usage.input_tokens":                  82,
			"gen_ai.usage.output_tokens":                 49,
		})
		var params map[string]any
		require.NoError(t, json.Unmarshal([]byte(attrs(s)["gen_ai.request.functions.0.parameters"].AsString()), &params))
		assert.Equal(t, []any{"location"}, params["required"])

		// The second round sends the calls and their results back.
		results, err := RunToolCalls(ctx, resp.Choices[0].Message, map[string]ToolFunc{
			"get_weather": func(ctx context.Context, args string) (string, error) {
				return `{"temperature":18,"unit":"celsius"}`, nil
			},
			"get_time": func(ctx context.Context, args string) (string, error) { return "14:05", nil },
		})
		require.NoError(t, err)
		req.Messages = append(req.Messages, resp.Choices[0].Message)
		req.Messages = append(req.Messages, results...)
		_, err = a.chat(ctx, req)
		require.NoError(t, err)
		h.waitLLMSpans(2)
		spans := h.llmSpans()
		require.Len(t, spans, 2)
		want(t, spans[1], map[string]any{
			"gen_ai.prompt.1.role":                   "assistant",
			"gen_ai.prompt.1.tool_calls.0.id":        "call_Dn2RJJSxzDm49vlVTehseJ0k",
			"gen_ai.prompt.1.tool_calls.0.name":      "get_weather",
			"gen_ai.prompt.1.tool_calls.0.arguments": `{"location":"Paris, France","unit":"celsius"}`,
			"gen_ai.prompt.1.tool_calls.1.id":        "call_m8QeLxYzd3W1bK7nGcFpT2sA",
			"gen_ai.prompt.2.role":                   "tool",
			"gen_ai.prompt.2.tool_call_id":           "call_Dn2RJJSxzDm49vlVTehseJ0k",
			"gen_ai.prompt.2.content":                `{"temperature":18,"unit":"celsius"}`,
			"gen_ai.prompt.3.tool_call_id":           "call_m8QeLxYzd3W1bK7nGcFpT2sA",
			"gen_ai.prompt.3.content":                "14:05",
			"gen_ai.completion.0.content":            "It is 18°C in Paris, and 14:05 there.",
		})
		assert.Len(t, h.spansOfKind("tool"), 2, "one execute_tool span per call")
	})
}

func TestChatTwoChoices(t *testing.T) {
	forEachAPI(t, func() http.HandlerFunc { return replyJSON(200, chatTwoChoices) }, func(t *testing.T, h *harness, srv *fakeOpenAI, a api) {
		ctx, sess := h.session()
		_, err := a.chat(ctx, goopenai.ChatCompletionRequest{
			Model: "gpt-4o-mini", N: 2, MaxTokens: 16,
			Messages: []goopenai.ChatCompletionMessage{{Role: "user", Content: "A two-line poem."}},
		})
		require.NoError(t, err)
		s := h.llmSpan()
		checkSpan(t, s, sess, "chat gpt-4o-mini", codes.Unset)
		want(t, s, map[string]any{
			"gen_ai.request.choice.count":       2,
			"gen_ai.request.max_tokens":         16,
			"gen_ai.response.finish_reasons":    []string{"stop", "length"},
			"gen_ai.completion.0.content":       "Roses are red, violets are blue.",
			"gen_ai.completion.0.finish_reason": "stop",
			"gen_ai.completion.1.content":       "The sun sets slow on the",
			"gen_ai.completion.1.finish_reason": "length",
		})
		h.checkMetrics("chat", "gpt-4o-mini", "", 12, 16)
	})
}

func TestChatReasoningAndCachedTokens(t *testing.T) {
	req := goopenai.ChatCompletionRequest{
		Model:               "o3-mini",
		MaxCompletionTokens: 2048,
		ReasoningEffort:     "low",
		Messages: []goopenai.ChatCompletionMessage{
			{Role: goopenai.ChatMessageRoleDeveloper, Content: "Answer in one sentence."},
			{Role: "user", Content: `How many r's are in "strawberry"?`},
		},
	}
	forEachAPI(t, func() http.HandlerFunc { return replyJSON(200, chatReasoning) }, func(t *testing.T, h *harness, srv *fakeOpenAI, a api) {
		ctx, sess := h.session()
		_, err := a.chat(ctx, req)
		require.NoError(t, err)
		s := h.llmSpan()
		checkSpan(t, s, sess, "chat o3-mini", codes.Unset)
		want(t, s, map[string]any{
			"gen_ai.response.model":                "o3-mini-2025-01-31",
			"gen_ai.usage.input_tokens":            1117,
			"gen_ai.usage.output_tokens":           220,
			"gen_ai.usage.cache_read.input_tokens": 1024,
			"gen_ai.usage.reasoning.output_tokens": 192,
			"gen_ai.usage.prompt_tokens":           1117,
			"gen_ai.usage.cache_read_input_tokens": 1024,
			"gen_ai.usage.reasoning_tokens":        192,
			"gen_ai.usage.total_tokens":            1337,
		})
		h.checkMetrics("chat", "o3-mini", "", 1117, 220)
	})

	// The OTel JSON message form carries the reasoning text as a part.
	for _, mode := range apis {
		t.Run(mode.name+"/otel-messages", func(t *testing.T) {
			h := setup(t, agentops.WithGenAILatestExperimental())
			srv := newFakeOpenAI(t, replyJSON(200, chatReasoning))
			ctx, _ := h.session()
			_, err := mode.make(srv).chat(ctx, req)
			require.NoError(t, err)
			a := attrs(h.llmSpan())
			assert.JSONEq(t, `[{"type":"text","content":"Answer in one sentence."}]`, a["gen_ai.system_instructions"].AsString())
			assert.JSONEq(t, `[{"role":"user","parts":[{"type":"text","content":"How many r's are in \"strawberry\"?"}]}]`, a["gen_ai.input.messages"].AsString())
			assert.JSONEq(t, `[{"role":"assistant","finish_reason":"stop","parts":[
				{"type":"reasoning","content":"Spell it out: s-t-r-a-w-b-e-r-r-y. r at 3, 8, 9."},
				{"type":"text","content":"There are 3 r's in \"strawberry\"."}]}]`, a["gen_ai.output.messages"].AsString())
			_, flat := a["gen_ai.prompt.0.content"]
			assert.False(t, flat, "content is written in one form")
		})
	}
}

func TestChatErrors(t *testing.T) {
	for _, tc := range []struct {
		status  int
		body    string
		message string
	}{
		{429, error429, "Rate limit reached for gpt-4o-mini"},
		{500, error500, "The server had an error while processing your request."},
		{502, "<html><body><h1>502 Bad Gateway</h1></body></html>", "502 Bad Gateway"}, // a proxy's page: go-openai's RequestError
	} {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			forEachAPI(t, func() http.HandlerFunc { return replyJSON(tc.status, tc.body) }, func(t *testing.T, h *harness, srv *fakeOpenAI, a api) {
				ctx, sess := h.session()
				_, err := a.chat(ctx, capitalQuestion())
				require.Error(t, err)
				var apiErr *goopenai.APIError
				var reqErr *goopenai.RequestError
				assert.True(t, errors.As(err, &apiErr) || errors.As(err, &reqErr), "the caller gets go-openai's own error: %T", err)

				s := h.llmSpan()
				checkSpan(t, s, sess, "chat gpt-4o-mini", codes.Error)
				assert.Contains(t, s.Status().Description, tc.message)
				want(t, s, map[string]any{
					"error.type":                strconv.Itoa(tc.status),
					"gen_ai.request.model":      "gpt-4o-mini",
					"gen_ai.usage.input_tokens": nil,
					"gen_ai.response.id":        nil,
				})
				exceptions := 0
				for _, e := range s.Events() {
					if e.Name == "exception" {
						exceptions++
					}
				}
				assert.Equal(t, 1, exceptions, "one exception event")
				h.checkMetrics("chat", "gpt-4o-mini", strconv.Itoa(tc.status), -1, -1)
			})
		})
	}
}

// The typed wrapper's errors come back to the caller exactly as go-openai
// returned them.
func TestChatErrorUnchanged(t *testing.T) {
	h := setup(t)
	srv := newFakeOpenAI(t, replyJSON(429, error429))
	ctx, _ := h.session()
	_, wrappedErr := NewClient(testConfig(srv)).CreateChatCompletion(ctx, capitalQuestion())
	_, plainErr := goopenai.NewClientWithConfig(testConfig(srv)).CreateChatCompletion(ctx, capitalQuestion())
	assert.Equal(t, plainErr, wrappedErr)
	var apiErr *goopenai.APIError
	require.ErrorAs(t, wrappedErr, &apiErr)
	assert.Equal(t, 429, apiErr.HTTPStatusCode)
	assert.Equal(t, "rate_limit_exceeded", apiErr.Code)
}

// richRequest uses every part of a request that holds references: the
// wrappers must leave all of it as it was.
func richRequest() goopenai.ChatCompletionRequest {
	return goopenai.ChatCompletionRequest{
		Model: "gpt-4o-mini",
		Messages: []goopenai.ChatCompletionMessage{
			{Role: "system", Content: "Be brief."},
			{Role: "user", MultiContent: []goopenai.ChatMessagePart{
				{Type: goopenai.ChatMessagePartTypeText, Text: "What is in this image?"},
				{Type: goopenai.ChatMessagePartTypeImageURL, ImageURL: &goopenai.ChatMessageImageURL{URL: "https://example.com/cat.png", Detail: goopenai.ImageURLDetailLow}},
			}},
			{Role: "assistant", ToolCalls: []goopenai.ToolCall{{ID: "call_1", Type: "function", Function: goopenai.FunctionCall{Name: "get_weather", Arguments: `{"location":"Paris"}`}}}},
			{Role: "tool", ToolCallID: "call_1", Content: "18C"},
		},
		Tools:              weatherTools,
		Stop:               []string{"END"},
		Seed:               ptr(7),
		LogitBias:          map[string]int{"1639": 6},
		Metadata:           map[string]string{"user": "u-42"},
		StreamOptions:      &goopenai.StreamOptions{IncludeUsage: true},
		ResponseFormat:     &goopenai.ChatCompletionResponseFormat{Type: goopenai.ChatCompletionResponseFormatTypeJSONObject},
		ChatTemplateKwargs: map[string]any{"enable_thinking": false},
	}
}

func TestRequestUnchanged(t *testing.T) {
	forEachAPI(t, func() http.HandlerFunc { return router(chatStreamChunks(true)) }, func(t *testing.T, h *harness, srv *fakeOpenAI, a api) {
		ctx, _ := h.session()
		req := richRequest()
		_, err := a.chat(ctx, req)
		require.NoError(t, err)
		assert.Equal(t, richRequest(), req)

		s, err := a.chatStream(ctx, req)
		require.NoError(t, err)
		require.NoError(t, s.Close())
		assert.Equal(t, richRequest(), req)
		assert.False(t, req.Stream, "the caller's Stream stays false")

		emb := goopenai.EmbeddingRequestStrings{Input: []string{"a", "b"}, Model: goopenai.SmallEmbedding3, ExtraBody: map[string]any{"x": 1}}
		_, err = a.embeddings(ctx, emb)
		require.NoError(t, err)
		assert.Equal(t, goopenai.EmbeddingRequestStrings{Input: []string{"a", "b"}, Model: goopenai.SmallEmbedding3, ExtraBody: map[string]any{"x": 1}}, emb)

		h.waitLLMSpans(3)
		first := h.llmSpans()[0]
		want(t, first, map[string]any{
			"gen_ai.prompt.1.content":         "What is in this image?",
			"gen_ai.output.type":              "json",
			"gen_ai.request.functions.0.name": "get_weather",
		})
	})
}

// The wire carries what the caller asked for: the transport sends the
// request body byte for byte.
func TestTransportSendsRequestUnchanged(t *testing.T) {
	h := setup(t)
	srv := newFakeOpenAI(t, router(nil))
	ctx, _ := h.session()
	_, err := transportAPI(srv).chat(ctx, richRequest())
	require.NoError(t, err)
	_, err = goopenai.NewClientWithConfig(testConfig(srv)).CreateChatCompletion(ctx, richRequest())
	require.NoError(t, err)
	require.Equal(t, 2, srv.requests())
	assert.Equal(t, string(srv.body(1)), string(srv.body(0)))
	assert.Len(t, h.llmSpans(), 1, "only the instrumented client made a span")
}

// A Client from NewClient over an instrumented HTTP client makes one span
// per call: the transport sees the wrapper's span and stays out.
func TestWrapAndTransportMakeOneSpan(t *testing.T) {
	h := setup(t)
	srv := newFakeOpenAI(t, router(chatStreamChunks(true)))
	cfg := testConfig(srv)
	InstrumentConfig(&cfg)
	c := NewClient(cfg)
	ctx, sess := h.session()

	_, err := c.CreateChatCompletion(ctx, capitalQuestion())
	require.NoError(t, err)
	s := h.llmSpan()
	checkSpan(t, s, sess, "chat gpt-4o-mini", codes.Unset)

	stream, err := c.CreateChatCompletionStream(ctx, capitalQuestion())
	require.NoError(t, err)
	drain(t, stream)
	require.NoError(t, stream.Close())
	_, err = c.CreateEmbeddings(ctx, goopenai.EmbeddingRequest{Input: "x", Model: goopenai.SmallEmbedding3})
	require.NoError(t, err)
	assert.Len(t, h.llmSpans(), 3, "one LLM span per call")
}

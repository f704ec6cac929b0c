package agentops

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/agentops-go/agentops/internal/fakebackend"
	"github.com/agentops-go/agentops/internal/semconv"
)

// llmHarness is a Client whose spans a recorder sees and whose metrics a
// manual reader collects.
type llmHarness struct {
	rec    *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
}

func newLLMHarness(t *testing.T, opts ...Option) *llmHarness {
	h := &llmHarness{rec: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(h.reader))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	newTestClient(t, fakebackend.New(t), append([]Option{WithSpanProcessor(h.rec), WithMeterProvider(mp)}, opts...)...)
	return h
}

func (h *llmHarness) lastSpan(t *testing.T) (sdktrace.ReadOnlySpan, map[attribute.Key]attribute.Value) {
	ended := h.rec.Ended()
	require.NotEmpty(t, ended)
	s := ended[len(ended)-1]
	return s, attrsOf(s)
}

// histograms collects the histogram points of name.
func (h *llmHarness) histograms(t *testing.T, name string) []metricdata.HistogramDataPoint[float64] {
	var rm metricdata.ResourceMetrics
	require.NoError(t, h.reader.Collect(context.Background(), &rm))
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				if d, ok := m.Data.(metricdata.Histogram[float64]); ok {
					return d.DataPoints
				}
			}
		}
	}
	return nil
}

func (h *llmHarness) tokenPoints(t *testing.T) map[string]metricdata.HistogramDataPoint[int64] {
	var rm metricdata.ResourceMetrics
	require.NoError(t, h.reader.Collect(context.Background(), &rm))
	out := map[string]metricdata.HistogramDataPoint[int64]{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != semconv.MetricTokenUsage {
				continue
			}
			for _, dp := range m.Data.(metricdata.Histogram[int64]).DataPoints {
				typ, _ := dp.Attributes.Value(semconv.TokenType)
				out[typ.AsString()] = dp
			}
		}
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// conversation is a chat with a system prompt, a tool round trip and tools.
func conversation() LLMRequest {
	return LLMRequest{
		Provider: "openai", Model: "gpt-4o", ServerAddress: "api.openai.com", ServerPort: 443,
		Messages: []Message{
			{Role: "system", Content: "You are terse."},
			{Role: "user", Content: "Weather in Paris and Rome?"},
			{Role: "assistant", ToolCalls: []ToolCall{
				{ID: "call_1", Name: "weather", Arguments: `{"city":"Paris"}`},
				{ID: "call_2", Name: "weather", Arguments: `{"city":"Rome"}`},
			}},
			{Role: "tool", ToolCallID: "call_1", Content: "18C"},
			{Role: "tool", ToolCallID: "call_2", Content: "24C"},
		},
		Tools:       []ToolDefinition{{Name: "weather", Description: "Current weather", Parameters: `{"type":"object"}`}},
		MaxTokens:   256,
		Temperature: ptr(0.2),
		TopP:        ptr(1.0),
		Seed:        ptr(int64(7)),
		ChoiceCount: 2,
	}
}

func answer() LLMResponse {
	return LLMResponse{
		ID: "chatcmpl-123", Model: "gpt-4o-2024-08-06",
		Choices: []Choice{
			{Message: Message{Role: "assistant", Content: "Paris 18C, Rome 24C."}, FinishReason: "stop"},
			{Message: Message{Role: "assistant", ToolCalls: []ToolCall{{ID: "call_3", Name: "weather", Arguments: `{"city":"Oslo"}`}}}, FinishReason: "tool_calls"},
		},
		Usage: &Usage{InputTokens: 120, OutputTokens: 30, TotalTokens: 150, CacheReadTokens: 64, ReasoningTokens: 12},
	}
}

func TestStartLLMRecordsBothVocabularies(t *testing.T) {
	h := newLLMHarness(t)
	ctx, sess := StartSession(context.Background(), "llm")
	defer sess.End(Success)

	lctx, call := StartLLM(ctx, conversation())
	assert.Same(t, call, LLMSpanFromContext(lctx))
	call.End(answer(), nil)
	call.End(LLMResponse{}, errors.New("ignored: a span ends once"))

	s, a := h.lastSpan(t)
	assert.Equal(t, "chat gpt-4o", s.Name())
	assert.Equal(t, trace.SpanKindClient, s.SpanKind())
	assert.Equal(t, sess.TraceID(), s.Parent().TraceID(), "under the session")
	assert.Equal(t, codes.Unset, s.Status().Code, "OTel GenAI leaves success Unset")
	for key, want := range map[string]any{
		"agentops.span.kind":             "llm",
		"gen_ai.operation.name":          "chat",
		"gen_ai.provider.name":           "openai",
		"gen_ai.system":                  "OpenAI",
		"gen_ai.request.type":            "chat",
		"gen_ai.request.model":           "gpt-4o",
		"server.address":                 "api.openai.com",
		"server.port":                    int64(443),
		"gen_ai.request.streaming":       false,
		"gen_ai.request.max_tokens":      int64(256),
		"gen_ai.request.temperature":     0.2,
		"gen_ai.request.top_p":           1.0,
		"gen_ai.request.seed":            int64(7),
		"gen_ai.request.choice.count":    int64(2),
		"gen_ai.response.id":             "chatcmpl-123",
		"gen_ai.response.model":          "gpt-4o-2024-08-06",
		"gen_ai.response.finish_reasons": []string{"stop", "tool_calls"},
		// AgentOps usage
		"gen_ai.usage.prompt_tokens":           int64(120),
		"gen_ai.usage.completion_tokens":       int64(30),
		"gen_ai.usage.total_tokens":            int64(150),
		"gen_ai.usage.cache_read_input_tokens": int64(64),
		"gen_ai.usage.reasoning_tokens":        int64(12),
		// OTel usage
		"gen_ai.usage.input_tokens":            int64(120),
		"gen_ai.usage.output_tokens":           int64(30),
		"gen_ai.usage.cache_read.input_tokens": int64(64),
		"gen_ai.usage.reasoning.output_tokens": int64(12),
		// AgentOps flat content
		"gen_ai.prompt.0.role":                       "system",
		"gen_ai.prompt.0.content":                    "You are terse.",
		"gen_ai.prompt.1.content":                    "Weather in Paris and Rome?",
		"gen_ai.prompt.2.role":                       "assistant",
		"gen_ai.prompt.2.tool_calls.1.id":            "call_2",
		"gen_ai.prompt.2.tool_calls.1.name":          "weather",
		"gen_ai.prompt.2.tool_calls.1.arguments":     `{"city":"Rome"}`,
		"gen_ai.prompt.4.tool_call_id":               "call_2",
		"gen_ai.prompt.4.content":                    "24C",
		"gen_ai.request.functions.0.name":            "weather",
		"gen_ai.request.functions.0.parameters":      `{"type":"object"}`,
		"gen_ai.completion.0.role":                   "assistant",
		"gen_ai.completion.0.content":                "Paris 18C, Rome 24C.",
		"gen_ai.completion.0.finish_reason":          "stop",
		"gen_ai.completion.1.tool_calls.0.id":        "call_3",
		"gen_ai.completion.1.tool_calls.0.type":      "function",
		"gen_ai.completion.1.tool_calls.0.arguments": `{"city":"Oslo"}`,
		"gen_ai.completion.1.finish_reason":          "tool_calls",
	} {
		v, ok := a[attribute.Key(key)]
		if assert.True(t, ok, "missing %s", key) {
			assert.Equal(t, want, v.AsInterface(), key)
		}
	}
	for _, absent := range []string{"gen_ai.request.stream", "gen_ai.completion", "gen_ai.input.messages", "error.type",
		"gen_ai.streaming.time_to_first_token", "gen_ai.request.frequency_penalty"} {
		assert.NotContains(t, a, attribute.Key(absent))
	}

	durations := h.histograms(t, semconv.MetricOperationDuration)
	require.Len(t, durations, 1)
	assert.Equal(t, uint64(1), durations[0].Count)
	assert.Equal(t, semconv.DurationBuckets, durations[0].Bounds)
	model, _ := durations[0].Attributes.Value(semconv.ResponseModel)
	assert.Equal(t, "gpt-4o-2024-08-06", model.AsString())
	tokens := h.tokenPoints(t)
	assert.Equal(t, int64(120), tokens["input"].Sum)
	assert.Equal(t, int64(30), tokens["output"].Sum)
	assert.Equal(t, semconv.TokenBuckets, tokens["input"].Bounds)
	assert.Empty(t, h.histograms(t, semconv.MetricTimeToFirstChunk), "not a stream")
}

func TestLLMStreamTimings(t *testing.T) {
	h := newLLMHarness(t)
	req := LLMRequest{Model: "gpt-4o-mini", Stream: true, Messages: []Message{{Role: "user", Content: "hi"}}}
	_, call := StartLLM(context.Background(), req)
	time.Sleep(20 * time.Millisecond)
	for range 3 {
		call.ChunkReceived()
		time.Sleep(5 * time.Millisecond)
	}
	call.End(LLMResponse{Model: "gpt-4o-mini", Choices: []Choice{{Message: Message{Content: "hello"}, FinishReason: "stop"}}}, nil)

	_, a := h.lastSpan(t)
	assert.True(t, a["gen_ai.request.stream"].AsBool())
	assert.True(t, a["gen_ai.request.streaming"].AsBool())
	ttft := a["gen_ai.streaming.time_to_first_token"].AsFloat64()
	assert.GreaterOrEqual(t, ttft, 0.02, "measured from when the request was issued")
	assert.Less(t, ttft, 0.025+time.Second.Seconds())
	assert.Equal(t, ttft, a["gen_ai.response.time_to_first_chunk"].AsFloat64())
	assert.Equal(t, "assistant", a["gen_ai.completion.0.role"].AsString())
	assert.NotContains(t, a, attribute.Key("gen_ai.usage.input_tokens"), "no usage reported, none recorded")

	ttfc := h.histograms(t, semconv.MetricTimeToFirstChunk)
	require.Len(t, ttfc, 1)
	assert.Equal(t, uint64(1), ttfc[0].Count)
	perChunk := h.histograms(t, semconv.MetricTimePerOutputChunk)
	require.Len(t, perChunk, 1)
	assert.Equal(t, uint64(2), perChunk[0].Count, "one value per chunk after the first")
	assert.Empty(t, h.tokenPoints(t), "token usage only when the response gives it")
}

// A framework may learn that a call streamed only when its answer comes
// (eino's callbacks do): chunks make the call streamed all the same.
func TestLLMStreamKnownOnlyFromChunks(t *testing.T) {
	h := newLLMHarness(t)
	_, call := StartLLM(context.Background(), LLMRequest{Model: "gpt-4o-mini"})
	time.Sleep(10 * time.Millisecond)
	call.ChunkReceived()
	call.End(LLMResponse{}, nil)
	_, a := h.lastSpan(t)
	assert.True(t, a["gen_ai.request.streaming"].AsBool())
	assert.True(t, a["gen_ai.request.stream"].AsBool())
	assert.GreaterOrEqual(t, a["gen_ai.streaming.time_to_first_token"].AsFloat64(), 0.01)

	_, call = StartLLM(context.Background(), LLMRequest{Model: "gpt-4o-mini"})
	call.End(LLMResponse{}, nil)
	_, a = h.lastSpan(t)
	assert.False(t, a["gen_ai.request.streaming"].AsBool(), "no chunks, not streamed")
	assert.NotContains(t, a, attribute.Key("gen_ai.streaming.time_to_first_token"))
}

func TestLLMError(t *testing.T) {
	h := newLLMHarness(t)
	_, call := StartLLM(context.Background(), LLMRequest{Model: "gpt-4o"})
	call.End(LLMResponse{ErrorType: "429"}, errors.New("rate limited"))
	s, a := h.lastSpan(t)
	assert.Equal(t, codes.Error, s.Status().Code)
	assert.Equal(t, "rate limited", s.Status().Description)
	assert.Equal(t, "429", a["error.type"].AsString())
	require.Len(t, s.Events(), 1)
	d := h.histograms(t, semconv.MetricOperationDuration)
	require.Len(t, d, 1)
	et, _ := d[0].Attributes.Value(semconv.ErrorType)
	assert.Equal(t, "429", et.AsString())

	_, call = StartLLM(context.Background(), LLMRequest{Model: "gpt-4o"})
	call.End(LLMResponse{}, context.Canceled)
	_, a = h.lastSpan(t)
	assert.Equal(t, "canceled", a["error.type"].AsString(), "without an ErrorType, the error's own")
}

// OTel GenAI names a span by its operation alone when the model is not
// known (a framework callback that does not say), with no trailing space.
func TestLLMSpanNameWithoutModel(t *testing.T) {
	h := newLLMHarness(t)
	_, call := StartLLM(context.Background(), LLMRequest{})
	call.End(LLMResponse{}, nil)
	s, _ := h.lastSpan(t)
	assert.Equal(t, "chat", s.Name())
}

func TestContentCaptureSwitches(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		opts    []Option
		capture bool
	}{
		{"default on", nil, nil, true},
		{"AGENTOPS_CAPTURE_CONTENT=false", map[string]string{"AGENTOPS_CAPTURE_CONTENT": "false"}, nil, false},
		{"OTel switch false", map[string]string{"OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "false"}, nil, false},
		{"OTel NO_CONTENT", map[string]string{"OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "NO_CONTENT"}, nil, false},
		{"OTel SPAN_ONLY", map[string]string{"OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "SPAN_ONLY"}, nil, true},
		{"AgentOps beats OTel", map[string]string{"OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "false", "AGENTOPS_CAPTURE_CONTENT": "true"}, nil, true},
		{"option beats both", map[string]string{"AGENTOPS_CAPTURE_CONTENT": "true"}, []Option{WithContentCapture(false)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			h := newLLMHarness(t, tc.opts...)
			_, call := StartLLM(context.Background(), conversation())
			call.End(answer(), nil)
			_, a := h.lastSpan(t)
			_, prompt := a["gen_ai.prompt.1.content"]
			_, completion := a["gen_ai.completion.0.content"]
			assert.Equal(t, tc.capture, prompt)
			assert.Equal(t, tc.capture, completion)
			assert.Equal(t, int64(120), a["gen_ai.usage.input_tokens"].AsInt64(), "scalars are recorded either way")

			_, err := RunTool(context.Background(), ToolCall{ID: "call_9", Name: "lookup", Arguments: `{"q":1}`},
				func(context.Context, string) (string, error) { return "found", nil })
			require.NoError(t, err)
			_, ta := h.lastSpan(t)
			_, args := ta["gen_ai.tool.call.arguments"]
			assert.Equal(t, tc.capture, args, "tool arguments follow the same switch")
		})
	}
}

func TestOTelJSONMessageForm(t *testing.T) {
	t.Setenv("OTEL_SEMCONV_STABILITY_OPT_IN", "http,gen_ai_latest_experimental")
	h := newLLMHarness(t)
	_, call := StartLLM(context.Background(), conversation())
	call.End(answer(), nil)
	_, a := h.lastSpan(t)

	assert.JSONEq(t, `[{"type":"text","content":"You are terse."}]`, a["gen_ai.system_instructions"].AsString())
	assert.JSONEq(t, `[
		{"role":"user","parts":[{"type":"text","content":"Weather in Paris and Rome?"}]},
		{"role":"assistant","parts":[
			{"type":"tool_call","id":"call_1","name":"weather","arguments":{"city":"Paris"}},
			{"type":"tool_call","id":"call_2","name":"weather","arguments":{"city":"Rome"}}]},
		{"role":"tool","parts":[{"type":"tool_call_response","id":"call_1","response":"18C"}]},
		{"role":"tool","parts":[{"type":"tool_call_response","id":"call_2","response":"24C"}]}
	]`, a["gen_ai.input.messages"].AsString())
	assert.JSONEq(t, `[{"type":"function","name":"weather","description":"Current weather","parameters":{"type":"object"}}]`,
		a["gen_ai.tool.definitions"].AsString())
	assert.JSONEq(t, `[
		{"role":"assistant","parts":[{"type":"text","content":"Paris 18C, Rome 24C."}],"finish_reason":"stop"},
		{"role":"assistant","parts":[{"type":"tool_call","id":"call_3","name":"weather","arguments":{"city":"Oslo"}}],"finish_reason":"tool_calls"}
	]`, a["gen_ai.output.messages"].AsString())
	assert.NotContains(t, a, attribute.Key("gen_ai.prompt.0.content"), "content is written once")
	assert.Equal(t, int64(30), a["gen_ai.usage.completion_tokens"].AsInt64(), "scalars in both vocabularies")
}

func TestContentRedactorAndCap(t *testing.T) {
	h := newLLMHarness(t, WithContentRedactor(RedactSecrets), WithMaxPayloadBytes(60))
	req := LLMRequest{Model: "gpt-4o", Messages: []Message{
		{Role: "user", Content: "my key is sk-proj-abcdefghijklmnopqrstuvwx, keep it safe"},
		{Role: "user", Content: strings.Repeat("long ", 40)},
	}}
	_, call := StartLLM(context.Background(), req)
	call.End(LLMResponse{}, nil)
	_, a := h.lastSpan(t)
	assert.Equal(t, "my key is [REDACTED], keep it safe", a["gen_ai.prompt.0.content"].AsString())
	long := a["gen_ai.prompt.1.content"].AsString()
	assert.True(t, strings.HasPrefix(long, strings.Repeat("long ", 12)), long)
	assert.True(t, strings.HasSuffix(long, "…[truncated 140 bytes]"), long)
}

func TestRunToolSpan(t *testing.T) {
	h := newLLMHarness(t)
	ctx, sess := StartSession(context.Background(), "tools")
	defer sess.End(Success)
	out, err := RunTool(ctx, ToolCall{ID: "call_abc", Name: "get_weather", Arguments: `{"city":"Paris"}`},
		func(ctx context.Context, args string) (string, error) {
			assert.Equal(t, `{"city":"Paris"}`, args)
			assert.True(t, trace.SpanFromContext(ctx).IsRecording(), "the tool runs inside its span")
			return "18C", nil
		})
	require.NoError(t, err)
	assert.Equal(t, "18C", out)
	s, a := h.lastSpan(t)
	assert.Equal(t, "execute_tool get_weather", s.Name())
	for key, want := range map[string]string{
		"gen_ai.operation.name":      "execute_tool",
		"gen_ai.tool.name":           "get_weather",
		"gen_ai.tool.call.id":        "call_abc",
		"tool.call.id":               "call_abc",
		"gen_ai.tool.type":           "function",
		"gen_ai.tool.call.arguments": `{"city":"Paris"}`,
		"tool.parameters":            `{"city":"Paris"}`,
		"gen_ai.tool.call.result":    "18C",
		"tool.result":                "18C",
		"tool.status":                "succeeded",
	} {
		assert.Equal(t, want, a[attribute.Key(key)].AsString(), key)
	}

	_, err = RunTool(ctx, ToolCall{ID: "call_x", Name: "broken"}, func(context.Context, string) (string, error) {
		return "", errors.New("service down")
	})
	require.EqualError(t, err, "tool broken (call call_x): service down")
	s, a = h.lastSpan(t)
	assert.Equal(t, codes.Error, s.Status().Code)
	assert.Equal(t, "failed", a["tool.status"].AsString())
	assert.NotContains(t, a, attribute.Key("gen_ai.tool.call.result"))
}

func TestEndpointFromURL(t *testing.T) {
	for url, want := range map[string]Endpoint{
		"https://api.openai.com/v1":                     {"openai", "api.openai.com", 443},
		"https://my-res.openai.azure.com/openai":        {"azure.ai.openai", "my-res.openai.azure.com", 443},
		"https://api.anthropic.com/v1/":                 {"anthropic", "api.anthropic.com", 443},
		"https://generativelanguage.googleapis.com/v1b": {"gcp.gemini", "generativelanguage.googleapis.com", 443},
		"https://api.groq.com/openai/v1":                {"groq", "api.groq.com", 443},
		"http://localhost:11434/v1":                     {"ollama", "localhost", 11434},
		"http://127.0.0.1:8080/v1":                      {"127.0.0.1", "127.0.0.1", 8080},
		"https://llm-gateway.internal/v1":               {"llm-gateway.internal", "llm-gateway.internal", 443},
		"not a url":                                     {Provider: "openai"},
	} {
		assert.Equal(t, want, EndpointFromURL(url), url)
	}
}

func TestLLMInstrumentationOff(t *testing.T) {
	t.Setenv("AGENTOPS_INSTRUMENT_LLM_CALLS", "false")
	h := newLLMHarness(t)
	ctx, call := StartLLM(context.Background(), LLMRequest{Model: "gpt-4o"})
	assert.False(t, call.Recording())
	assert.Nil(t, LLMSpanFromContext(ctx))
	call.ChunkReceived()
	call.End(answer(), nil)
	assert.Empty(t, h.rec.Ended())
	assert.Empty(t, h.histograms(t, semconv.MetricOperationDuration), "no metrics either")
}

// The metrics reach the backend next to the spans, with the same token.
func TestMetricsExportedWithBearerToken(t *testing.T) {
	b := fakebackend.New(t)
	b.SetRequireAuth(true)
	c := newTestClient(t, b, WithAPIKey(testKey))
	_, call := StartLLM(context.Background(), conversation())
	call.End(answer(), nil)
	require.NoError(t, c.Shutdown(context.Background()))

	points := map[string]fakebackend.HistogramPoint{}
	for _, p := range b.Histograms() {
		points[p.Metric+"/"+tokenType(p)] = p
	}
	in := points["gen_ai.client.token.usage/input"]
	assert.Equal(t, 120.0, in.Sum)
	assert.Equal(t, "{token}", in.Unit)
	assert.Equal(t, semconv.TokenBuckets, in.Bounds)
	assert.Equal(t, "gpt-4o", in.Attrs["gen_ai.request.model"])
	d := points["gen_ai.client.operation.duration/"]
	assert.Equal(t, uint64(1), d.Count)
	assert.Equal(t, "s", d.Unit)
	assert.Equal(t, semconv.DurationBuckets, d.Bounds)
}

func tokenType(p fakebackend.HistogramPoint) string {
	s, _ := p.Attrs["gen_ai.token.type"].(string)
	return s
}

// A long conversation keeps every message: the attribute limit is raised
// for the SDK's own provider, unless a variable sets it.
func TestLongConversationKeepsEveryMessage(t *testing.T) {
	h := newLLMHarness(t)
	req := LLMRequest{Model: "gpt-4o"}
	for i := range 150 {
		req.Messages = append(req.Messages, Message{Role: "user", Content: "message " + strconv.Itoa(i)})
	}
	_, call := StartLLM(context.Background(), req)
	call.End(answer(), nil)
	_, a := h.lastSpan(t)
	assert.Equal(t, "message 149", a["gen_ai.prompt.149.content"].AsString())
	assert.Equal(t, "Paris 18C, Rome 24C.", a["gen_ai.completion.0.content"].AsString())

	assert.Equal(t, 1024, spanLimits(envOf(nil)).AttributeCountLimit)
	assert.Equal(t, 128, spanLimits(envOf(map[string]string{"OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT": "128"})).AttributeCountLimit,
		"a variable still decides")
}

// An API key pasted into a prompt, a tool's arguments or a span's input
// is masked before it is recorded, with no setting to ask for it.
func TestSecretsInContentAreMaskedByDefault(t *testing.T) {
	h := newLLMHarness(t)
	const key = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
	_, call := StartLLM(context.Background(), LLMRequest{Model: "gpt-4o", Messages: []Message{{Role: "user", Content: "my key is " + key}}})
	call.End(LLMResponse{Choices: []Choice{{Message: Message{Role: "assistant", Content: "thanks, " + key}}}}, nil)
	_, a := h.lastSpan(t)
	assert.Equal(t, "my key is [REDACTED]", a["gen_ai.prompt.0.content"].AsString())
	assert.Equal(t, "thanks, [REDACTED]", a["gen_ai.completion.0.content"].AsString())

	_, err := RunTool(context.Background(), ToolCall{ID: "c1", Name: "login", Arguments: `{"token":"` + key + `"}`},
		func(context.Context, string) (string, error) { return "ok", nil })
	require.NoError(t, err)
	_, a = h.lastSpan(t)
	assert.NotContains(t, a["gen_ai.tool.call.arguments"].AsString(), key)

	_, span := StartSpan(context.Background(), KindAgent, "a", WithInput(map[string]string{"api_key": key}))
	span.End(nil)
	_, a = h.lastSpan(t)
	assert.NotContains(t, a["agentops.agent.input"].AsString(), key)
	assert.Contains(t, a["agentops.agent.input"].AsString(), "[REDACTED]")
}

package normalize

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/server/model"
)

// Spans in the shapes their producers write them; the SDK's as llm.go,
// content.go, events.go and session.go write them.

func sessionRoot() *model.Span {
	return &model.Span{
		TraceID: "0af7651916cd43dd8448eb211c80319c", SpanID: "b7ad6b7169203331",
		Name: "checkout.session", Kind: "internal", StatusCode: "ok",
		Attributes: map[string]any{
			"agentops.span.kind":         "session",
			"operation.name":             "checkout",
			"agentops.tags":              []any{"prod", "eu"},
			"agentops.session.end_state": "Success",
			"agentops.session.input":     `{"cart":3}`,
		},
	}
}

func toolSpan() *model.Span {
	return &model.Span{
		TraceID: "0af7651916cd43dd8448eb211c80319c", SpanID: "00f067aa0ba902b7", ParentSpanID: "b7ad6b7169203331",
		Name: "execute_tool search", Kind: "internal", StatusCode: "ok",
		Attributes: map[string]any{
			"agentops.span.kind":      "tool",
			"operation.name":          "search",
			"gen_ai.operation.name":   "execute_tool",
			"tool.name":               "search",
			"gen_ai.tool.name":        "search",
			"tool.status":             "succeeded",
			"agentops.tool.input":     `{"q":"go"}`,
			"tool.parameters":         `{"q":"go"}`,
			"agentops.tool.output":    "3 results",
			"tool.result":             "3 results",
			"gen_ai.usage.total_cost": 0.002,
		},
	}
}

// llmSpanFlat is a streamed chat call with a tool round trip, content in
// the AgentOps flat keys (the SDK's default).
func llmSpanFlat() *model.Span {
	return &model.Span{
		TraceID: "0af7651916cd43dd8448eb211c80319c", SpanID: "1111111111111111", ParentSpanID: "b7ad6b7169203331",
		Name: "chat gpt-4o-mini", Kind: "client", StatusCode: "unset",
		Attributes: map[string]any{
			"agentops.span.kind":                         "llm",
			"gen_ai.operation.name":                      "chat",
			"gen_ai.provider.name":                       "openai",
			"gen_ai.system":                              "OpenAI",
			"gen_ai.request.type":                        "chat",
			"gen_ai.request.model":                       "gpt-4o-mini",
			"gen_ai.request.streaming":                   true,
			"gen_ai.request.stream":                      true,
			"server.address":                             "api.openai.com",
			"server.port":                                int64(443),
			"gen_ai.request.temperature":                 0.2,
			"gen_ai.response.id":                         "chatcmpl-1",
			"gen_ai.response.model":                      "gpt-4o-mini-2024-07-18",
			"gen_ai.response.finish_reasons":             []any{"tool_calls"},
			"gen_ai.usage.prompt_tokens":                 int64(1200),
			"gen_ai.usage.completion_tokens":             int64(300),
			"gen_ai.usage.total_tokens":                  int64(1500),
			"gen_ai.usage.input_tokens":                  int64(1200),
			"gen_ai.usage.output_tokens":                 int64(300),
			"gen_ai.usage.cache_read_input_tokens":       int64(1000),
			"gen_ai.usage.cache_read.input_tokens":       int64(1000),
			"gen_ai.streaming.time_to_first_token":       0.42,
			"gen_ai.response.time_to_first_chunk":        0.42,
			"gen_ai.prompt.0.role":                       "system",
			"gen_ai.prompt.0.content":                    "Be brief.",
			"gen_ai.prompt.1.role":                       "user",
			"gen_ai.prompt.1.content":                    "Find Go books.",
			"gen_ai.prompt.2.role":                       "assistant",
			"gen_ai.prompt.2.tool_calls.0.id":            "call_1",
			"gen_ai.prompt.2.tool_calls.0.name":          "search",
			"gen_ai.prompt.2.tool_calls.0.arguments":     `{"q":"go"}`,
			"gen_ai.prompt.3.role":                       "tool",
			"gen_ai.prompt.3.content":                    "3 results",
			"gen_ai.prompt.3.tool_call_id":               "call_1",
			"gen_ai.request.functions.0.name":            "search",
			"gen_ai.request.functions.0.description":     "Search books",
			"gen_ai.request.functions.0.parameters":      `{"type":"object"}`,
			"gen_ai.completion.0.role":                   "assistant",
			"gen_ai.completion.0.finish_reason":          "tool_calls",
			"gen_ai.completion.0.tool_calls.0.id":        "call_2",
			"gen_ai.completion.0.tool_calls.0.name":      "search",
			"gen_ai.completion.0.tool_calls.0.type":      "function",
			"gen_ai.completion.0.tool_calls.0.arguments": `{"q":"golang"}`,
			"gen_ai.completion.0.tool_calls.1.id":        "call_3",
			"gen_ai.completion.0.tool_calls.1.name":      "price",
			"gen_ai.completion.0.tool_calls.1.type":      "function",
			"gen_ai.completion.0.tool_calls.1.arguments": `{"isbn":"1"}`,
		},
	}
}

// llmSpanJSON is a chat call with content in the OTel GenAI JSON form
// (WithGenAILatestExperimental), as content.go marshals it.
func llmSpanJSON() *model.Span {
	return &model.Span{
		Name: "chat claude-3-5-sonnet-20241022", Kind: "client", StatusCode: "unset", ParentSpanID: "b7ad6b7169203331",
		Attributes: map[string]any{
			"agentops.span.kind":                       "llm",
			"gen_ai.operation.name":                    "chat",
			"gen_ai.provider.name":                     "anthropic",
			"gen_ai.system":                            "Anthropic",
			"gen_ai.request.model":                     "claude-3-5-sonnet-20241022",
			"gen_ai.usage.input_tokens":                int64(12000),
			"gen_ai.usage.output_tokens":               int64(100),
			"gen_ai.usage.prompt_tokens":               int64(12000),
			"gen_ai.usage.completion_tokens":           int64(100),
			"gen_ai.usage.cache_read.input_tokens":     int64(8000),
			"gen_ai.usage.cache_creation.input_tokens": int64(2000),
			"gen_ai.system_instructions":               `[{"type":"text","content":"Be brief."}]`,
			"gen_ai.input.messages": `[{"role":"user","parts":[{"type":"text","content":"Find <Go> books & more"}]},` +
				`{"role":"assistant","parts":[{"type":"tool_call","id":"c1","name":"search","arguments":{"q":"go"}}]},` +
				`{"role":"tool","parts":[{"type":"tool_call_response","id":"c1","response":"3 results"}]}]`,
			"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"reasoning","content":"hm"},` +
				`{"type":"text","content":"Here:\n1. \"Go\""}],"finish_reason":"stop"}]`,
			"gen_ai.tool.definitions": `[{"type":"function","name":"search"}]`,
		},
	}
}

// openInferenceSpan is an LLM span as Phoenix's instrumentations write it.
func openInferenceSpan() *model.Span {
	return &model.Span{
		Name: "ChatOpenAI", Kind: "internal", StatusCode: "ok",
		Attributes: map[string]any{
			"openinference.span.kind":                      "LLM",
			"llm.model_name":                               "gpt-4o",
			"llm.provider":                                 "openai",
			"llm.system":                                   "openai",
			"llm.token_count.prompt":                       int64(100),
			"llm.token_count.completion":                   int64(20),
			"llm.token_count.total":                        int64(120),
			"llm.token_count.prompt_details.cache_read":    int64(40),
			"llm.token_count.completion_details.reasoning": int64(5),
			"input.value":                                  `{"messages":[...]}`,
			"input.mime_type":                              "application/json",
			"output.value":                                 "Paris",
			"llm.input_messages.0.message.role":            "system",
			"llm.input_messages.0.message.content":         "You answer.",
			"llm.input_messages.1.message.role":            "user",
			"llm.input_messages.1.message.contents.0.message_content.type":            "text",
			"llm.input_messages.1.message.contents.0.message_content.text":            "Capital of",
			"llm.input_messages.1.message.contents.1.message_content.text":            "France?",
			"llm.output_messages.0.message.role":                                      "assistant",
			"llm.output_messages.0.message.content":                                   "Paris",
			"llm.output_messages.0.message.tool_calls.0.tool_call.id":                 "t1",
			"llm.output_messages.0.message.tool_calls.0.tool_call.function.name":      "lookup",
			"llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": `{"city":"Paris"}`,
		},
	}
}

func TestSpanShapes(t *testing.T) {
	n := New(nil)
	tests := []struct {
		name string
		span *model.Span
		want model.Derived
	}{
		{
			name: "SDK session root",
			span: sessionRoot(),
			want: model.Derived{
				Class: "session", Label: "checkout", SessionName: "checkout", Tags: []string{"prod", "eu"},
				EndState: "Success", Input: `{"cart":3}`,
			},
		},
		{
			name: "SDK tool span",
			span: toolSpan(),
			want: model.Derived{
				Class: "tool", Operation: "execute_tool", Label: "search", Tool: "search",
				Cost: 0.002, CostSource: "span", Input: `{"q":"go"}`, Output: "3 results",
			},
		},
		{
			name: "traceloop workflow",
			span: &model.Span{Name: "plan.workflow", StatusCode: "unset", Attributes: map[string]any{
				"traceloop.span.kind":     "workflow",
				"traceloop.entity.name":   "plan",
				"traceloop.entity.input":  `{"args":[]}`,
				"traceloop.entity.output": `"done"`,
			}},
			want: model.Derived{Class: "workflow", Label: "plan.workflow", Input: `{"args":[]}`, Output: `"done"`},
		},
		{
			name: "plain HTTP client span",
			span: &model.Span{Name: "GET", Kind: "client", StatusCode: "unset", ParentSpanID: "aa", Attributes: map[string]any{
				"http.request.method": "GET", "url.full": "https://example.com/x", "http.response.status_code": int64(200),
			}},
			want: model.Derived{Class: "http", Label: "GET"},
		},
		{
			name: "old HTTP conventions",
			span: &model.Span{Name: "HTTP GET", Attributes: map[string]any{"http.method": "GET"}},
			want: model.Derived{Class: "http", Label: "HTTP GET"},
		},
		{
			name: "database span",
			span: &model.Span{Name: "SELECT books", Attributes: map[string]any{"db.system.name": "sqlite", "db.query.text": "SELECT 1"}},
			want: model.Derived{Class: "db", Label: "SELECT books"},
		},
		{
			name: "root named .session without attributes",
			span: &model.Span{Name: "nightly.session", StatusCode: "error"},
			want: model.Derived{Class: "session", Label: "nightly", SessionName: "nightly", EndState: "Error", Error: true, ErrorType: "error"},
		},
		{
			name: "child named .session is not a session",
			span: &model.Span{Name: "x.session", ParentSpanID: "ab"},
			want: model.Derived{Class: "other", Label: "x.session"},
		},
		{
			name: "the SDK's sources span",
			span: &model.Span{Name: "agentops.sources", ParentSpanID: "ab", Attributes: map[string]any{
				"agentops.sources.files": []any{"main.go"}, "agentops.sources.urls": []any{"http://x/1"},
				"agentops.build.module": "example.com/m",
			}},
			want: model.Derived{Class: "other", Label: "agentops.sources"},
		},
		{
			name: "nothing at all",
			span: &model.Span{},
			want: model.Derived{Class: "other"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n.Span(tt.span)
			assert.Equal(t, tt.want, tt.span.Derived)
		})
	}
}

func TestSDKLLMSpanFlat(t *testing.T) {
	s := llmSpanFlat()
	New(nil).Span(s)
	d := s.Derived
	assert.Equal(t, "llm", d.Class)
	assert.Equal(t, "chat", d.Operation)
	assert.Equal(t, "gpt-4o-mini-2024-07-18", d.Model, "the response model wins")
	assert.Equal(t, "gpt-4o-mini-2024-07-18", d.Label)
	assert.Equal(t, "openai", d.Provider)
	assert.Equal(t, int64(1200), d.InputTokens)
	assert.Equal(t, int64(300), d.OutputTokens)
	assert.Equal(t, int64(1000), d.CacheReadTokens)
	assert.InDelta(t, 0.42, d.TTFT, 1e-12)
	assert.Equal(t, "table", d.CostSource)
	// gpt-4o-mini: 0.15 in, 0.075 cached, 0.60 out per 1M.
	assert.InDelta(t, (200*0.15+1000*0.075+300*0.60)/1e6, d.Cost, 1e-15)
	assert.False(t, d.Error)
	assert.Empty(t, d.Input)

	want := []model.Message{
		{Direction: "input", Index: 0, Role: "system", Content: "Be brief."},
		{Direction: "input", Index: 1, Role: "user", Content: "Find Go books."},
		{Direction: "input", Index: 2, Role: "assistant", ToolCalls: []model.ToolCall{{ID: "call_1", Name: "search", Arguments: `{"q":"go"}`}}},
		{Direction: "input", Index: 3, Role: "tool", Content: "3 results", ToolCallID: "call_1"},
		{Direction: "output", Index: 0, Role: "assistant", FinishReason: "tool_calls", ToolCalls: []model.ToolCall{
			{ID: "call_2", Name: "search", Arguments: `{"q":"golang"}`},
			{ID: "call_3", Name: "price", Arguments: `{"isbn":"1"}`},
		}},
	}
	assert.Equal(t, want, d.Messages)
}

func TestSDKLLMSpanJSON(t *testing.T) {
	s := llmSpanJSON()
	New(nil).Span(s)
	d := s.Derived
	assert.Equal(t, "llm", d.Class)
	assert.Equal(t, "claude-3-5-sonnet-20241022", d.Model, "the request model when there is no response model")
	assert.Equal(t, "anthropic", d.Provider)
	assert.Equal(t, int64(8000), d.CacheReadTokens)
	assert.Equal(t, int64(2000), d.CacheCreationTokens)
	assert.Equal(t, "table", d.CostSource)
	assert.InDelta(t, (2000*3+8000*0.30+2000*3.75+100*15)/1e6, d.Cost, 1e-15)

	want := []model.Message{
		{Direction: "input", Index: 0, Role: "system", Content: "Be brief."},
		{Direction: "input", Index: 1, Role: "user", Content: "Find <Go> books & more"},
		{Direction: "input", Index: 2, Role: "assistant", ToolCalls: []model.ToolCall{{ID: "c1", Name: "search", Arguments: `{"q":"go"}`}}},
		{Direction: "input", Index: 3, Role: "tool", Content: "3 results", ToolCallID: "c1"},
		{Direction: "output", Index: 0, Role: "assistant", Content: "Here:\n1. \"Go\"", FinishReason: "stop"},
	}
	assert.Equal(t, want, d.Messages)
}

func TestOpenInferenceLLMSpan(t *testing.T) {
	s := openInferenceSpan()
	New(nil).Span(s)
	d := s.Derived
	assert.Equal(t, "llm", d.Class)
	assert.Equal(t, "chat", d.Operation)
	assert.Equal(t, "gpt-4o", d.Model)
	assert.Equal(t, "gpt-4o", d.Label)
	assert.Equal(t, "openai", d.Provider)
	assert.Equal(t, int64(100), d.InputTokens)
	assert.Equal(t, int64(20), d.OutputTokens)
	assert.Equal(t, int64(40), d.CacheReadTokens)
	assert.Equal(t, int64(5), d.ReasoningTokens)
	assert.Equal(t, "table", d.CostSource)
	assert.InDelta(t, (60*2.5+40*1.25+20*10)/1e6, d.Cost, 1e-15)
	assert.Equal(t, `{"messages":[...]}`, d.Input)
	assert.Equal(t, "Paris", d.Output)
	want := []model.Message{
		{Direction: "input", Index: 0, Role: "system", Content: "You answer."},
		{Direction: "input", Index: 1, Role: "user", Content: "Capital of\nFrance?"},
		{Direction: "output", Index: 0, Role: "assistant", Content: "Paris", ToolCalls: []model.ToolCall{
			{ID: "t1", Name: "lookup", Arguments: `{"city":"Paris"}`},
		}},
	}
	assert.Equal(t, want, d.Messages)
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name  string
		attrs map[string]any
		span  model.Span
		class string
		op    string
	}{
		{"agentops kind wins over the operation", map[string]any{"agentops.span.kind": "agent", "gen_ai.operation.name": "chat"}, model.Span{}, "agent", "chat"},
		{"agentops kind in any case", map[string]any{"agentops.span.kind": "Workflow"}, model.Span{}, "workflow", ""},
		{"agentops chain", map[string]any{"agentops.span.kind": "chain"}, model.Span{}, "chain", ""},
		{"agentops task", map[string]any{"agentops.span.kind": "task"}, model.Span{}, "task", ""},
		{"agentops guardrail", map[string]any{"agentops.span.kind": "guardrail"}, model.Span{}, "guardrail", ""},
		{"agentops operation", map[string]any{"agentops.span.kind": "operation"}, model.Span{}, "operation", ""},
		{"agentops retrieval", map[string]any{"agentops.span.kind": "retrieval"}, model.Span{}, "retrieval", "retrieval"},
		{"SDK embeddings call", map[string]any{"agentops.span.kind": "llm", "gen_ai.operation.name": "embeddings"}, model.Span{}, "embedding", "embeddings"},
		{"unknown agentops kind falls through", map[string]any{"agentops.span.kind": "custom", "gen_ai.operation.name": "execute_tool"}, model.Span{}, "tool", "execute_tool"},
		{"genai chat", map[string]any{"gen_ai.operation.name": "chat"}, model.Span{}, "llm", "chat"},
		{"genai text_completion", map[string]any{"gen_ai.operation.name": "text_completion"}, model.Span{}, "llm", "text_completion"},
		{"genai generate_content", map[string]any{"gen_ai.operation.name": "generate_content"}, model.Span{}, "llm", "generate_content"},
		{"genai embeddings", map[string]any{"gen_ai.operation.name": "embeddings"}, model.Span{}, "embedding", "embeddings"},
		{"genai execute_tool", map[string]any{"gen_ai.operation.name": "execute_tool"}, model.Span{}, "tool", "execute_tool"},
		{"genai invoke_agent", map[string]any{"gen_ai.operation.name": "invoke_agent"}, model.Span{}, "agent", "invoke_agent"},
		{"genai create_agent", map[string]any{"gen_ai.operation.name": "create_agent"}, model.Span{}, "agent", "create_agent"},
		{"genai retrieval", map[string]any{"gen_ai.operation.name": "retrieval"}, model.Span{}, "retrieval", "retrieval"},
		{"openinference LLM", map[string]any{"openinference.span.kind": "LLM"}, model.Span{}, "llm", "chat"},
		{"openinference EMBEDDING", map[string]any{"openinference.span.kind": "EMBEDDING"}, model.Span{}, "embedding", "embeddings"},
		{"openinference TOOL", map[string]any{"openinference.span.kind": "TOOL"}, model.Span{}, "tool", "execute_tool"},
		{"openinference AGENT", map[string]any{"openinference.span.kind": "AGENT"}, model.Span{}, "agent", "invoke_agent"},
		{"openinference CHAIN", map[string]any{"openinference.span.kind": "CHAIN"}, model.Span{}, "chain", ""},
		{"openinference RETRIEVER", map[string]any{"openinference.span.kind": "RETRIEVER"}, model.Span{}, "retrieval", "retrieval"},
		{"openinference RERANKER", map[string]any{"openinference.span.kind": "RERANKER"}, model.Span{}, "retrieval", "retrieval"},
		{"openinference GUARDRAIL", map[string]any{"openinference.span.kind": "GUARDRAIL"}, model.Span{}, "guardrail", ""},
		{"openinference EVALUATOR", map[string]any{"openinference.span.kind": "EVALUATOR"}, model.Span{}, "guardrail", ""},
		{"openinference lower case", map[string]any{"openinference.span.kind": "llm"}, model.Span{}, "llm", "chat"},
		{"traceloop task", map[string]any{"traceloop.span.kind": "task"}, model.Span{}, "task", ""},
		{"traceloop agent", map[string]any{"traceloop.span.kind": "agent"}, model.Span{}, "agent", "invoke_agent"},
		{"traceloop tool", map[string]any{"traceloop.span.kind": "tool"}, model.Span{}, "tool", "execute_tool"},
		{"openllmetry completion", map[string]any{"llm.request.type": "completion"}, model.Span{}, "llm", "text_completion"},
		{"openllmetry embedding", map[string]any{"gen_ai.request.type": "embedding"}, model.Span{}, "embedding", "embeddings"},
		{"a model and nothing else", map[string]any{"gen_ai.request.model": "gpt-4o"}, model.Span{}, "llm", "chat"},
		{"genai beats http", map[string]any{"gen_ai.operation.name": "chat", "http.request.method": "POST"}, model.Span{}, "llm", "chat"},
		{"http beats the session name", map[string]any{"http.method": "GET"}, model.Span{Name: "a.session"}, "http", ""},
		{"non-string kinds are ignored", map[string]any{"agentops.span.kind": int64(3), "gen_ai.operation.name": []any{"chat"}}, model.Span{}, "other", ""},
		{"unknown everything", map[string]any{"x": "y", "gen_ai.operation.name": "dance"}, model.Span{Name: "s"}, "other", "dance"},
	}
	n := New(nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.span
			s.Attributes = tt.attrs
			n.Span(&s)
			assert.Equal(t, tt.class, s.Derived.Class)
			assert.Equal(t, tt.op, s.Derived.Operation)
		})
	}
}

func TestPromotion(t *testing.T) {
	tests := []struct {
		name  string
		attrs map[string]any
		check func(t *testing.T, d model.Derived)
	}{
		{"request model when the response has none", map[string]any{"gen_ai.request.model": "gpt-4o", "gen_ai.response.model": ""},
			func(t *testing.T, d model.Derived) { assert.Equal(t, "gpt-4o", d.Model) }},
		{"openinference model last", map[string]any{"llm.model_name": "m", "gen_ai.request.model": "r"},
			func(t *testing.T, d model.Derived) { assert.Equal(t, "r", d.Model) }},
		{"provider name as is", map[string]any{"gen_ai.provider.name": "azure.ai.openai", "gen_ai.system": "Azure"},
			func(t *testing.T, d model.Derived) { assert.Equal(t, "azure.ai.openai", d.Provider) }},
		{"system lower-cased", map[string]any{"gen_ai.system": "OpenAI"},
			func(t *testing.T, d model.Derived) { assert.Equal(t, "openai", d.Provider) }},
		{"llm.provider", map[string]any{"llm.provider": "Anthropic", "llm.system": "x"},
			func(t *testing.T, d model.Derived) { assert.Equal(t, "anthropic", d.Provider) }},
		{"llm.system", map[string]any{"llm.system": "vertexai"},
			func(t *testing.T, d model.Derived) { assert.Equal(t, "vertexai", d.Provider) }},
		{"genai tool name first", map[string]any{"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "a", "tool.name": "b"},
			func(t *testing.T, d model.Derived) { assert.Equal(t, "a", d.Tool); assert.Equal(t, "a", d.Label) }},
		{"tool.name", map[string]any{"openinference.span.kind": "TOOL", "tool.name": "b"},
			func(t *testing.T, d model.Derived) { assert.Equal(t, "b", d.Tool); assert.Equal(t, "b", d.Label) }},
		{"agent label", map[string]any{"agentops.span.kind": "agent", "agent.name": "planner"},
			func(t *testing.T, d model.Derived) { assert.Equal(t, "planner", d.Label) }},
		{"genai agent label first", map[string]any{"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "a", "agent.name": "b"},
			func(t *testing.T, d model.Derived) { assert.Equal(t, "a", d.Label) }},
		{"agent without a name is labelled with the span name", map[string]any{"agentops.span.kind": "agent"},
			func(t *testing.T, d model.Derived) { assert.Equal(t, "span", d.Label) }},
		{"genai tool arguments", map[string]any{"gen_ai.operation.name": "execute_tool", "gen_ai.tool.call.arguments": `{"a":1}`, "gen_ai.tool.call.result": `{"b":2}`},
			func(t *testing.T, d model.Derived) {
				assert.Equal(t, `{"a":1}`, d.Input)
				assert.Equal(t, `{"b":2}`, d.Output)
			}},
		{"agentops payload of the span's kind first", map[string]any{"agentops.span.kind": "task", "agentops.entity.input": "e", "agentops.task.input": "t", "agentops.agent.input": "a"},
			func(t *testing.T, d model.Derived) { assert.Equal(t, "t", d.Input); assert.Empty(t, d.Output) }},
		{"agentops entity payload", map[string]any{"agentops.span.kind": "task", "agentops.entity.input": "e", "agentops.entity.output": "o", "tool.parameters": "p"},
			func(t *testing.T, d model.Derived) { assert.Equal(t, "e", d.Input); assert.Equal(t, "o", d.Output) }},
		{"agentops payload of the least other kind, whatever the map order", map[string]any{
			"agentops.d.input": "d", "agentops.b.input": "b", "agentops.e.input": "e", "agentops.c.input": "c",
			"agentops.f.input": "f", "agentops.z.output": "z", "agentops.y.output": "y", "agentops.x.y.input": "nested",
		},
			func(t *testing.T, d model.Derived) { assert.Equal(t, "b", d.Input); assert.Equal(t, "y", d.Output) }},
		{"agentops payload of a custom kind", map[string]any{"agentops.span.kind": "review", "agentops.review.input": "r", "agentops.a.input": "a"},
			func(t *testing.T, d model.Derived) { assert.Equal(t, "r", d.Input) }},
		{"structured payloads become JSON", map[string]any{"input.value": map[string]any{"q": "<go>"}, "output.value": []any{int64(1), 2.5, true}},
			func(t *testing.T, d model.Derived) {
				assert.Equal(t, `{"q":"<go>"}`, d.Input)
				assert.Equal(t, `[1,2.5,true]`, d.Output)
			}},
		{"ttft from the GenAI key first", map[string]any{"gen_ai.response.time_to_first_chunk": 0.25, "gen_ai.streaming.time_to_first_token": 0.5},
			func(t *testing.T, d model.Derived) { assert.InDelta(t, 0.25, d.TTFT, 1e-12) }},
		{"ttft from the AgentOps key, as a string", map[string]any{"gen_ai.streaming.time_to_first_token": "0.5"},
			func(t *testing.T, d model.Derived) { assert.InDelta(t, 0.5, d.TTFT, 1e-12) }},
		{"negative ttft is ignored", map[string]any{"gen_ai.response.time_to_first_chunk": -1.0},
			func(t *testing.T, d model.Derived) { assert.Zero(t, d.TTFT) }},
		{"tags as a JSON string", map[string]any{"agentops.tags": `["a", "b"]`},
			func(t *testing.T, d model.Derived) { assert.Equal(t, []string{"a", "b"}, d.Tags) }},
		{"tags as a comma list", map[string]any{"agentops.tags": " a, b ,,c "},
			func(t *testing.T, d model.Derived) { assert.Equal(t, []string{"a", "b", "c"}, d.Tags) }},
		{"tags as []string", map[string]any{"agentops.tags": []string{"x", ""}},
			func(t *testing.T, d model.Derived) { assert.Equal(t, []string{"x"}, d.Tags) }},
		{"empty tags", map[string]any{"agentops.tags": []any{}},
			func(t *testing.T, d model.Derived) { assert.Nil(t, d.Tags) }},
	}
	n := New(nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &model.Span{Name: "span", Attributes: tt.attrs}
			n.Span(s)
			tt.check(t, s.Derived)
		})
	}
}

func TestTokens(t *testing.T) {
	type tokens struct{ in, out, cacheRead, cacheCreation, reasoning int64 }
	tests := []struct {
		name  string
		attrs map[string]any
		want  tokens
	}{
		{"OTel GenAI", map[string]any{
			"gen_ai.usage.input_tokens": int64(10), "gen_ai.usage.output_tokens": int64(20),
			"gen_ai.usage.cache_read.input_tokens": int64(3), "gen_ai.usage.cache_creation.input_tokens": int64(4),
			"gen_ai.usage.reasoning.output_tokens": int64(5),
		}, tokens{10, 20, 3, 4, 5}},
		{"AgentOps", map[string]any{
			"gen_ai.usage.prompt_tokens": int64(10), "gen_ai.usage.completion_tokens": int64(20),
			"gen_ai.usage.cache_read_input_tokens": int64(3), "gen_ai.usage.cache_creation_input_tokens": int64(4),
			"gen_ai.usage.reasoning_tokens": int64(5),
		}, tokens{10, 20, 3, 4, 5}},
		{"OpenInference", map[string]any{
			"llm.token_count.prompt": int64(10), "llm.token_count.completion": int64(20),
			"llm.token_count.prompt_details.cache_read": int64(3), "llm.token_count.prompt_details.cache_write": int64(4),
			"llm.token_count.completion_details.reasoning": int64(5),
		}, tokens{10, 20, 3, 4, 5}},
		{"OTel wins over AgentOps wins over OpenInference", map[string]any{
			"gen_ai.usage.input_tokens": int64(1), "gen_ai.usage.prompt_tokens": int64(2), "llm.token_count.prompt": int64(3),
			"gen_ai.usage.completion_tokens": int64(5), "llm.token_count.completion": int64(6),
			"gen_ai.usage.cache_read_input_tokens": int64(8), "llm.token_count.prompt_details.cache_read": int64(9),
		}, tokens{1, 5, 8, 0, 0}},
		{"floats", map[string]any{"gen_ai.usage.input_tokens": 10.0, "gen_ai.usage.output_tokens": 20.9}, tokens{10, 20, 0, 0, 0}},
		{"numeric strings", map[string]any{"gen_ai.usage.input_tokens": "10", "gen_ai.usage.output_tokens": " 20 ", "gen_ai.usage.reasoning_tokens": "5.0"}, tokens{10, 20, 0, 0, 5}},
		{"other integer types", map[string]any{"gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": int32(20), "gen_ai.usage.cache_read.input_tokens": uint64(3)}, tokens{10, 20, 3, 0, 0}},
		{"bad values fall through", map[string]any{
			"gen_ai.usage.input_tokens": "lots", "gen_ai.usage.prompt_tokens": int64(7),
			"gen_ai.usage.output_tokens": int64(-1), "gen_ai.usage.completion_tokens": 8.0,
		}, tokens{7, 8, 0, 0, 0}},
		{"unusable values", map[string]any{
			"gen_ai.usage.input_tokens": true, "gen_ai.usage.output_tokens": []any{int64(1)},
			"gen_ai.usage.cache_read.input_tokens": 1e300, "gen_ai.usage.reasoning_tokens": "NaN",
			"gen_ai.usage.cache_creation.input_tokens": nil,
		}, tokens{}},
	}
	n := New(nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &model.Span{Name: "x", Attributes: tt.attrs}
			n.Span(s)
			d := s.Derived
			assert.Equal(t, tt.want, tokens{d.InputTokens, d.OutputTokens, d.CacheReadTokens, d.CacheCreationTokens, d.ReasoningTokens})
		})
	}
}

func TestCost(t *testing.T) {
	tests := []struct {
		name   string
		attrs  map[string]any
		cost   float64
		source string
	}{
		{"table, dated response model", map[string]any{
			"gen_ai.response.model": "gpt-4o-2024-08-06", "gen_ai.usage.prompt_tokens": int64(1000), "gen_ai.usage.completion_tokens": int64(100),
		}, (1000*2.5 + 100*10) / 1e6, "table"},
		{"table, provider-prefixed model", map[string]any{
			"gen_ai.request.model": "openai/gpt-4o-mini", "gen_ai.usage.input_tokens": int64(1_000_000),
		}, 0.15, "table"},
		{"table, gemini path", map[string]any{
			"gen_ai.request.model": "models/gemini-2.0-flash", "gen_ai.usage.input_tokens": int64(1_000_000), "gen_ai.usage.output_tokens": int64(1_000_000),
		}, 0.5, "table"},
		{"table, cached and reasoning tokens", map[string]any{
			"gen_ai.response.model": "o4-mini-2025-04-16", "gen_ai.usage.input_tokens": int64(10_000),
			"gen_ai.usage.cache_read.input_tokens": int64(8_000), "gen_ai.usage.output_tokens": int64(3000),
			"gen_ai.usage.reasoning.output_tokens": int64(2500),
		}, (2000*1.10 + 8000*0.275 + 3000*4.40) / 1e6, "table"},
		{"table, request model when the response model is unknown", map[string]any{
			"gen_ai.response.model": "my-azure-deployment", "gen_ai.request.model": "gpt-4.1", "gen_ai.usage.input_tokens": int64(1_000_000),
		}, 2.0, "table"},
		{"table, openinference", map[string]any{
			"llm.model_name": "claude-3-haiku-20240307", "llm.token_count.prompt": int64(1_000_000),
		}, 0.25, "table"},
		{"the span's own cost wins", map[string]any{
			"gen_ai.response.model": "gpt-4o", "gen_ai.usage.input_tokens": int64(1000), "gen_ai.usage.total_cost": 0.5,
		}, 0.5, "span"},
		{"the span's own cost as a string", map[string]any{"gen_ai.usage.total_cost": "0.25"}, 0.25, "span"},
		{"the span's own zero cost", map[string]any{"gen_ai.usage.total_cost": int64(0), "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": int64(10)}, 0, "span"},
		{"openinference cost", map[string]any{"llm.cost.total": 0.125}, 0.125, "span"},
		{"a bad own cost falls back to the table", map[string]any{
			"gen_ai.usage.total_cost": "free", "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": int64(1_000_000),
		}, 2.5, "table"},
		{"unknown model", map[string]any{"gen_ai.request.model": "local-llama", "gen_ai.usage.input_tokens": int64(1000)}, 0, ""},
		{"no tokens", map[string]any{"gen_ai.request.model": "gpt-4o"}, 0, ""},
		{"no model", map[string]any{"gen_ai.usage.input_tokens": int64(1000)}, 0, ""},
	}
	n := New(nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &model.Span{Name: "x", Attributes: tt.attrs}
			n.Span(s)
			assert.InDelta(t, tt.cost, s.Derived.Cost, 1e-15)
			assert.Equal(t, tt.source, s.Derived.CostSource)
		})
	}
}

func TestErrors(t *testing.T) {
	exception := func(typ any) model.Event {
		attrs := map[string]any{"exception.message": "boom"}
		if typ != nil {
			attrs["exception.type"] = typ
		}
		return model.Event{Name: "exception", Time: time.Unix(1, 0), Attributes: attrs}
	}
	tests := []struct {
		name    string
		span    model.Span
		err     bool
		errType string
	}{
		{"ok", model.Span{StatusCode: "ok"}, false, ""},
		{"unset with error.type is not an error", model.Span{StatusCode: "unset", Attributes: map[string]any{"error.type": "x"}}, false, ""},
		{"status error", model.Span{StatusCode: "error"}, true, "error"},
		{"status error in OTLP spelling", model.Span{StatusCode: "STATUS_CODE_ERROR"}, true, "error"},
		{"error.type wins", model.Span{StatusCode: "error", Attributes: map[string]any{"error.type": "429"},
			Events: []model.Event{exception("*errors.errorString")}}, true, "429"},
		{"exception type", model.Span{StatusCode: "error", Events: []model.Event{{Name: "log"}, exception("*net.OpError")}}, true, "*net.OpError"},
		{"an exception event alone", model.Span{StatusCode: "unset", Events: []model.Event{exception("ValueError")}}, true, "ValueError"},
		{"an exception without a type", model.Span{Events: []model.Event{exception(nil)}}, true, "error"},
		{"the first typed exception", model.Span{Events: []model.Event{exception(nil), exception("B")}}, true, "B"},
	}
	n := New(nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.span
			n.Span(&s)
			assert.Equal(t, tt.err, s.Derived.Error)
			assert.Equal(t, tt.errType, s.Derived.ErrorType)
		})
	}
}

func TestSessionEndState(t *testing.T) {
	tests := []struct {
		state  any
		status string
		want   string
	}{
		{"Success", "ok", "Success"},
		{"Error", "error", "Error"},
		{"Indeterminate", "unset", "Indeterminate"},
		{"success", "unset", "Success"},
		{"Fail", "unset", "Error"},
		{"Failure", "unset", "Error"},
		{"FAILED", "", "Error"},
		{nil, "ok", "Success"},
		{nil, "error", "Error"},
		{nil, "unset", "Indeterminate"},
		{"", "ok", "Success"},
		{"Running", "error", "Error"},
		{int64(1), "", "Indeterminate"},
	}
	n := New(nil)
	for _, tt := range tests {
		t.Run(text(tt.state)+"/"+tt.status, func(t *testing.T) {
			attrs := map[string]any{"agentops.span.kind": "session"}
			if tt.state != nil {
				attrs["agentops.session.end_state"] = tt.state
			}
			s := &model.Span{Name: "run.session", StatusCode: tt.status, Attributes: attrs}
			n.Span(s)
			assert.Equal(t, tt.want, s.Derived.EndState)
			assert.Equal(t, "run", s.Derived.SessionName)
		})
	}

	// Only sessions get an end state.
	s := toolSpan()
	s.Attributes["agentops.session.end_state"] = "Success"
	n.Span(s)
	assert.Empty(t, s.Derived.EndState)
	assert.Empty(t, s.Derived.SessionName)
}

func TestSpanReplacesDerived(t *testing.T) {
	s := llmSpanFlat()
	s.Derived = model.Derived{Class: "stale", SessionName: "stale", Tags: []string{"stale"}}
	New(nil).Span(s)
	assert.Equal(t, "llm", s.Derived.Class)
	assert.Empty(t, s.Derived.SessionName)
	assert.Nil(t, s.Derived.Tags)
}

func TestSpanDoesNotChangeAttributes(t *testing.T) {
	s := llmSpanJSON()
	before := len(s.Attributes)
	New(nil).Span(s)
	New(nil).Span(nil) // nothing to do
	require.Len(t, s.Attributes, before)
	assert.Equal(t, "claude-3-5-sonnet-20241022", s.Attributes["gen_ai.request.model"])
}

// TestConcurrent runs one Normalizer from many goroutines over spans that
// share their attribute maps, as ingest does; -race checks it.
func TestConcurrent(t *testing.T) {
	n := New(nil)
	templates := []*model.Span{sessionRoot(), toolSpan(), llmSpanFlat(), llmSpanJSON(), openInferenceSpan()}
	want := make([]model.Derived, len(templates))
	for i, s := range templates {
		n.Span(s)
		want[i] = s.Derived
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				k := (g + i) % len(templates)
				s := *templates[k] // shares Attributes
				s.Derived = model.Derived{}
				n.Span(&s)
				if !assert.Equal(t, want[k], s.Derived) {
					return
				}
			}
		})
	}
	wg.Wait()
}

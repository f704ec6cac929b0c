package openai

import (
	"encoding/json"
	"strings"
	"testing"

	goopenai "github.com/sashabaranov/go-openai"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops"
)

func decodeChunks(t *testing.T, lines ...string) []goopenai.ChatCompletionStreamResponse {
	t.Helper()
	out := make([]goopenai.ChatCompletionStreamResponse, len(lines))
	for i, l := range lines {
		require.NoError(t, json.Unmarshal([]byte(l), &out[i]), l)
	}
	return out
}

// Both decoders (go-openai's for the typed stream, the transport's own)
// must assemble the same answer from the same chunks.
func assembleBoth(t *testing.T, lines ...string) agentops.LLMResponse {
	t.Helper()
	typed := assembler{content: true}
	for _, c := range decodeChunks(t, lines...) {
		typed.chat(&c)
	}
	wire := assembler{content: true}
	for _, l := range lines {
		var c wireAnswer
		require.NoError(t, json.Unmarshal([]byte(l), &c))
		wire.wire(&c)
	}
	resp := typed.response()
	assert.Equal(t, resp, wire.response(), "typed and wire assembly agree")
	return resp
}

func TestAssemblerStream(t *testing.T) {
	resp := assembleBoth(t, chatStreamChunks(true)...)
	require.Len(t, resp.Choices, 1)
	assert.Equal(t, agentops.Choice{FinishReason: "tool_calls", Message: agentops.Message{
		Role: "assistant", Content: streamContent,
		ToolCalls: []agentops.ToolCall{
			{ID: "call_Dn2RJJSxzDm49vlVTehseJ0k", Type: "function", Name: "get_weather", Arguments: streamArgs0},
			{ID: "call_m8QeLxYzd3W1bK7nGcFpT2sA", Type: "function", Name: "get_time", Arguments: streamArgs1},
		},
	}}, resp.Choices[0])
	assert.Equal(t, &agentops.Usage{InputTokens: 91, OutputTokens: 63, TotalTokens: 154, CacheReadTokens: 64}, resp.Usage)
	assert.Equal(t, streamID, resp.ID)
}

// Some compatible servers send tool call deltas without an index: a new id
// starts a new call, pieces without one continue the latest.
func TestAssemblerToolCallsWithoutIndex(t *testing.T) {
	c := func(delta string) string {
		return chunk("x", `[{"index":0,"delta":`+delta+`,"finish_reason":null}]`, "")
	}
	resp := assembleBoth(t,
		c(`{"tool_calls":[{"id":"call_a","type":"function","function":{"name":"a","arguments":"{\"x\""}}]}`),
		c(`{"tool_calls":[{"function":{"arguments":":1}"}}]}`),
		c(`{"tool_calls":[{"id":"call_b","type":"function","function":{"name":"b","arguments":"{}"}}]}`),
	)
	assert.Equal(t, []agentops.ToolCall{
		{ID: "call_a", Type: "function", Name: "a", Arguments: `{"x":1}`},
		{ID: "call_b", Type: "function", Name: "b", Arguments: `{}`},
	}, resp.Choices[0].Message.ToolCalls)
}

// Legacy function_call deltas become the choice's one tool call.
func TestAssemblerFunctionCall(t *testing.T) {
	c := func(delta string) string {
		return chunk("x", `[{"index":0,"delta":`+delta+`,"finish_reason":null}]`, "")
	}
	resp := assembleBoth(t,
		c(`{"role":"assistant","function_call":{"name":"get_weather","arguments":""}}`),
		c(`{"function_call":{"arguments":"{\"location\":"}}`),
		c(`{"function_call":{"arguments":"\"Paris\"}"}}`),
	)
	assert.Equal(t, []agentops.ToolCall{{Type: "function", Name: "get_weather", Arguments: `{"location":"Paris"}`}},
		resp.Choices[0].Message.ToolCalls)
}

// Indexes a server should never send are ignored rather than allocated.
func TestAssemblerBounds(t *testing.T) {
	resp := assembleBoth(t,
		chunk("x", `[{"index":100000000,"delta":{"content":"far"},"finish_reason":null}]`, ""),
		chunk("x", `[{"index":-1,"delta":{"content":"negative"},"finish_reason":null}]`, ""),
		chunk("x", `[{"index":0,"delta":{"tool_calls":[{"index":99999999,"id":"c","function":{"name":"n"}}]},"finish_reason":null}]`, ""),
		chunk("x", `[{"index":1,"delta":{"content":"second"},"finish_reason":"stop"}]`, ""),
	)
	require.Len(t, resp.Choices, 2)
	assert.Empty(t, resp.Choices[0].Message.ToolCalls)
	assert.Equal(t, "second", resp.Choices[1].Message.Content)

	a := assembler{content: true}
	big := strings.Repeat("x", 1<<16)
	for range 2 * maxAssembledText / len(big) {
		a.delta(0, "", "", big, "", "")
	}
	assert.Len(t, a.response().Choices[0].Message.Content, maxAssembledText)
}

// Without content (the span is not recorded) only what the metrics and
// finish reasons need is kept.
func TestAssemblerWithoutContent(t *testing.T) {
	a := assembler{}
	for _, c := range decodeChunks(t, chatStreamChunks(true)...) {
		a.chat(&c)
	}
	resp := a.response()
	assert.Equal(t, []agentops.Choice{{FinishReason: "tool_calls"}}, resp.Choices)
	assert.NotNil(t, resp.Usage)
}

func TestWireRequestForms(t *testing.T) {
	w := parseRequest([]byte(`{
		"model": "m",
		"messages": [
			{"role": "user", "content": [{"type": "text", "text": "a\"b"}, {"type": "image_url", "image_url": {"url": "x"}}, {"type": "text", "text": "c"}]},
			{"role": "assistant", "content": null, "tool_calls": [{"id": "1", "type": "function", "function": {"name": "f", "arguments": {"k": 1}}}]},
			{"role": "tool", "tool_call_id": "1", "content": "ok"}
		],
		"stop": "END",
		"tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}, {"type": "web_search"}],
		"functions": [{"name": "g", "description": "legacy", "parameters": null}],
		"response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {}}},
		"seed": 3, "temperature": 0.5, "n": 2, "max_completion_tokens": 9
	}`), true)
	require.NotNil(t, w)
	r := w.llmRequest(agentops.OperationChat, agentops.Endpoint{Provider: "p"})
	assert.Equal(t, "a\"b\nc", r.Messages[0].Content)
	assert.Equal(t, `{"k": 1}`, r.Messages[1].ToolCalls[0].Arguments, "arguments sent as an object are kept as JSON")
	assert.Equal(t, "1", r.Messages[2].ToolCallID)
	assert.Equal(t, []string{"END"}, r.StopSequences)
	assert.Equal(t, []agentops.ToolDefinition{{Name: "f", Parameters: `{"type": "object"}`}, {Name: "web_search"}, {Name: "g", Description: "legacy"}}, r.Tools)
	assert.Equal(t, "json", r.OutputType)
	assert.Equal(t, int64(3), *r.Seed)
	assert.Equal(t, 0.5, *r.Temperature)
	assert.Equal(t, 2, r.ChoiceCount)
	assert.Equal(t, 9, r.MaxTokens)

	e := parseRequest([]byte(`{"model":"e","input":[[1,2],[3]],"encoding_format":"base64"}`), true)
	er := e.llmRequest(agentops.OperationEmbeddings, agentops.Endpoint{})
	assert.Empty(t, er.Prompts, "token arrays are not text")
	assert.Equal(t, []string{"base64"}, er.EncodingFormats)

	assert.Nil(t, parseRequest([]byte(`not json`), true))
}

func TestVectorLen(t *testing.T) {
	for in, want := range map[string]int{
		`[]`:                 0,
		`[0.1]`:              1,
		`[0.1, -2e-3, 3]`:    3,
		`"AACAPwAAAEAAAEBA"`: 3, // 1.0, 2.0, 3.0 as little-endian float32, base64
		`"AACAPwAAAEA="`:     2,
		`null`:               0,
	} {
		var v vectorLen
		require.NoError(t, json.Unmarshal([]byte(in), &v))
		assert.Equal(t, want, int(v), in)
	}
}

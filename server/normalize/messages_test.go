package normalize

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/server/model"
)

func messagesOf(t *testing.T, attrs map[string]any) []model.Message {
	t.Helper()
	s := &model.Span{Name: "chat m", Attributes: attrs}
	New(nil).Span(s)
	return s.Derived.Messages
}

func TestMessages(t *testing.T) {
	tests := []struct {
		name  string
		attrs map[string]any
		want  []model.Message
	}{
		{
			name: "gaps in the indices",
			attrs: map[string]any{
				"gen_ai.prompt.7.role": "user", "gen_ai.prompt.7.content": "third",
				"gen_ai.prompt.0.role": "system", "gen_ai.prompt.0.content": "first",
				"gen_ai.prompt.2.content":     "second, no role",
				"gen_ai.completion.3.content": "answer", "gen_ai.completion.3.finish_reason": "stop",
			},
			want: []model.Message{
				{Direction: "input", Index: 0, Role: "system", Content: "first"},
				{Direction: "input", Index: 1, Content: "second, no role"},
				{Direction: "input", Index: 2, Role: "user", Content: "third"},
				{Direction: "output", Index: 0, Role: "assistant", Content: "answer", FinishReason: "stop"},
			},
		},
		{
			name: "indices past the number of attributes",
			attrs: map[string]any{
				"gen_ai.prompt.100000.content": "late", "gen_ai.prompt.5.content": "early",
				"gen_ai.prompt.99999999.content": "last", "gen_ai.prompt.12.content": "middle",
			},
			want: []model.Message{
				{Direction: "input", Index: 0, Content: "early"},
				{Direction: "input", Index: 1, Content: "middle"},
				{Direction: "input", Index: 2, Content: "late"},
				{Direction: "input", Index: 3, Content: "last"},
			},
		},
		{
			name: "tool calls with gaps, a refusal, values that are not strings",
			attrs: map[string]any{
				"gen_ai.completion.0.tool_calls.4.name":      "b",
				"gen_ai.completion.0.tool_calls.1.name":      "a",
				"gen_ai.completion.0.tool_calls.1.arguments": map[string]any{"x": int64(1)},
				"gen_ai.completion.0.tool_calls.4.id":        int64(9),
				"gen_ai.completion.1.refusal":                "no",
				"gen_ai.completion.1.role":                   "assistant",
			},
			want: []model.Message{
				{Direction: "output", Index: 0, Role: "assistant", ToolCalls: []model.ToolCall{
					{Name: "a", Arguments: `{"x":1}`}, {ID: "9", Name: "b"},
				}},
				{Direction: "output", Index: 1, Role: "assistant", Content: "no"},
			},
		},
		{
			name: "keys that are not messages",
			attrs: map[string]any{
				"gen_ai.prompt":                    "bare",
				"gen_ai.prompt.":                   "x",
				"gen_ai.prompt.x.role":             "x",
				"gen_ai.prompt.1":                  "x",
				"gen_ai.prompt.1.":                 "x",
				"gen_ai.prompt.-1.role":            "x",
				"gen_ai.prompt.1234567890.role":    "x",
				"gen_ai.prompt.2.unknown":          "x",
				"gen_ai.prompt.3.tool_calls.x.id":  "x",
				"gen_ai.prompt.3.tool_calls.0.zz":  "x",
				"gen_ai.prompt.03.role":            "x",
				"gen_ai.prompt.4.tool_calls.01.id": "x",
				"gen_ai.completion.0.role":         "assistant",
			},
			want: []model.Message{{Direction: "output", Index: 0, Role: "assistant"}},
		},
		{
			name: "flat keys win over the JSON and OpenInference forms",
			attrs: map[string]any{
				"gen_ai.prompt.0.role": "user", "gen_ai.prompt.0.content": "flat",
				"gen_ai.input.messages":                 `[{"role":"user","parts":[{"type":"text","content":"json"}]}]`,
				"gen_ai.system_instructions":            `[{"type":"text","content":"sys"}]`,
				"llm.input_messages.0.message.content":  "oi",
				"gen_ai.output.messages":                `[{"role":"assistant","parts":[{"type":"text","content":"json out"}]}]`,
				"llm.output_messages.0.message.content": "oi out",
			},
			want: []model.Message{
				{Direction: "input", Index: 0, Role: "user", Content: "flat"},
				{Direction: "output", Index: 0, Role: "assistant", Content: "json out"},
			},
		},
		{
			name: "JSON wins over OpenInference",
			attrs: map[string]any{
				"gen_ai.input.messages":                 `[{"role":"user","parts":[{"type":"text","content":"json"}]}]`,
				"llm.input_messages.0.message.content":  "oi",
				"llm.output_messages.0.message.content": "oi out",
			},
			want: []model.Message{
				{Direction: "input", Index: 0, Role: "user", Content: "json"},
				{Direction: "output", Index: 0, Role: "assistant", Content: "oi out"},
			},
		},
		{
			name: "system instructions alone",
			attrs: map[string]any{
				"gen_ai.system_instructions": `[{"type":"text","content":"a"},{"type":"text","content":"b"},{"type":"image","content":"c"}]`,
			},
			want: []model.Message{{Direction: "input", Index: 0, Role: "system", Content: "a\nb"}},
		},
		{
			name: "system instructions as plain text",
			attrs: map[string]any{
				"gen_ai.system_instructions": "Be brief.",
				"gen_ai.input.messages":      `{"role":"user","parts":[{"type":"text","content":"one object"}]}`,
			},
			want: []model.Message{
				{Direction: "input", Index: 0, Role: "system", Content: "Be brief."},
				{Direction: "input", Index: 1, Role: "user", Content: "one object"},
			},
		},
		{
			name: "JSON parts of every kind",
			attrs: map[string]any{
				"gen_ai.output.messages": `[{"role":"assistant","parts":[` +
					`{"type":"reasoning","content":"think"},{"type":"text","content":"a"},{"type":"text","content":"b"},` +
					`{"type":"tool_call","id":"1","name":"f","arguments":"{\"s\":1}"},` +
					`{"type":"tool_call","id":2,"name":"g","arguments":null},` +
					`{"type":"blob","mime_type":"image/png","content":"AAAA"}],"finish_reason":"tool_calls"},` +
					`{"parts":[{"type":"refusal","content":"no"}]},` +
					`{"role":"assistant","content":"old shape"}]`,
			},
			want: []model.Message{
				{Direction: "output", Index: 0, Role: "assistant", Content: "a\nb", FinishReason: "tool_calls", ToolCalls: []model.ToolCall{
					{ID: "1", Name: "f", Arguments: `{"s":1}`}, {ID: "2", Name: "g"},
				}},
				{Direction: "output", Index: 1, Role: "assistant", Content: "no"},
				{Direction: "output", Index: 2, Role: "assistant", Content: "old shape"},
			},
		},
		{
			name: "JSON with odd members keeps what it can",
			attrs: map[string]any{
				"gen_ai.input.messages": `[1, "x", {"role":7,"parts":"nope"}, {"role":"user","parts":[{"type":"text","content":{"k":"v"}}]}]`,
			},
			want: []model.Message{
				{Direction: "input", Index: 0, Role: "7"},
				{Direction: "input", Index: 1, Role: "user", Content: `{"k":"v"}`},
			},
		},
		{
			name: "not JSON at all",
			attrs: map[string]any{
				"gen_ai.input.messages":  "hello there",
				"gen_ai.output.messages": `[{"role":`,
			},
			want: []model.Message{
				{Direction: "input", Index: 0, Role: "user", Content: "hello there"},
				{Direction: "output", Index: 0, Role: "assistant", Content: `[{"role":`},
			},
		},
		{
			name: "JSON sent as structure",
			attrs: map[string]any{
				"gen_ai.input.messages": []any{map[string]any{"role": "user", "parts": []any{map[string]any{"type": "text", "content": "hi"}}}},
			},
			want: []model.Message{{Direction: "input", Index: 0, Role: "user", Content: "hi"}},
		},
		{
			name: "OpenInference tool message",
			attrs: map[string]any{
				"llm.input_messages.0.message.role":         "tool",
				"llm.input_messages.0.message.content":      "42",
				"llm.input_messages.0.message.tool_call_id": "t1",
				"llm.input_messages.0.message.name":         "ignored",
				"llm.input_messages.0.other":                "ignored",
			},
			want: []model.Message{{Direction: "input", Index: 0, Role: "tool", Content: "42", ToolCallID: "t1"}},
		},
		{
			name:  "none",
			attrs: map[string]any{"gen_ai.request.model": "m", "gen_ai.input.messages": "", "gen_ai.output.messages": "[]"},
			want:  nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, messagesOf(t, tt.attrs))
		})
	}
}

// TestMessagesOrder runs the same conversation many times: map iteration
// order changes from run to run, the messages must not.
func TestMessagesOrder(t *testing.T) {
	attrs := map[string]any{}
	for i := range 40 {
		p := "gen_ai.prompt." + strconv.Itoa(i) + "."
		attrs[p+"role"] = "user"
		attrs[p+"content"] = "m" + strconv.Itoa(i)
		for j := range 3 {
			tc := p + "tool_calls." + strconv.Itoa(j) + "."
			attrs[tc+"id"] = strconv.Itoa(i*10 + j)
			attrs[tc+"name"] = "f"
		}
	}
	first := messagesOf(t, attrs)
	require.Len(t, first, 40)
	for i, m := range first {
		assert.Equal(t, "m"+strconv.Itoa(i), m.Content)
		assert.Equal(t, i, m.Index)
		require.Len(t, m.ToolCalls, 3)
		for j, tc := range m.ToolCalls {
			assert.Equal(t, strconv.Itoa(i*10+j), tc.ID)
		}
	}
	for range 20 {
		assert.Equal(t, first, messagesOf(t, attrs))
	}
}

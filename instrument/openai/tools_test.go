package openai

import (
	"context"
	"errors"
	"testing"

	goopenai "github.com/sashabaranov/go-openai"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
)

func TestRunToolCalls(t *testing.T) {
	h := setup(t)
	ctx, sess := h.session()
	msg := goopenai.ChatCompletionMessage{
		Role: goopenai.ChatMessageRoleAssistant,
		ToolCalls: []goopenai.ToolCall{
			{ID: "call_Dn2RJJSxzDm49vlVTehseJ0k", Type: "function", Function: goopenai.FunctionCall{Name: "get_weather", Arguments: `{"location":"Paris, France"}`}},
			{ID: "call_m8QeLxYzd3W1bK7nGcFpT2sA", Type: "function", Function: goopenai.FunctionCall{Name: "get_time", Arguments: `{"timezone":"Mars/Olympus"}`}},
			{ID: "call_Zx0PqR7sT2uV5wX8yA1bC4dE", Type: "function", Function: goopenai.FunctionCall{Name: "book_flight", Arguments: `{}`}},
		},
	}
	var order []string
	errNoZone := errors.New("no such time zone: Mars/Olympus")
	out, err := RunToolCalls(ctx, msg, map[string]ToolFunc{
		"get_weather": func(ctx context.Context, args string) (string, error) {
			order = append(order, "get_weather")
			assert.Equal(t, `{"location":"Paris, France"}`, args)
			return `{"temperature":18,"unit":"celsius"}`, nil
		},
		"get_time": func(ctx context.Context, args string) (string, error) {
			order = append(order, "get_time")
			return "", errNoZone
		},
	})
	assert.Equal(t, []string{"get_weather", "get_time"}, order, "in order")
	require.Error(t, err)
	assert.ErrorIs(t, err, errNoZone)
	assert.ErrorIs(t, err, ErrUnknownTool)

	assert.Equal(t, []goopenai.ChatCompletionMessage{
		{Role: "tool", ToolCallID: "call_Dn2RJJSxzDm49vlVTehseJ0k", Content: `{"temperature":18,"unit":"celsius"}`},
		{Role: "tool", ToolCallID: "call_m8QeLxYzd3W1bK7nGcFpT2sA", Content: "error: no such time zone: Mars/Olympus"},
		{Role: "tool", ToolCallID: "call_Zx0PqR7sT2uV5wX8yA1bC4dE", Content: `error: unknown tool "book_flight"`},
	}, out)

	tools := h.spansOfKind("tool")
	require.Len(t, tools, 3)
	for i, name := range []string{"get_weather", "get_time", "book_flight"} {
		s := tools[i]
		assert.Equal(t, "execute_tool "+name, s.Name())
		assert.Equal(t, sess.Span().SpanContext().SpanID(), s.Parent().SpanID())
		want(t, s, map[string]any{
			"gen_ai.operation.name":      "execute_tool",
			"gen_ai.tool.name":           name,
			"gen_ai.tool.call.id":        msg.ToolCalls[i].ID,
			"tool.call.id":               msg.ToolCalls[i].ID,
			"gen_ai.tool.call.arguments": msg.ToolCalls[i].Function.Arguments,
		})
	}
	assert.Equal(t, codes.Error, tools[1].Status().Code)
	assert.Equal(t, codes.Error, tools[2].Status().Code)
	want(t, tools[0], map[string]any{"gen_ai.tool.call.result": `{"temperature":18,"unit":"celsius"}`})
}

func TestRunToolCallsNone(t *testing.T) {
	out, err := RunToolCalls(context.Background(), goopenai.ChatCompletionMessage{Role: "assistant", Content: "hi"}, nil)
	require.NoError(t, err)
	assert.Empty(t, out)
}

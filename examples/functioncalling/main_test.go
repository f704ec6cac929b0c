package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/examples/internal/exampletest"
	"github.com/agentops-go/agentops/server/model"
)

// The agent's round trip, as the backend stored it: a chat span that asks
// for two tools, an execute_tool span per call with its arguments and
// result, and a second chat span that sends the results back and gets the
// answer, all children of the session root.
func TestToolCallRoundTrip(t *testing.T) {
	srv, out := exampletest.Run(t, run)
	const answer = "Paris tomorrow: 14°C and light rain. 200 USD is 184.00 EUR."
	assert.Contains(t, out, `tool: get_weather({"city":"Paris"}) -> 14°C and light rain`)
	assert.Contains(t, out, "answer: "+answer)

	tr := exampletest.Session(t, srv, "functioncalling.session", 6)
	root := tr.Root
	assert.Equal(t, "ok", root.StatusCode)
	assert.Equal(t, "Success", root.Attributes["agentops.session.end_state"])
	assert.Equal(t, []any{"example", "functioncalling"}, root.Attributes["agentops.tags"])
	assert.Equal(t, []string{"functioncalling.session", "chat gpt-4o-mini", "execute_tool get_weather",
		"execute_tool convert_currency", "chat gpt-4o-mini", "agentops.sources"}, tr.Names(), "in start order")
	for _, s := range tr.Spans[1:] {
		assert.Equal(t, root.SpanID, s.ParentSpanID, "%s is a child of the session", s.Name)
	}

	chats := tr.Named("chat gpt-4o-mini")
	ask, reply := chats[0], chats[1]
	for _, c := range chats {
		assert.Equal(t, "client", c.Kind)
		assert.Equal(t, "unset", c.StatusCode, "OTel GenAI leaves a successful call Unset")
		assert.Equal(t, "scripted", c.Attributes["gen_ai.provider.name"])
		assert.Equal(t, "get_weather", c.Attributes["gen_ai.request.functions.0.name"], "the tools were offered")
		assert.Positive(t, c.Derived.InputTokens)
		assert.Positive(t, c.Derived.OutputTokens)
	}
	assert.Equal(t, []any{"tool_calls"}, ask.Attributes["gen_ai.response.finish_reasons"])
	askOut := exampletest.Output(t, ask)
	require.Len(t, askOut.ToolCalls, 2)
	assert.Equal(t, model.ToolCall{ID: "call_weather", Name: "get_weather", Arguments: `{"city":"Paris"}`}, askOut.ToolCalls[0])
	assert.Equal(t, "call_fx", askOut.ToolCalls[1].ID)

	for _, want := range []struct {
		name, id, args, result string
		msg                    int // the tool message's index in the second request
	}{
		{"get_weather", "call_weather", `{"city":"Paris"}`, "14°C and light rain", 3},
		{"convert_currency", "call_fx", `{"amount":200,"from":"USD","to":"EUR"}`, "184.00 EUR", 4},
	} {
		tool := tr.One(t, "execute_tool "+want.name)
		assert.Equal(t, "internal", tool.Kind)
		assert.Equal(t, "ok", tool.StatusCode)
		assert.Equal(t, want.id, tool.Attributes["gen_ai.tool.call.id"], "the span names the call it answers")
		assert.JSONEq(t, want.args, tool.Attributes["gen_ai.tool.call.arguments"].(string))
		assert.Equal(t, want.result, tool.Attributes["gen_ai.tool.call.result"])
		assert.Equal(t, "succeeded", tool.Attributes["tool.status"])
		assert.False(t, tool.Start.Before(ask.End), "%s ran after the model asked for it", want.name)
		assert.False(t, reply.Start.Before(tool.End), "%s's result was ready before the second call", want.name)

		// The second call carried the result back, under the call's id.
		assert.Contains(t, reply.Derived.Messages, model.Message{Direction: "input", Index: want.msg,
			Role: "tool", Content: want.result, ToolCallID: want.id})
	}
	assert.Equal(t, []any{"stop"}, reply.Attributes["gen_ai.response.finish_reasons"])
	assert.Equal(t, answer, exampletest.Output(t, reply).Content)
}

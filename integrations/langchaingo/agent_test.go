package agentopslangchain_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tmc/langchaingo/agents"
	"github.com/tmc/langchaingo/chains"
	"github.com/tmc/langchaingo/tools"

	"github.com/agentops-go/agentops"
	"github.com/agentops-go/agentops/agentopstest"
	"github.com/agentops-go/agentops/agentopstest/scripted"
	agentopslangchain "github.com/agentops-go/agentops/integrations/langchaingo"
)

// lookup is a tool that reports nothing to langchaingo's callbacks, as
// most tools written for an agent do; it starts a span of its own from the
// context of the run it is part of.
type lookup struct{ h *agentopslangchain.Handler }

func (lookup) Name() string        { return "lookup" }
func (lookup) Description() string { return "Looks a fact up." }

func (l lookup) Call(ctx context.Context, input string) (string, error) {
	_, span := agentops.StartSpan(l.h.Context(ctx), agentops.KindOperation, "index")
	span.End(nil)
	return "the fact about " + input, nil
}

// An OpenAI functions agent run by an executor: the executor is the agent
// span; under it the model's two calls and a tool span per call the model
// asked for, with its call id, input and result, whether the tool reports
// to the handler itself (the calculator) or not (lookup, whose result is
// read from the next request); the agent's answer is a message of its
// span. The agent streams, since it has a handler.
func TestAgentExecutorRecordsItsToolCallsAndAnswer(t *testing.T) {
	e := newEnv(t, scripted.Sequence(
		scripted.Reply{ToolCalls: []scripted.ToolCall{
			{ID: "call_calc", Name: "calculator", Arguments: `{"__arg1":"6*7"}`},
			{ID: "call_lookup", Name: "lookup", Arguments: `{"__arg1":"answers"}`},
		}},
		scripted.Reply{Content: "It is 42."},
	))
	agent := agents.NewOpenAIFunctionsAgent(e.llm,
		[]tools.Tool{tools.Calculator{CallbacksHandler: e.handler.Named("calculator")}, lookup{e.handler}},
		agents.WithCallbacksHandler(e.handler))
	executor := agents.NewExecutor(agent, agents.WithCallbacksHandler(e.handler.Agent("researcher")))
	var answer string
	err := agentops.RunSession(context.Background(), "research", func(ctx context.Context) error {
		var err error
		answer, err = chains.Run(ctx, executor, "What is six times seven?")
		return err
	})
	require.NoError(t, err)
	assert.Equal(t, "It is 42.", answer)

	spans := e.finish(7)
	root := agentopstest.One(t, spans, "research.session")
	agentSpan := agentopstest.One(t, spans, "invoke_agent researcher")
	agentopstest.RequireChild(t, root, agentSpan)
	assert.Equal(t, "agent", agentSpan.Attributes["agentops.span.kind"])
	assert.Equal(t, "researcher", agentSpan.Attributes["gen_ai.agent.name"])
	assert.JSONEq(t, `{"input":"What is six times seven?"}`, agentSpan.Derived.Input)
	assert.JSONEq(t, `{"output":"It is 42."}`, agentSpan.Derived.Output)
	require.Len(t, agentSpan.Events, 1)
	assert.Equal(t, "agentops.message", agentSpan.Events[0].Name)
	assert.Equal(t, "It is 42.", agentSpan.Events[0].Attributes["agentops.message.content"])

	chats := agentopstest.Named(spans, "chat gpt-4o-mini")
	require.Len(t, chats, 2)
	ask, reply := chats[0], chats[1]
	if reply.Start.Before(ask.Start) {
		ask, reply = reply, ask
	}
	for _, c := range chats {
		agentopstest.RequireChild(t, agentSpan, c)
		assert.Positive(t, c.Derived.InputTokens, "the streamed answer's usage")
	}
	assert.Equal(t, []any{"tool_calls"}, ask.Attributes["gen_ai.response.finish_reasons"])
	assert.Len(t, messages(ask, "output")[0].ToolCalls, 2)
	assert.Equal(t, said{"assistant", "It is 42."}, brief(messages(reply, "output"))[0])

	for _, want := range []struct{ tool, id, input, result string }{
		{"calculator", "call_calc", "6*7", "42"},
		{"lookup", "call_lookup", "answers", "the fact about answers"},
	} {
		tool := agentopstest.One(t, spans, "execute_tool "+want.tool)
		agentopstest.RequireChild(t, agentSpan, tool)
		assert.Equal(t, "ok", tool.StatusCode, want.tool)
		assert.Equal(t, "succeeded", tool.Attributes["tool.status"], want.tool)
		assert.Equal(t, want.id, tool.Attributes["gen_ai.tool.call.id"], want.tool)
		assert.Equal(t, want.input, tool.Derived.Input, want.tool)
		assert.Equal(t, want.result, tool.Derived.Output, want.tool)
		assert.False(t, tool.Start.Before(ask.End), "%s ran after the model asked for it", want.tool)
		assert.False(t, reply.Start.Before(tool.End), "%s ended before the model got its result", want.tool)
		require.Len(t, tool.Events, 1, "the agent's log of the call")
		assert.Contains(t, tool.Events[0].Attributes["agentops.message.content"], "Invoking: "+want.tool)
		// The second request carried the result back under the call's id.
		var sent []said
		for _, m := range messages(reply, "input") {
			if m.ToolCallID == want.id {
				sent = append(sent, said{m.Role, m.Content})
			}
		}
		assert.Equal(t, []said{{"tool", want.result}}, sent, want.tool)
	}
	agentopstest.RequireChild(t, agentopstest.One(t, spans, "execute_tool lookup"), agentopstest.One(t, spans, "index.operation"))
}

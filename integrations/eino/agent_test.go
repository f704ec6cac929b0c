package agentopseino_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cloudwego/eino/components/tool"
	"github.com/cloudwego/eino/components/tool/utils"
	"github.com/cloudwego/eino/compose"
	"github.com/cloudwego/eino/flow/agent"
	"github.com/cloudwego/eino/flow/agent/react"
	"github.com/cloudwego/eino/schema"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/agentopstest"
	"github.com/agentops-go/agentops/agentopstest/scripted"
	agentopseino "github.com/agentops-go/agentops/integrations/eino"
)

// weatherModel asks for the weather tool, then answers with its result.
func weatherModel(req *scripted.Request) scripted.Reply {
	if results := scripted.ToolResults(req); len(results) > 0 {
		return scripted.Reply{Content: "In Lisbon: " + results["call_weather"]}
	}
	return scripted.Reply{ToolCalls: []scripted.ToolCall{{ID: "call_weather", Name: "get_weather", Arguments: `{"city":"Lisbon"}`}}}
}

type weatherInput struct {
	City string `json:"city" jsonschema:"description=the city"`
}

// weatherAgent is eino's ReAct agent (a graph: ChatModel → Tools →
// ChatModel) with one tool, which fails with toolErr when it is not nil.
func weatherAgent(t *testing.T, e *env, toolErr error) *react.Agent {
	t.Helper()
	weather, err := utils.InferTool("get_weather", "The weather in a city.", func(_ context.Context, in weatherInput) (string, error) {
		if toolErr != nil {
			return "", toolErr
		}
		return "sunny, 24°C in " + in.City, nil
	})
	require.NoError(t, err)
	a, err := react.NewAgent(context.Background(), &react.AgentConfig{
		ToolCallingModel: e.model,
		ToolsConfig:      compose.ToolsNodeConfig{Tools: []tool.BaseTool{weather}},
	})
	require.NoError(t, err)
	return a
}

func TestAgentCallsATool(t *testing.T) {
	for _, mode := range []string{"invoke", "stream"} {
		t.Run(mode, func(t *testing.T) {
			e := newEnv(t, weatherModel, agentopseino.WithSession("eino-agent"))
			a := weatherAgent(t, e, nil)
			ctx := context.Background()
			input := []*schema.Message{schema.SystemMessage("You report the weather."), schema.UserMessage("Weather in Lisbon?")}
			opt := agent.WithComposeOptions(compose.WithCallbacks(e.handler))
			var out *schema.Message
			var err error
			if mode == "invoke" {
				out, err = a.Generate(ctx, input, opt)
			} else {
				var sr *schema.StreamReader[*schema.Message]
				sr, err = a.Stream(ctx, input, opt)
				require.NoError(t, err)
				out, err = schema.ConcatMessageStream(sr)
				sr.Close()
			}
			require.NoError(t, err)
			require.Equal(t, "In Lisbon: sunny, 24°C in Lisbon", out.Content)

			spans := e.finish(6)
			session := agentopstest.One(t, spans, "eino-agent.session")
			graph := agentopstest.One(t, spans, "ReActAgent.workflow")
			tools := agentopstest.One(t, spans, "Tools.task")
			call := agentopstest.One(t, spans, "execute_tool get_weather")
			llms := agentopstest.Named(spans, "chat gpt-4o-mini")
			require.Len(t, llms, 2, "%q", agentopstest.SpanNames(spans))
			agentopstest.RequireChild(t, session, graph)
			agentopstest.RequireChild(t, graph, tools)
			agentopstest.RequireChild(t, tools, call)
			for _, llm := range llms {
				agentopstest.RequireChild(t, graph, llm)
				assert.Positive(t, llm.Derived.InputTokens)
			}
			asks, answers := llms[0], llms[1] // in start order

			// The first call offers the tool and gets a call of it.
			assert.Equal(t, "get_weather", asks.Attributes["gen_ai.request.functions.0.name"])
			assert.Contains(t, asks.Attributes["gen_ai.request.functions.0.parameters"], `"city"`)
			assert.Equal(t, "You report the weather.", asks.Attributes["gen_ai.prompt.0.content"])
			assert.Equal(t, "call_weather", asks.Attributes["gen_ai.completion.0.tool_calls.0.id"])
			assert.Equal(t, "get_weather", asks.Attributes["gen_ai.completion.0.tool_calls.0.name"])
			assert.JSONEq(t, `{"city":"Lisbon"}`, asks.Attributes["gen_ai.completion.0.tool_calls.0.arguments"].(string))
			assert.Equal(t, "tool_calls", asks.Attributes["gen_ai.completion.0.finish_reason"])

			// The tool runs with the model's arguments, under its call id.
			assert.Equal(t, "tool", call.Attributes["agentops.span.kind"])
			assert.Equal(t, "call_weather", call.Attributes["gen_ai.tool.call.id"])
			assert.JSONEq(t, `{"city":"Lisbon"}`, call.Attributes["tool.parameters"].(string))
			assert.Equal(t, "sunny, 24°C in Lisbon", call.Attributes["tool.result"])
			assert.Equal(t, "succeeded", call.Attributes["tool.status"])

			// The second call gets the result and answers.
			assert.Equal(t, "tool", answers.Attributes["gen_ai.prompt.3.role"])
			assert.Equal(t, "call_weather", answers.Attributes["gen_ai.prompt.3.tool_call_id"])
			assert.Equal(t, "sunny, 24°C in Lisbon", answers.Attributes["gen_ai.prompt.3.content"])
			assert.Equal(t, out.Content, answers.Attributes["gen_ai.completion.0.content"])
			assert.Contains(t, graph.Attributes["agentops.workflow.output"], out.Content)
		})
	}
}

// A tool that fails fails its span, and the graph's.
func TestAgentToolError(t *testing.T) {
	e := newEnv(t, weatherModel, agentopseino.WithSession("eino-agent"))
	_, err := weatherAgent(t, e, errors.New("the weather service is down")).Generate(context.Background(),
		[]*schema.Message{schema.UserMessage("Weather in Lisbon?")},
		agent.WithComposeOptions(compose.WithCallbacks(e.handler)))
	require.ErrorContains(t, err, "the weather service is down")

	spans := e.finish(5)
	call := agentopstest.One(t, spans, "execute_tool get_weather")
	assert.Equal(t, "error", call.StatusCode)
	assert.Equal(t, "failed", call.Attributes["tool.status"])
	assert.Contains(t, call.StatusMessage, "the weather service is down")
	assert.Equal(t, "error", agentopstest.One(t, spans, "ReActAgent.workflow").StatusCode)
	assert.Equal(t, "Error", agentopstest.One(t, spans, "eino-agent.session").Attributes["agentops.session.end_state"])
}

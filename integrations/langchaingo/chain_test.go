package agentopslangchain_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tmc/langchaingo/chains"
	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/prompts"

	"github.com/agentops-go/agentops"
	"github.com/agentops-go/agentops/agentopstest"
	"github.com/agentops-go/agentops/agentopstest/scripted"
	agentopslangchain "github.com/agentops-go/agentops/integrations/langchaingo"
)

// summarizer is an LLMChain with a prompt template, reporting to the
// handler under a name.
func summarizer(e *env) *chains.LLMChain {
	prompt := prompts.NewPromptTemplate("Summarize {{.topic}} in one line.", []string{"topic"})
	return chains.NewLLMChain(e.llm, prompt, chains.WithCallback(e.handler.Named("summarize")))
}

// A chain run with no session of the program's own: the session the
// option opens, the chain's workflow span in it, and the chat span of the
// model call in that, with the prompt the template made, the answer, and
// the token usage the openai client got.
func TestLLMChainRunIsASessionWithItsWorkflowAndChatCall(t *testing.T) {
	e := newEnv(t, scripted.Sequence(scripted.Reply{Content: "OTel is a telemetry standard."}), agentopslangchain.WithSessionPerRun())
	out, err := chains.Call(context.Background(), summarizer(e), map[string]any{"topic": "OpenTelemetry"})
	require.NoError(t, err)
	assert.Equal(t, "OTel is a telemetry standard.", out["text"])

	spans := e.finish(3)
	root := agentopstest.One(t, spans, "summarize.session")
	chain := agentopstest.One(t, spans, "summarize.workflow")
	chat := agentopstest.One(t, spans, "chat gpt-4o-mini")
	assert.Empty(t, root.ParentSpanID)
	assert.Equal(t, "Success", root.Attributes["agentops.session.end_state"])
	agentopstest.RequireChild(t, root, chain)
	agentopstest.RequireChild(t, chain, chat)

	assert.Equal(t, "workflow", chain.Attributes["agentops.span.kind"])
	assert.Equal(t, "ok", chain.StatusCode)
	assert.JSONEq(t, `{"topic":"OpenTelemetry"}`, chain.Derived.Input)
	assert.JSONEq(t, `{"text":"OTel is a telemetry standard."}`, chain.Derived.Output)

	assert.Equal(t, "llm", chat.Attributes["agentops.span.kind"])
	assert.Equal(t, "client", chat.Kind)
	assert.Equal(t, "gpt-4o-mini", chat.Attributes["gen_ai.request.model"])
	assert.Equal(t, "openai", chat.Attributes["gen_ai.provider.name"])
	assert.Equal(t, "unset", chat.StatusCode, "OTel GenAI leaves a successful call Unset")
	assert.Equal(t, []any{"stop"}, chat.Attributes["gen_ai.response.finish_reasons"])
	assert.Equal(t, []said{{Role: "user", Content: "Summarize OpenTelemetry in one line."}}, brief(messages(chat, "input")))
	assert.Equal(t, []said{{Role: "assistant", Content: "OTel is a telemetry standard."}}, brief(messages(chat, "output")))
	assert.Positive(t, chat.Derived.InputTokens)
	assert.Positive(t, chat.Derived.OutputTokens)
	assert.Equal(t, chat.Derived.InputTokens+chat.Derived.OutputTokens, chat.Attributes["gen_ai.usage.total_tokens"])
}

// The token usage on the span is the one the openai client handed back,
// read from GenerationInfo, with the model's tool calls as the output.
func TestChatSpanCarriesTheClientsUsageAndToolCalls(t *testing.T) {
	e := newEnv(t, scripted.Sequence(scripted.Reply{
		ToolCalls: []scripted.ToolCall{{ID: "call_w", Name: "weather", Arguments: `{"city":"Paris"}`}},
	}))
	ctx, session := agentops.StartSession(context.Background(), "direct")
	res, err := e.llm.GenerateContent(ctx, []llms.MessageContent{
		llms.TextParts(llms.ChatMessageTypeSystem, "You are terse."),
		llms.TextParts(llms.ChatMessageTypeHuman, "Weather in Paris?"),
	})
	require.NoError(t, err)
	session.End(agentops.Success)

	chat := agentopstest.One(t, e.finish(2), "chat gpt-4o-mini")
	info := res.Choices[0].GenerationInfo
	assert.EqualValues(t, info["PromptTokens"], chat.Derived.InputTokens)
	assert.EqualValues(t, info["CompletionTokens"], chat.Derived.OutputTokens)
	assert.Equal(t, []any{"tool_calls"}, chat.Attributes["gen_ai.response.finish_reasons"])
	assert.Equal(t, []said{{Role: "system", Content: "You are terse."}, {Role: "user", Content: "Weather in Paris?"}},
		brief(messages(chat, "input")))
	out := messages(chat, "output")
	require.Len(t, out, 1)
	require.Len(t, out[0].ToolCalls, 1)
	assert.Equal(t, "call_w", out[0].ToolCalls[0].ID)
	assert.Equal(t, "weather", out[0].ToolCalls[0].Name)
	assert.JSONEq(t, `{"city":"Paris"}`, out[0].ToolCalls[0].Arguments)
}

// A model that fails: langchaingo's openai client reports no error of its
// own, so the call ends with the chain that fails with it, and both carry
// the error, as does the program's session.
func TestFailedModelCallFailsItsChatSpanAndChain(t *testing.T) {
	e := newEnv(t, scripted.Sequence(scripted.Reply{Status: 503, Error: "the model is overloaded"}))
	err := agentops.RunSession(context.Background(), "failing", func(ctx context.Context) error {
		_, err := chains.Call(ctx, summarizer(e), map[string]any{"topic": "errors"})
		return err
	})
	require.ErrorContains(t, err, "the model is overloaded")

	spans := e.finish(3)
	root := agentopstest.One(t, spans, "failing.session")
	chain := agentopstest.One(t, spans, "summarize.workflow")
	chat := agentopstest.One(t, spans, "chat gpt-4o-mini")
	agentopstest.RequireChild(t, root, chain)
	agentopstest.RequireChild(t, chain, chat)
	for _, s := range []struct {
		name   string
		status string
		msg    string
	}{{"chain", chain.StatusCode, chain.StatusMessage}, {"chat", chat.StatusCode, chat.StatusMessage}} {
		assert.Equal(t, "error", s.status, s.name)
		assert.Contains(t, s.msg, "the model is overloaded", s.name)
	}
	assert.True(t, chat.Derived.Error)
	assert.Nil(t, chat.Attributes["gen_ai.usage.input_tokens"], "no usage is made up for a failed call")
	assert.Equal(t, "Error", root.Attributes["agentops.session.end_state"])
}

// Chains run at once on goroutines, each with its own session: every chat
// span nests under the chain span of its own run, in its own trace, and
// carries its own prompt and answer.
func TestConcurrentChainsNestUnderTheirOwnRuns(t *testing.T) {
	e := newEnv(t, scripted.Echo)
	chain := summarizer(e)
	topics := []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"}
	errs := make(chan error, len(topics))
	for _, topic := range topics {
		go func() {
			errs <- agentops.RunSession(context.Background(), topic, func(ctx context.Context) error {
				_, err := chains.Call(ctx, chain, map[string]any{"topic": topic})
				return err
			})
		}()
	}
	for range topics {
		require.NoError(t, <-errs)
	}

	spans := e.finish(3 * len(topics))
	require.Len(t, agentopstest.Named(spans, "summarize.workflow"), len(topics))
	for _, topic := range topics {
		root := agentopstest.One(t, spans, topic+".session")
		trace := e.backend.SpansOf(root.TraceID)
		chainSpan, chat := agentopstest.One(t, trace, "summarize.workflow"), agentopstest.One(t, trace, "chat gpt-4o-mini")
		agentopstest.RequireChild(t, root, chainSpan)
		agentopstest.RequireChild(t, chainSpan, chat)
		var in map[string]string
		require.NoError(t, json.Unmarshal([]byte(chainSpan.Derived.Input), &in))
		assert.Equal(t, topic, in["topic"])
		prompt := "Summarize " + topic + " in one line."
		assert.Equal(t, []said{{Role: "user", Content: prompt}}, brief(messages(chat, "input")))
		assert.Equal(t, []said{{Role: "assistant", Content: "scripted reply to: " + prompt}}, brief(messages(chat, "output")))
	}
}

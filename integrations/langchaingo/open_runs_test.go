package agentopslangchain_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/schema"

	"github.com/agentops-go/agentops"
	"github.com/agentops-go/agentops/agentopstest"
	"github.com/agentops-go/agentops/agentopstest/scripted"
	"github.com/agentops-go/agentops/server/model"
)

// The ends langchaingo does not report, driven through the callbacks as
// its clients, executor and tools call them: each run left open ends at
// the first callback that shows it is over, with the error that explains
// it, and what is never shown over ends at Close.
func TestRunsLeftOpenEndAtTheCallbackThatShowsThemOver(t *testing.T) {
	e := newEnv(t, nil)
	h := e.handler
	ctx, session := agentops.StartSession(context.Background(), "callbacks")
	ask := []llms.MessageContent{llms.TextParts(llms.ChatMessageTypeHuman, "hi")}

	h.Named("plan").HandleChainStart(ctx, map[string]any{"goal": "x"})
	h.HandleText(ctx, "planning")
	h.LLM("", "m").HandleLLMGenerateContentStart(ctx, ask) // its client failed and said nothing
	h.LLM("", "m").HandleLLMGenerateContentStart(ctx, ask) // the retry
	h.HandleLLMGenerateContentEnd(ctx, &llms.ContentResponse{Choices: []*llms.ContentChoice{{Content: "hello", StopReason: "stop"}}})
	h.HandleAgentAction(ctx, schema.AgentAction{Tool: "search", ToolInput: "q\nObservation:"}) // a silent tool, no call id
	h.HandleAgentFinish(ctx, schema.AgentFinish{ReturnValues: map[string]any{"output": "done"}})
	h.Named("grep").HandleToolStart(ctx, "pattern")
	h.HandleToolError(ctx, errors.New("grep: no such file"))
	h.Named("docs").HandleRetrieverStart(ctx, "query") // fails; retrievers report no error
	h.HandleChainError(ctx, errors.New("the index is down"))
	h.HandleChainEnd(ctx, nil) // no chain is open: ignored
	require.Zero(t, h.Open())

	h.HandleChainStart(ctx, nil) // never ended
	require.Equal(t, 1, h.Open())
	h.Close()
	session.End(agentops.Success)

	spans := e.finish(8)
	plan, unnamed := agentopstest.One(t, spans, "plan.workflow"), agentopstest.One(t, spans, "chain.workflow")
	assert.Equal(t, "error", plan.StatusCode)
	assert.Equal(t, "the index is down", plan.StatusMessage)
	require.Len(t, plan.Events, 3)
	assert.Equal(t, "exception", plan.Events[2].Name)
	assert.Equal(t, "text", plan.Events[0].Attributes["agentops.message.role"])
	assert.Equal(t, "planning", plan.Events[0].Attributes["agentops.message.content"])
	assert.Equal(t, "done", plan.Events[1].Attributes["agentops.message.content"], "the agent's answer")

	chats := agentopstest.Named(spans, "chat m")
	require.Len(t, chats, 2)
	abandoned, retry := chats[0], chats[1]
	if retry.Start.Before(abandoned.Start) {
		abandoned, retry = retry, abandoned
	}
	assert.Equal(t, "error", abandoned.StatusCode)
	assert.Equal(t, agentops.ErrRunNotEnded.Error(), abandoned.StatusMessage)
	assert.Equal(t, "unset", retry.StatusCode)
	assert.Equal(t, said{"assistant", "hello"}, brief(messages(retry, "output"))[0])

	search := agentopstest.One(t, spans, "execute_tool search")
	assert.Equal(t, "ok", search.StatusCode, "the agent went on, so its tool returned")
	assert.Equal(t, "q", search.Derived.Input, "without the ReAct stop word")
	assert.Empty(t, search.Derived.Output, "nothing tells what it returned")

	grep := agentopstest.One(t, spans, "execute_tool grep")
	assert.Equal(t, "failed", grep.Attributes["tool.status"])
	assert.Equal(t, "grep: no such file", grep.StatusMessage)

	docs := agentopstest.One(t, spans, "retrieval docs")
	assert.Equal(t, "retrieval", docs.Attributes["agentops.span.kind"])
	assert.Equal(t, "the index is down", docs.StatusMessage, "failed with the chain it failed")

	assert.Equal(t, agentops.ErrRunNotEnded.Error(), unnamed.StatusMessage, "ended by Close")
	for _, s := range []model.Span{abandoned, retry, search, grep, docs} {
		agentopstest.RequireChild(t, plan, s)
	}
}

// An LLM call that fails outside any chain: the openai client reports no
// end, so the call stays open until its context is done.
func TestLLMCallLeftOpenEndsWhenItsContextIsDone(t *testing.T) {
	e := newEnv(t, scripted.Sequence(scripted.Reply{Status: 400, Error: "bad request"}))
	sctx, session := agentops.StartSession(context.Background(), "cancelled")
	ctx, cancel := context.WithCancel(sctx)
	_, err := e.llm.GenerateContent(ctx, []llms.MessageContent{llms.TextParts(llms.ChatMessageTypeHuman, "hi")})
	require.ErrorContains(t, err, "bad request")
	require.Equal(t, 1, e.handler.Open())
	cancel()
	require.Eventually(t, func() bool { return e.handler.Open() == 0 }, 5*time.Second, 5*time.Millisecond)
	session.End(agentops.Success)

	chat := agentopstest.One(t, e.finish(2), "chat gpt-4o-mini")
	assert.Equal(t, "error", chat.StatusCode)
	assert.Equal(t, context.Canceled.Error(), chat.StatusMessage)
	assert.Equal(t, "canceled", chat.Attributes["error.type"])
}

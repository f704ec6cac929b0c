package demoagent

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	goopenai "github.com/sashabaranov/go-openai"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops"
	"github.com/agentops-go/agentops/agentopstest"
	"github.com/agentops-go/agentops/agentopstest/scripted"
	"github.com/agentops-go/agentops/instrument/openai"
)

func run(t *testing.T, respond scripted.Responder) (Result, *agentopstest.Server, error) {
	t.Helper()
	srv := agentopstest.NewServer(t)
	client, err := agentops.Init(context.Background(), agentops.WithEndpoint(srv.URL), agentops.WithSourceCapture(false))
	require.NoError(t, err)
	model := scripted.NewServer(t, respond)
	cfg := goopenai.DefaultConfig("scripted")
	cfg.BaseURL = model.BaseURL()
	var out bytes.Buffer
	res, runErr := Run(context.Background(), Config{
		LLM: openai.NewClient(cfg), Model: "gpt-4o-mini", Out: &out,
		Logger: slog.New(agentops.NewSlogHandler(slog.NewTextHandler(io.Discard, nil))),
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, client.Shutdown(ctx))
	return res, srv, runErr
}

// A model that never calls tools (as a real one may decide) still gets
// an answer out of every agent.
func TestRunWithAModelThatCallsNoTools(t *testing.T) {
	res, srv, err := run(t, scripted.Echo)
	require.NoError(t, err)
	assert.Contains(t, res.Answer, "scripted reply to: Question: "+Question)
	spans := srv.SpansOf(res.Session.TraceID().String())
	names := map[string]int{}
	for _, s := range spans {
		names[s.Name]++
	}
	assert.Equal(t, 5, names["invoke_agent planner"]+names["invoke_agent researcher"]+names["invoke_agent local-guide"]+
		names["invoke_agent budget-analyst"]+names["invoke_agent writer"])
	assert.Zero(t, names["execute_tool search_hotels"])
}

// A model that calls tools forever is stopped, and the session says why.
func TestRunStopsAModelThatNeverAnswers(t *testing.T) {
	loop := func(req *scripted.Request) scripted.Reply {
		if len(req.Tools) == 0 {
			return scripted.Reply{Content: "ok"}
		}
		return scripted.Reply{ToolCalls: []scripted.ToolCall{{Name: req.Tools[0].Function.Name, Arguments: `{"city":"Lisbon","amount":1,"from":"USD","to":"EUR","max_price_eur":100}`}}}
	}
	res, srv, err := run(t, loop)
	require.ErrorContains(t, err, "no answer after 5 rounds of tool calls")
	require.NotNil(t, res.Session)
	sessions := srv.Sessions()
	require.Len(t, sessions, 1)
	assert.Equal(t, "error", sessions[0].Status)
}

// A model the agent cannot reach fails the session with the reason.
func TestRunWithAModelThatFails(t *testing.T) {
	res, srv, err := run(t, scripted.Sequence(scripted.Reply{Status: 500, Error: "the model is down"}))
	require.ErrorContains(t, err, "the model is down")
	require.NotNil(t, res.Session)
	assert.Equal(t, "error", srv.Sessions()[0].Status)
}

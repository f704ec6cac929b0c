package main

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/agentops-go/agentops/examples/internal/exampletest"
	"github.com/agentops-go/agentops/server/model"
)

// Both hand-written clients give a chat span under the session with the
// model, the provider, the messages and the token usage the API reported:
// the manual API for the textgen wire format, the transport for the
// OpenAI-compatible one.
func TestBothClientsGiveChatSpans(t *testing.T) {
	srv, out := exampletest.Run(t, run)
	const title = "Expired payment certificate halts checkout"
	assert.Contains(t, out, "summary by textgen-mini-scripted")
	assert.Contains(t, out, "): "+title+"\n")

	tr := exampletest.Session(t, srv, "customllm.session", 4) // root, two chats, agentops.sources
	assert.Equal(t, "ok", tr.Root.StatusCode)
	for _, c := range []struct {
		span                      model.Span
		provider, model, response string
		input                     []model.Message
		output                    string
		printed                   string // what the program printed of the call
	}{{
		span:     tr.One(t, "chat textgen-mini"),
		provider: "textgen", model: "textgen-mini", response: "textgen-mini-scripted",
		input: []model.Message{
			{Direction: "input", Index: 0, Role: "system", Content: "Summarise incident reports in one sentence."},
			{Direction: "input", Index: 1, Role: "user", Content: incident},
		},
		output: scriptedSummary, printed: "summary by textgen-mini-scripted (%d in, %d out tokens)",
	}, {
		span:     tr.One(t, "chat gpt-4o-mini"),
		provider: "scripted", model: "gpt-4o-mini", response: "gpt-4o-mini",
		input: []model.Message{{Direction: "input", Index: 0, Role: "user",
			Content: "Give this incident a title of at most six words: " + scriptedSummary}},
		output: title, printed: "title by gpt-4o-mini (%d in, %d out tokens)",
	}} {
		s := c.span
		assert.Equal(t, tr.Root.SpanID, s.ParentSpanID, "%s is a child of the session", s.Name)
		assert.Equal(t, "client", s.Kind)
		assert.Equal(t, "unset", s.StatusCode)
		assert.Equal(t, "llm", s.Attributes["agentops.span.kind"])
		assert.Equal(t, "chat", s.Attributes["gen_ai.operation.name"])
		assert.Equal(t, c.provider, s.Attributes["gen_ai.provider.name"])
		assert.Equal(t, c.model, s.Attributes["gen_ai.request.model"])
		assert.Equal(t, c.response, s.Attributes["gen_ai.response.model"])
		assert.Equal(t, "127.0.0.1", s.Attributes["server.address"])
		assert.NotEmpty(t, s.Attributes["gen_ai.response.id"])

		assert.Equal(t, c.input, s.Derived.Messages[:len(c.input)], "the request's messages")
		assert.Equal(t, c.output, exampletest.Output(t, s).Content)

		assert.Positive(t, s.Derived.InputTokens)
		assert.Positive(t, s.Derived.OutputTokens)
		assert.Equal(t, s.Derived.InputTokens, s.Attributes["gen_ai.usage.input_tokens"])
		assert.Contains(t, out, fmt.Sprintf(c.printed, s.Derived.InputTokens, s.Derived.OutputTokens),
			"the usage recorded is the usage the API reported")
	}
	assert.Equal(t, int64(80), tr.One(t, "chat textgen-mini").Attributes["gen_ai.request.max_tokens"])
}

package agentops

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// endedStep runs fn inside a recorded session and returns the step of the
// span named name as it ended.
func endedStep(t *testing.T, c *Client, name string, fn func(ctx context.Context)) Step {
	t.Helper()
	ctx, sess := c.StartSession(context.Background(), "steps")
	rec := RecordSteps(sess)
	fn(ctx)
	sess.End(Success)
	for _, s := range rec.Trace().Root.Children {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no step %q", name)
	return Step{}
}

func TestStepOfAnLLMCall(t *testing.T) {
	// Twelve messages: the last is prompt 11, which sorts before 2 as text.
	var msgs []Message
	for i := range 12 {
		msgs = append(msgs, Message{Role: "user", Content: fmt.Sprint("message ", i)})
	}
	call := func(ctx context.Context) {
		_, llm := StartLLM(ctx, LLMRequest{Provider: "anthropic", Model: "claude-sonnet", Messages: msgs})
		llm.End(LLMResponse{Model: "claude-sonnet-4",
			Choices: []Choice{{Message: Message{Role: "assistant", Content: "done"}, FinishReason: "stop"}},
			Usage:   &Usage{InputTokens: 500, OutputTokens: 40, CacheReadTokens: 300, ReasoningTokens: 25}}, nil)
	}

	s := endedStep(t, newStepsClient(t), "chat claude-sonnet", call)
	assert.Equal(t, "llm", s.Kind)
	assert.Equal(t, "claude-sonnet-4", s.Model, "the model that answered, over the one asked for")
	assert.Equal(t, "anthropic", s.Provider)
	assert.Equal(t, []int{500, 40, 300, 25}, []int{s.InputTokens, s.OutputTokens, s.CachedTokens, s.ReasoningTokens})
	assert.Equal(t, "message 11", s.Input, "the last message of the conversation")
	assert.Equal(t, "done", s.Output)
	assert.Equal(t, StepOK, s.Status, "an LLM call's Unset status is a success")

	// In the OTel JSON message form the step shows the messages as sent.
	s = endedStep(t, newStepsClient(t, WithGenAILatestExperimental()), "chat claude-sonnet", call)
	assert.True(t, strings.HasPrefix(s.Input, `[{"role":"user"`), s.Input)
	assert.Contains(t, s.Output, `"done"`)
	assert.Equal(t, 500, s.InputTokens)
}

func TestStepOfOtherInstrumentation(t *testing.T) {
	c := newStepsClient(t)
	raw := c.TracerProvider().Tracer("other")
	for op, kind := range map[string]string{
		"chat": "llm", "embeddings": "llm", "execute_tool": "tool", "invoke_agent": "agent", "retrieval": "retrieval", "render": "",
	} {
		s := endedStep(t, c, op+" x", func(ctx context.Context) {
			_, span := raw.Start(ctx, op+" x", trace.WithAttributes(attribute.String("gen_ai.operation.name", op)))
			span.End()
		})
		assert.Equal(t, kind, s.Kind, "gen_ai.operation.name %q", op)
	}
}

func TestStepOfAToolWithCost(t *testing.T) {
	s := endedStep(t, newStepsClient(t), "execute_tool geocode", func(ctx context.Context) {
		_, span := StartSpan(ctx, KindTool, "geocode", WithInput(strings.Repeat("é", StepTextLimit)))
		span.SetCost(0.002)
		span.End(nil)
	})
	assert.Equal(t, 0.002, s.Cost)
	assert.LessOrEqual(t, len(s.Input), StepTextLimit)
	assert.True(t, utf8.ValidString(s.Input), "cut at a character boundary")
	assert.True(t, strings.HasSuffix(s.Input, "é…"), s.Input[len(s.Input)-8:])
}

func TestCutText(t *testing.T) {
	for _, tc := range []struct {
		in    string
		limit int
		want  string
	}{
		{"short", 5, "short"},
		{"longer", 5, "lo…"},
		{"ééé", 5, "é…"},
		{"日本語", 6, "日…"},
	} {
		got := cutText(tc.in, tc.limit)
		assert.Equal(t, tc.want, got, "cutText(%q, %d)", tc.in, tc.limit)
		require.LessOrEqual(t, len(got), tc.limit)
	}
}

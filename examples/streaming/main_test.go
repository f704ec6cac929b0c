package main

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/examples/internal/exampletest"
)

// The streamed call's span, as the backend stored it: the answer assembled
// from the chunks, the usage sent in the last chunk, and a time to first
// token no shorter than the model's thinking and no longer than the call.
func TestStreamedChatSpan(t *testing.T) {
	srv, out := exampletest.Run(t, run)
	assert.Contains(t, out, "\n"+scriptedAnswer+"\ntime to first token: ", "printed as it arrived, in full")

	tr := exampletest.Session(t, srv, "streaming.session", 3) // root, chat, agentops.sources
	assert.Equal(t, "ok", tr.Root.StatusCode)
	chat := tr.One(t, "chat gpt-4o-mini")
	assert.Equal(t, tr.Root.SpanID, chat.ParentSpanID)
	assert.Equal(t, "client", chat.Kind)
	assert.Equal(t, "unset", chat.StatusCode)
	assert.Equal(t, true, chat.Attributes["gen_ai.request.stream"])
	assert.Equal(t, true, chat.Attributes["gen_ai.request.streaming"])
	assert.Equal(t, []any{"stop"}, chat.Attributes["gen_ai.response.finish_reasons"])

	assert.Equal(t, scriptedAnswer, chat.Attributes["gen_ai.completion.0.content"])
	assert.Equal(t, scriptedAnswer, exampletest.Output(t, chat).Content)
	assert.Equal(t, question, chat.Attributes["gen_ai.prompt.0.content"])

	in, outTokens := chat.Attributes["gen_ai.usage.input_tokens"], chat.Attributes["gen_ai.usage.output_tokens"]
	require.IsType(t, int64(0), in)
	require.IsType(t, int64(0), outTokens)
	assert.Positive(t, outTokens)
	assert.Equal(t, in, chat.Attributes["gen_ai.usage.prompt_tokens"])
	assert.Equal(t, outTokens, chat.Attributes["gen_ai.usage.completion_tokens"])
	assert.Contains(t, out, fmt.Sprintf("usage: %d prompt + %d completion tokens", in, outTokens),
		"the span's usage is the stream's")

	ttft, ok := chat.Attributes["gen_ai.streaming.time_to_first_token"].(float64)
	require.True(t, ok, "time to first token: %#v", chat.Attributes["gen_ai.streaming.time_to_first_token"])
	assert.Equal(t, ttft, chat.Attributes["gen_ai.response.time_to_first_chunk"], "both vocabularies")
	assert.Equal(t, ttft, chat.Derived.TTFT, "the backend read it")
	assert.GreaterOrEqual(t, ttft, scriptedDelay.Seconds(), "the model thought first")
	assert.Less(t, ttft, chat.End.Sub(chat.Start).Seconds(), "the words came after the first chunk")
}

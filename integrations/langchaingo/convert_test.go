package agentopslangchain

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/tmc/langchaingo/llms"

	"github.com/agentops-go/agentops"
)

// The token counts of GenerationInfo, as langchaingo's clients fill it.
func TestUsageReadsEachClientsConvention(t *testing.T) {
	for _, tc := range []struct {
		name string
		info map[string]any
		want *agentops.Usage
	}{
		{"openai", map[string]any{
			"PromptTokens": 120, "CompletionTokens": 30, "TotalTokens": 150,
			"PromptCachedTokens": 100, "ReasoningTokens": 12, "ThinkingTokens": 12,
		}, &agentops.Usage{InputTokens: 120, OutputTokens: 30, TotalTokens: 150, CacheReadTokens: 100, ReasoningTokens: 12}},
		{"googleai, with int32 counts", map[string]any{
			"PromptTokens": int32(50), "CompletionTokens": int32(5), "TotalTokens": int32(55), "CacheReadInputTokens": int32(20),
		}, &agentops.Usage{InputTokens: 50, OutputTokens: 5, TotalTokens: 55, CacheReadTokens: 20}},
		{"anthropic, whose input leaves the cache out", map[string]any{
			"InputTokens": 10, "OutputTokens": 7, "CacheReadInputTokens": 90, "CacheCreationInputTokens": 5,
		}, &agentops.Usage{InputTokens: 105, OutputTokens: 7, CacheReadTokens: 90, CacheCreationTokens: 5}},
		{"openai stream without usage", map[string]any{"PromptTokens": 0, "CompletionTokens": 0, "TotalTokens": 0}, nil},
		{"no GenerationInfo", nil, nil},
	} {
		assert.Equal(t, tc.want, usage(tc.info), tc.name)
	}
}

// A request's messages: text parts joined, tool calls and tool results
// with their ids, roles as the OpenAI vocabulary names them, images left
// out.
func TestMessagesConvertPartsAndRoles(t *testing.T) {
	got := messages([]llms.MessageContent{
		{Role: llms.ChatMessageTypeSystem, Parts: []llms.ContentPart{llms.TextPart("Be brief.")}},
		{Role: llms.ChatMessageTypeHuman, Parts: []llms.ContentPart{
			llms.TextPart("What is "), llms.ImageURLPart("https://example.com/cat.png"), llms.TextPart("this?"),
		}},
		{Role: llms.ChatMessageTypeAI, Parts: []llms.ContentPart{llms.ToolCall{
			ID: "call_1", Type: "function", FunctionCall: &llms.FunctionCall{Name: "vision", Arguments: `{"q":"cat?"}`},
		}}},
		{Role: llms.ChatMessageTypeTool, Parts: []llms.ContentPart{llms.ToolCallResponse{ToolCallID: "call_1", Content: "a cat"}}},
		{Role: llms.ChatMessageTypeGeneric, Parts: []llms.ContentPart{llms.TextPart("thanks")}},
	})
	assert.Equal(t, []agentops.Message{
		{Role: "system", Content: "Be brief."},
		{Role: "user", Content: "What is this?"},
		{Role: "assistant", ToolCalls: []agentops.ToolCall{{ID: "call_1", Type: "function", Name: "vision", Arguments: `{"q":"cat?"}`}}},
		{Role: "tool", Content: "a cat", ToolCallID: "call_1"},
		{Role: "user", Content: "thanks"},
	}, got)
}

// A legacy function call is the choice's one tool call, unless langchaingo
// only repeated the first tool call there.
func TestResponseKeepsALegacyFunctionCallOnce(t *testing.T) {
	call := &llms.FunctionCall{Name: "f", Arguments: "{}"}
	got := response(&llms.ContentResponse{Choices: []*llms.ContentChoice{
		{StopReason: "function_call", FuncCall: call},
		{StopReason: "tool_calls", FuncCall: call, ToolCalls: []llms.ToolCall{{ID: "c", Type: "function", FunctionCall: call}}},
	}})
	assert.Equal(t, []agentops.Choice{
		{Message: agentops.Message{Role: "assistant", ToolCalls: []agentops.ToolCall{{Name: "f", Arguments: "{}"}}}, FinishReason: "function_call"},
		{Message: agentops.Message{Role: "assistant", ToolCalls: []agentops.ToolCall{{ID: "c", Type: "function", Name: "f", Arguments: "{}"}}}, FinishReason: "tool_calls"},
	}, got.Choices)
	assert.Nil(t, got.Usage)
}

package agentopslangchain_test

import (
	"context"
	"testing"

	"github.com/tmc/langchaingo/callbacks"
	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/schema"

	"github.com/agentops-go/agentops"
	agentopslangchain "github.com/agentops-go/agentops/integrations/langchaingo"
)

// The callbacks of one agent step (a chain, its model call, a tool call),
// as langchaingo makes them, against a handler that does nothing: what
// the handler adds to each step, spans recorded and exported nowhere.
func BenchmarkAgentStep(b *testing.B) {
	client, err := agentops.Init(context.Background(), agentops.WithoutDefaultExporter(), agentops.WithSourceCapture(false))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = client.Shutdown(context.Background()) })
	h := agentopslangchain.New()
	b.Cleanup(h.Close)
	for _, bc := range []struct {
		name string
		h    callbacks.Handler
	}{
		{"baseline", callbacks.SimpleHandler{}},
		{"agentops", h},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx, session := agentops.StartSession(context.Background(), "bench")
			defer session.End(agentops.Success)
			ask := []llms.MessageContent{llms.TextParts(llms.ChatMessageTypeHuman, "What is 6*7?")}
			res := &llms.ContentResponse{Choices: []*llms.ContentChoice{{
				StopReason:     "tool_calls",
				ToolCalls:      []llms.ToolCall{{ID: "call_1", Type: "function", FunctionCall: &llms.FunctionCall{Name: "calculator", Arguments: `{"__arg1":"6*7"}`}}},
				GenerationInfo: map[string]any{"PromptTokens": 20, "CompletionTokens": 9, "TotalTokens": 29},
			}}}
			b.ReportAllocs()
			for b.Loop() {
				bc.h.HandleChainStart(ctx, map[string]any{"input": "What is 6*7?"})
				bc.h.HandleLLMGenerateContentStart(ctx, ask)
				bc.h.HandleLLMGenerateContentEnd(ctx, res)
				bc.h.HandleAgentAction(ctx, schema.AgentAction{Tool: "calculator", ToolInput: "6*7", ToolID: "call_1"})
				bc.h.HandleToolStart(ctx, "6*7")
				bc.h.HandleToolEnd(ctx, "42")
				bc.h.HandleChainEnd(ctx, map[string]any{"output": "42"})
			}
		})
	}
}

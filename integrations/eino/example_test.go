package agentopseino_test

import (
	"context"
	"fmt"

	"github.com/cloudwego/eino-ext/components/model/openai"
	"github.com/cloudwego/eino/components/prompt"
	"github.com/cloudwego/eino/compose"
	"github.com/cloudwego/eino/schema"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/agentops-go/agentops"
	"github.com/agentops-go/agentops/agentopstest/scripted"
	agentopseino "github.com/agentops-go/agentops/integrations/eino"
)

// A chain ChatTemplate → ChatModel, called as one session. The model here
// is the scripted one, and the spans go to memory, so that the example
// runs anywhere; a program would Init with its endpoint or API key.
func Example() {
	ctx := context.Background()
	llm, err := scripted.Start("", scripted.Echo)
	if err != nil {
		panic(err)
	}
	defer llm.Close()
	spans := tracetest.NewInMemoryExporter()
	client, err := agentops.Init(ctx, agentops.WithExporter(spans), agentops.WithoutDefaultExporter(), agentops.WithSourceCapture(false))
	if err != nil {
		panic(err)
	}
	defer client.Shutdown(ctx)

	h := agentopseino.New(agentopseino.WithSession("qa"))
	cm, err := openai.NewChatModel(ctx, &openai.ChatModelConfig{BaseURL: llm.BaseURL(), APIKey: "scripted", Model: "gpt-4o-mini"})
	if err != nil {
		panic(err)
	}
	chain := compose.NewChain[map[string]any, *schema.Message]()
	chain.AppendChatTemplate(prompt.FromMessages(schema.FString, schema.UserMessage("{question}")), compose.WithNodeName("prompt"))
	chain.AppendChatModel(cm)
	answer, err := chain.Compile(ctx, compose.WithGraphName("answer"))
	if err != nil {
		panic(err)
	}
	out, err := answer.Invoke(ctx, map[string]any{"question": "What is a span?"}, compose.WithCallbacks(h))
	if err != nil {
		panic(err)
	}
	fmt.Println(out.Content)

	// On the way out: the handler first, then the client.
	if err := h.Close(ctx); err != nil {
		panic(err)
	}
	if err := client.ForceFlush(ctx); err != nil {
		panic(err)
	}
	for _, s := range spans.GetSpans() { // in the order they ended
		fmt.Println(s.Name)
	}
	// Output:
	// scripted reply to: What is a span?
	// prompt.task
	// chat gpt-4o-mini
	// answer.workflow
	// qa.session
}

package agentopslangchain_test

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tmc/langchaingo/chains"
	"github.com/tmc/langchaingo/llms/openai"
	"github.com/tmc/langchaingo/prompts"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/agentops-go/agentops"
	"github.com/agentops-go/agentops/agentopstest/scripted"
	agentopslangchain "github.com/agentops-go/agentops/integrations/langchaingo"
)

// An LLM chain reporting to a Handler, one session per run: the spans it
// makes, as a tree. A scripted model stands in for OpenAI, and an
// in-memory exporter for the backend.
func Example() {
	ctx := context.Background()
	model, err := scripted.Start("", scripted.Echo)
	if err != nil {
		panic(err)
	}
	defer model.Close()
	spans := tracetest.NewInMemoryExporter()
	client, err := agentops.Init(ctx, agentops.WithoutDefaultExporter(), agentops.WithExporter(spans))
	if err != nil {
		panic(err)
	}

	h := agentopslangchain.New(agentopslangchain.WithSessionPerRun())
	llm, err := openai.New(openai.WithBaseURL(model.BaseURL()), openai.WithToken("scripted"),
		openai.WithModel("gpt-4o-mini"), openai.WithCallback(h.LLM("openai", "gpt-4o-mini")))
	if err != nil {
		panic(err)
	}
	prompt := prompts.NewPromptTemplate("Summarize {{.topic}}.", []string{"topic"})
	chain := chains.NewLLMChain(llm, prompt, chains.WithCallback(h.Named("summarize")))
	answer, err := chains.Run(ctx, chain, "OpenTelemetry")
	if err != nil {
		panic(err)
	}
	h.Close()
	// Flushed, not shut down: the exporter forgets its spans at Shutdown.
	if err := client.ForceFlush(ctx); err != nil {
		panic(err)
	}
	defer client.Shutdown(ctx)

	fmt.Println(answer)
	got := spans.GetSpans()
	slices.SortFunc(got, func(a, b tracetest.SpanStub) int { return a.StartTime.Compare(b.StartTime) })
	depth := map[string]int{}
	for _, s := range got {
		d := depth[s.Parent.SpanID().String()] + 1
		depth[s.SpanContext.SpanID().String()] = d
		fmt.Println(strings.Repeat("  ", d-1) + s.Name)
	}
	// Output:
	// scripted reply to: Summarize OpenTelemetry.
	// summarize.session
	//   summarize.workflow
	//     chat gpt-4o-mini
}

package normalize_test

import (
	"fmt"

	"github.com/agentops-go/agentops/server/model"
	"github.com/agentops-go/agentops/server/normalize"
)

func ExampleNormalizer_Span() {
	n := normalize.New(nil) // the embedded price table
	span := &model.Span{
		Name: "ChatOpenAI",
		Attributes: map[string]any{
			"openinference.span.kind":               "LLM",
			"llm.model_name":                        "gpt-4o",
			"llm.token_count.prompt":                int64(1000),
			"llm.token_count.completion":            "200", // numbers arrive as strings too
			"llm.input_messages.0.message.role":     "user",
			"llm.input_messages.0.message.content":  "Capital of France?",
			"llm.output_messages.0.message.content": "Paris.",
		},
	}
	n.Span(span)
	d := span.Derived
	fmt.Println(d.Class, d.Label, d.InputTokens, d.OutputTokens)
	fmt.Printf("$%.4f from the %s\n", d.Cost, d.CostSource)
	for _, m := range d.Messages {
		fmt.Printf("%s %d %s: %s\n", m.Direction, m.Index, m.Role, m.Content)
	}
	// Output:
	// llm gpt-4o 1000 200
	// $0.0045 from the table
	// input 0 user: Capital of France?
	// output 0 assistant: Paris.
}

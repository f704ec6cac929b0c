package api_test

import (
	"fmt"
	"time"

	"github.com/agentops-go/agentops/server/api"
	"github.com/agentops-go/agentops/server/model"
)

// An agent that asks gpt-4o, searches, and asks again, three times over
// with the same query.
func ExampleAnalyze() {
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	spans := []model.Span{{
		SpanID: "01", Name: "run", Start: ms(0), End: ms(1000),
		Derived: model.Derived{Class: "session", Label: "run"},
	}}
	for i := range 3 {
		start := i * 300
		spans = append(spans,
			model.Span{SpanID: fmt.Sprint("l", i), ParentSpanID: "01", Name: "chat", Start: ms(start), End: ms(start + 250),
				Derived: model.Derived{Class: "llm", Label: "gpt-4o", Model: "gpt-4o"}},
			model.Span{SpanID: fmt.Sprint("t", i), ParentSpanID: "01", Name: "web_search", Start: ms(start + 250), End: ms(start + 300),
				Derived: model.Derived{Class: "tool", Label: "web_search", Tool: "web_search", Input: `{"q":"go"}`}},
		)
	}
	a := api.Analyze(spans)
	for _, r := range a.Recommendations {
		fmt.Println(r.Text)
	}
	// Output:
	// the sequence gpt-4o → web_search repeated 3 times in a row with the same tool inputs: the agent looks stuck; add a stop condition or cap its iterations
	// web_search ran 3 times with the same input: cache its result
	// 75% of the session was spent in llm calls to gpt-4o: consider a smaller model for the simpler steps, fewer calls, or running independent calls in parallel
}

func ExampleParseLog() {
	text := "\n2025-03-01 12:00:00,001 - INFO - started\n2025-03-01 12:00:00,500 - ERROR - failed\nTraceback: ...\n"
	for _, l := range api.ParseLog(text) {
		fmt.Printf("%s [%s] %q\n", l.Time, l.Level, l.Message)
	}
	// Output:
	// 2025-03-01 12:00:00,001 [INFO] "started"
	// 2025-03-01 12:00:00,500 [ERROR] "failed\nTraceback: ..."
}

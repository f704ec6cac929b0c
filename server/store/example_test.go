package store_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/agentops-go/agentops/server/model"
	"github.com/agentops-go/agentops/server/store"
)

func Example() {
	dir, err := os.MkdirTemp("", "store-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(dir, "agentops.db"), store.Options{
		OnCommit: func(c store.Commit) {
			for _, ch := range c.Sessions {
				fmt.Printf("commit: %s new=%v ended=%v status=%s\n", ch.Session.Name, ch.New, ch.Ended, ch.Session.Status)
			}
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	trace := "0af7651916cd43dd8448eb211c80319c"
	root := model.Span{
		TraceID: trace, SpanID: "b7ad6b7169203331", Name: "weather.session",
		Start: start, End: start.Add(2 * time.Second), StatusCode: "ok", Service: "agent",
		Derived: model.Derived{Class: "session", SessionName: "weather", EndState: "Success"},
	}
	llm := model.Span{
		TraceID: trace, SpanID: "00f067aa0ba902b7", ParentSpanID: root.SpanID, Name: "chat gpt-4o",
		Start: start.Add(time.Second), End: start.Add(1500 * time.Millisecond), StatusCode: "unset", Service: "agent",
		Derived: model.Derived{Class: "llm", Model: "gpt-4o", InputTokens: 120, OutputTokens: 30,
			Messages: []model.Message{{Direction: "input", Role: "user", Content: "Is it raining in Paris?"}}},
	}
	// The child first, then the root: order does not matter.
	if err := s.Write(ctx, &model.Batch{Spans: []model.Span{llm}}); err != nil {
		log.Fatal(err)
	}
	if err := s.Write(ctx, &model.Batch{Spans: []model.Span{root}}); err != nil {
		log.Fatal(err)
	}

	page, err := s.ListSessions(ctx, model.SessionQuery{Search: "raining"})
	if err != nil {
		log.Fatal(err)
	}
	for _, se := range page.Sessions {
		fmt.Printf("%s: %s, %d spans, %d LLM calls, %d+%d tokens, %v\n",
			se.Name, se.Status, se.Spans, se.LLMCalls, se.InputTokens, se.OutputTokens, se.Models)
	}
	// Output:
	// commit: chat gpt-4o new=true ended=false status=running
	// commit: weather new=false ended=true status=success
	// weather: success, 2 spans, 1 LLM calls, 120+30 tokens, [gpt-4o]
}

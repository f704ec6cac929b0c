package agentops_test

import (
	"context"
	"fmt"
	"log"

	"github.com/agentops-go/agentops"
)

// An answer sent with the steps that led to it, as an API might return
// them.
func ExampleRecordSteps() {
	client, err := agentops.Init(context.Background(), agentops.WithoutDefaultExporter())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Shutdown(context.Background())

	ctx, sess := agentops.StartSession(context.Background(), "answer")
	rec := agentops.RecordSteps(sess)
	answer, _ := agentops.Run(ctx, agentops.KindTool, "lookup", func(context.Context) (string, error) {
		return "Go 1.23", nil
	})
	sess.End(agentops.Success)

	// An API handler would answer with json.Marshal of both.
	response := struct {
		Answer string         `json:"answer"`
		Steps  agentops.Trace `json:"steps"`
	}{answer, rec.Trace()}

	root := response.Steps.Root
	fmt.Println(root.Name, ">", root.Children[0].Name, "output:", root.Children[0].Output)
	fmt.Println("tool calls:", response.Steps.Totals.ToolCalls)
	// Output:
	// answer.session > execute_tool lookup output: Go 1.23
	// tool calls: 1
}

// A session's steps as they start and end. The subscription ends with the
// session, so the loop ends too.
func ExampleSubscribe() {
	client, err := agentops.Init(context.Background(), agentops.WithoutDefaultExporter())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Shutdown(context.Background())

	ctx, sess := agentops.StartSession(context.Background(), "research")
	sub := agentops.Subscribe(agentops.ForSession(sess))
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range sub.Events() {
			fmt.Println(ev.Type, ev.Step.Name, ev.Step.Status)
		}
	}()

	_ = agentops.Do(ctx, agentops.KindTool, "web_search", func(context.Context) error { return nil })
	sess.End(agentops.Success)
	<-done
	// Output:
	// started execute_tool web_search running
	// ended execute_tool web_search ok
	// ended research.session ok
}

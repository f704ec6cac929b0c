// Command quickstart is the smallest agent instrumented with agentops: one
// session in which a planner agent calls two tools, one of which fails and
// is retried, logging as it goes. When the session ends its log lines and
// the program's source files are uploaded with it.
//
// With no configuration it sends to the local backend (`agentops serve`);
// with AGENTOPS_API_KEY set, to AgentOps cloud.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/agentops-go/agentops"
)

func main() {
	// Log lines logged with a session's context are uploaded with it.
	slog.SetDefault(slog.New(agentops.NewSlogHandler(slog.NewTextHandler(os.Stderr, nil))))

	client, err := agentops.Init(context.Background(),
		agentops.WithShutdownOnSignal(5*time.Second),
		agentops.WithOnSessionEnd(func(e agentops.SessionEnd) {
			fmt.Printf("session %q ended: %s, %d spans, %d failed\n", e.Name, e.State, e.Spans, e.Errors)
		}),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := client.Shutdown(ctx); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}()

	question := "What is OpenTelemetry?"
	err = agentops.RunSession(context.Background(), "quickstart", func(ctx context.Context) error {
		fmt.Println("session:", agentops.SessionFromContext(ctx).URL())
		answer, err := agentops.Run(ctx, agentops.KindAgent, "planner", func(ctx context.Context) (string, error) {
			return plan(ctx, question)
		}, agentops.WithInput(question))
		if err != nil {
			return err
		}
		fmt.Println("answer:", answer)
		return nil
	}, agentops.WithTags("example", "quickstart"))
	if err != nil {
		log.Print(err)
	}
}

// plan looks the question up, retrying a flaky tool once.
func plan(ctx context.Context, question string) (string, error) {
	var hits []string
	for attempt := 1; ; attempt++ {
		var err error
		hits, err = agentops.Run(ctx, agentops.KindTool, "web_search", func(ctx context.Context) ([]string, error) {
			slog.InfoContext(ctx, "searching", "query", question, "attempt", attempt)
			return search(question, attempt)
		}, agentops.WithInput(map[string]any{"query": question, "attempt": attempt}))
		if err == nil {
			break
		}
		slog.WarnContext(ctx, "search failed, retrying", "err", err)
		if attempt == 2 {
			return "", err
		}
	}
	return agentops.Run(ctx, agentops.KindTool, "summarise", func(ctx context.Context) (string, error) {
		return strings.Join(hits, "; "), nil
	}, agentops.WithInput(hits))
}

// search is a stand-in for a real tool: its first attempt times out.
func search(question string, attempt int) ([]string, error) {
	if attempt == 1 {
		return nil, errors.New("search backend timed out")
	}
	return []string{"OpenTelemetry is an observability framework", "It defines traces, metrics and logs"}, nil
}

package agentops_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os/signal"
	"syscall"
	"time"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/agentops-go/agentops"
)

// A session with a tool call and a failed step, sent to an in-memory
// exporter instead of a backend.
func Example() {
	mem := tracetest.NewInMemoryExporter()
	client, err := agentops.Init(context.Background(), agentops.WithoutDefaultExporter(), agentops.WithExporter(mem))
	if err != nil {
		log.Fatal(err)
	}

	ctx, sess := agentops.StartSession(context.Background(), "research", agentops.WithTags("web"))
	hits, _ := agentops.Run(ctx, agentops.KindTool, "web_search", func(ctx context.Context) ([]string, error) {
		return []string{"https://go.dev"}, nil
	}, agentops.WithInput(map[string]string{"q": "go"}))
	err = agentops.Do(ctx, agentops.KindTask, "summarise", func(ctx context.Context) error {
		return errors.New("model unavailable")
	})
	sess.Fail(err)

	if err := client.ForceFlush(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Println("hits:", hits)
	for _, s := range mem.GetSpans() {
		fmt.Printf("%s: %s\n", s.Name, s.Status.Code)
	}
	_ = client.Shutdown(context.Background())
	// Output:
	// hits: [https://go.dev]
	// execute_tool web_search: Ok
	// summarise.task: Error
	// research.session: Error
}

// The exit path that loses no span in a program that handles signals: stop
// on SIGINT/SIGTERM through the context, and shut down with a deadline on
// the way out. Programs that do not handle signals can use
// WithShutdownOnSignal instead.
func ExampleClient_Shutdown() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	client, err := agentops.Init(ctx, agentops.WithoutDefaultExporter())
	if err != nil {
		log.Fatal(err)
	}
	defer func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := client.Shutdown(shutdownCtx); err != nil {
			log.Print(err)
		}
	}()

	_ = agentops.RunSession(ctx, "nightly-report", func(ctx context.Context) error {
		return nil // the agent's work, which returns early when ctx is cancelled
	})
	fmt.Println("done")
	// Output: done
}

// A remote tool service continues the calling agent's trace: the caller
// sends with PropagatingTransport, the service wraps its handler with
// ExtractingHandler and starts its spans from the request's context.
func ExamplePropagatingTransport() {
	mem := tracetest.NewInMemoryExporter()
	client, err := agentops.Init(context.Background(), agentops.WithoutDefaultExporter(), agentops.WithExporter(mem))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Shutdown(context.Background())

	service := httptest.NewServer(agentops.ExtractingHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, span := agentops.StartSpan(r.Context(), agentops.KindTool, "lookup")
		defer span.End(nil)
		fmt.Fprintln(w, "ok")
	})))
	defer service.Close()

	ctx, sess := agentops.StartSession(context.Background(), "distributed")
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, service.URL, nil)
	resp, err := (&http.Client{Transport: agentops.PropagatingTransport(nil)}).Do(req)
	if err != nil {
		log.Fatal(err)
	}
	_ = resp.Body.Close()
	sess.End(agentops.Success)

	_ = client.ForceFlush(context.Background())
	for _, s := range mem.GetSpans() {
		fmt.Println(s.Name, "in the session's trace:", s.SpanContext.TraceID() == sess.TraceID())
	}
	// Output:
	// execute_tool lookup in the session's trace: true
	// distributed.session in the session's trace: true
}

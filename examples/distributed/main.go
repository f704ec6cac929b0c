// Command distributed is an agent whose tool runs in another service, and
// one trace that covers both: the agent's check_stock tool calls an
// inventory service over HTTP, and the service's own spans nest under the
// agent's tool span in the agent's session.
//
// The trace crosses the wire as W3C trace context: the agent's HTTP client
// has agentops.PropagatingTransport, which writes the traceparent header
// of each request's context (the tool span's), and the service's handler
// is wrapped in agentops.ExtractingHandler, which reads it back into the
// request's context, so the spans the service starts from r.Context() join
// the caller's trace.
//
// By default the service runs in this process, on a loopback port, standing
// in for a separate one. Run it separately with -serve, and point the agent
// at it with -service:
//
//	go run ./examples/distributed -serve 127.0.0.1:7400
//	go run ./examples/distributed -service http://127.0.0.1:7400
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/agentops-go/agentops"
	"github.com/agentops-go/agentops/examples/internal/example"
)

// skus are what the agent checks; the last is one the inventory does not
// know, so that a failure crosses the wire too.
var skus = []string{"SKU-1001", "SKU-2002", "SKU-9999"}

func main() {
	serve := flag.String("serve", "", "run only the inventory service, listening on `host:port`")
	service := flag.String("service", "", "the inventory service's base `URL` (default: start one in this process)")
	flag.Parse()

	example.Main(func(ctx context.Context, stdout io.Writer) error {
		if *serve != "" {
			return runService(ctx, stdout, *serve)
		}
		return run(ctx, stdout, *service)
	})
}

// run runs the agent, with the inventory service at serviceURL, or, when
// serviceURL is "", in this process.
func run(ctx context.Context, stdout io.Writer, serviceURL string) error {
	client, err := agentops.Init(ctx, agentops.WithServiceName("stock-agent"))
	if err != nil {
		return err
	}
	defer example.Shutdown(client)

	if serviceURL == "" {
		srv, url, err := startService("127.0.0.1:0")
		if err != nil {
			return err
		}
		defer srv.Close()
		serviceURL = url
	}
	inventory := &inventoryClient{
		baseURL: serviceURL,
		// Each request carries the trace context of its own context: the
		// service's spans nest under the tool span that made the call.
		http: &http.Client{Transport: agentops.PropagatingTransport(nil), Timeout: 10 * time.Second},
	}
	return agentops.RunSession(ctx, "distributed", func(ctx context.Context) error {
		fmt.Fprintln(stdout, "session:", agentops.SessionFromContext(ctx).URL())
		for _, sku := range skus {
			level, err := agentops.Run(ctx, agentops.KindTool, "check_stock", func(ctx context.Context) (stockLevel, error) {
				return inventory.CheckStock(ctx, sku)
			}, agentops.WithInput(map[string]string{"sku": sku}))
			if err != nil {
				// The agent reports what it could not check and goes on;
				// the tool span and the service's spans record the error.
				fmt.Fprintf(stdout, "%s: %v\n", sku, err)
				continue
			}
			fmt.Fprintf(stdout, "%s: %d in stock at %s\n", sku, level.Units, level.Warehouse)
		}
		return nil
	}, agentops.WithTags("example", "distributed"))
}

// runService runs the inventory service alone, as its own process would,
// until ctx ends.
func runService(ctx context.Context, stdout io.Writer, addr string) error {
	client, err := agentops.Init(ctx, agentops.WithServiceName("inventory-service"))
	if err != nil {
		return err
	}
	defer example.Shutdown(client)

	srv, url, err := startService(addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "inventory service at %s; Ctrl-C stops it\n", url)
	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

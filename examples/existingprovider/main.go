// Command existingprovider is a program that already has an OpenTelemetry
// setup of its own (a TracerProvider with its resource and an exporter to
// its own OTLP backend) and adds agentops to it with
// agentops.WithTracerProvider.
//
// The SDK then builds no provider: it adds its processors to the
// program's, so every span, the program's own and the SDK's, is started
// once, in one trace, and goes to both backends with the same ids: the
// program's backend through the program's exporter, AgentOps through the
// SDK's. Shutting the SDK down removes only its processors; the program's
// provider keeps running until the program shuts it down.
//
// The program's backend is the OTLP/HTTP traces URL given with -otlp (a
// Collector, Jaeger, another `agentops serve`); without it, the program's
// exporter prints one line per span, so the ids can be compared with the
// dashboard's. The model is OpenAI when OPENAI_API_KEY is set, else a
// scripted one in this process.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	goopenai "github.com/sashabaranov/go-openai"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/agentops-go/agentops"
	"github.com/agentops-go/agentops/agentopstest/scripted"
	"github.com/agentops-go/agentops/examples/internal/example"
	aoopenai "github.com/agentops-go/agentops/instrument/openai"
)

// serviceName is the program's own service.name; the SDK's spans carry it
// too, since they share the program's resource.
const serviceName = "ticket-triage"

// scopeName is the instrumentation scope of the program's own spans.
const scopeName = "example.com/ticket-triage"

func main() {
	// Not OTEL_EXPORTER_OTLP_ENDPOINT: with no AGENTOPS_* setting naming a
	// destination, the SDK reads that variable as its own and would send
	// there instead of to AgentOps (see the README).
	otlpURL := flag.String("otlp", "", "the OTLP/HTTP traces `URL` of the program's own backend, e.g. http://127.0.0.1:4318/v1/traces (default: print the spans)")
	flag.Parse()

	example.Main(func(ctx context.Context, stdout io.Writer) error {
		return run(ctx, stdout, *otlpURL)
	})
}

func run(ctx context.Context, stdout io.Writer, otlpURL string) error {
	tp, err := newTracerProvider(ctx, stdout, otlpURL)
	if err != nil {
		return err
	}
	// Deferred first, so it runs last: after the SDK has flushed its own
	// processors and left the provider.
	defer example.Shutdown(tp)

	// The SDK adds its processors to tp rather than building a provider.
	env, err := example.Start(ctx, func(*scripted.Request) scripted.Reply {
		return scripted.Reply{Content: "billing"}
	}, agentops.WithTracerProvider(tp))
	if err != nil {
		return err
	}
	defer env.Close() // flushes the SDK's processors and leaves tp, stops the scripted model

	model := env.Model
	llm := aoopenai.NewClient(model.ClientConfig(), model.Options()...)
	tracer := tp.Tracer(scopeName)
	return agentops.RunSession(ctx, "existingprovider", func(ctx context.Context) error {
		fmt.Fprintln(stdout, "session:", agentops.SessionFromContext(ctx).URL())
		ticket := fetchTicket(ctx, tracer, 4711)
		resp, err := llm.CreateChatCompletion(ctx, goopenai.ChatCompletionRequest{
			Model: model.Name,
			Messages: []goopenai.ChatCompletionMessage{
				{Role: goopenai.ChatMessageRoleSystem, Content: "Route support tickets. Answer with one word: billing, technical or account."},
				{Role: goopenai.ChatMessageRoleUser, Content: ticket},
			},
		})
		if err != nil {
			return err
		}
		if len(resp.Choices) == 0 {
			return errors.New("the model returned no answer")
		}
		fmt.Fprintln(stdout, "queue:", resp.Choices[0].Message.Content)
		return nil
	}, agentops.WithTags("example", "existingprovider"))
}

// newTracerProvider is the program's own OpenTelemetry setup, as it was
// before agentops: its resource, and an exporter to its own backend.
func newTracerProvider(ctx context.Context, stdout io.Writer, otlpURL string) (*sdktrace.TracerProvider, error) {
	var exp sdktrace.SpanExporter = &lineExporter{w: stdout}
	if otlpURL != "" {
		var err error
		if exp, err = otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(otlpURL)); err != nil {
			return nil, fmt.Errorf("the program's OTLP exporter: %w", err)
		}
	}
	return sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", serviceName))),
	), nil
}

// fetchTicket stands in for the program's own instrumented work: a span
// from its own tracer, which nests under the session like any other.
func fetchTicket(ctx context.Context, tracer trace.Tracer, id int) string {
	_, span := tracer.Start(ctx, "fetch_ticket", trace.WithAttributes(attribute.Int("ticket.id", id)))
	defer span.End()
	return "I was charged twice for my March invoice, please refund one of the payments."
}

package agentops

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/trace"
)

// BenchmarkStartSpanEnd compares a span through the SDK with spans through
// the raw OTel tracer of the same provider and pipeline, in one run:
//   - otel-raw: a bare span, the floor;
//   - otel-raw-same-attrs: the attributes a tool span carries, set by hand;
//   - agentops: StartSpan(KindTool)+End(nil);
//   - agentops-input-output: the same with a JSON input and output;
//   - no-client: StartSpan+End with no SDK initialised.
func BenchmarkStartSpanEnd(b *testing.B) {
	c := benchClient(b)
	ctx, sess := c.StartSession(context.Background(), "bench")
	defer sess.End(Success)
	raw := c.TracerProvider().Tracer("raw")

	b.Run("otel-raw", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, s := raw.Start(ctx, "execute_tool search")
			s.End()
		}
	})
	b.Run("otel-raw-same-attrs", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, s := raw.Start(ctx, "execute_tool search", trace.WithAttributes(
				attribute.String("agentops.span.kind", "tool"),
				attribute.String("operation.name", "search"),
				attribute.String("gen_ai.operation.name", "execute_tool")))
			s.SetAttributes(
				attribute.String("tool.name", "search"),
				attribute.String("gen_ai.tool.name", "search"),
				attribute.String("tool.status", "executing"))
			s.SetAttributes(attribute.String("tool.status", "succeeded"))
			s.SetStatus(codes.Ok, "")
			s.End()
		}
	})
	b.Run("agentops", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, s := c.StartSpan(ctx, KindTool, "search")
			s.End(nil)
		}
	})
	input := map[string]any{"query": "opentelemetry go", "limit": 5}
	b.Run("agentops-input-output", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, s := c.StartSpan(ctx, KindTool, "search", WithInput(input))
			s.SetOutput([]string{"first result", "second result"})
			s.End(nil)
		}
	})
	b.Run("no-client", func(b *testing.B) {
		var none *Client
		b.ReportAllocs()
		for b.Loop() {
			_, s := none.StartSpan(ctx, KindTool, "search")
			s.End(nil)
		}
	})
}

// BenchmarkSessionStartEnd is the cost of a whole (empty) session, which
// includes the internal processor's bookkeeping and job hand-off.
func BenchmarkSessionStartEnd(b *testing.B) {
	c := benchClient(b)
	raw := c.TracerProvider().Tracer("raw")

	b.Run("otel-raw-root", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, s := raw.Start(context.Background(), "bench.session", trace.WithNewRoot())
			s.End()
		}
	})
	b.Run("agentops-session", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, s := c.StartSession(context.Background(), "bench")
			s.End(Success)
		}
	})
}

// benchClient is a Client with the full pipeline, exporting to a sink that
// discards what it gets, so the backend costs the benchmark nothing.
func benchClient(b *testing.B) *Client {
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	b.Cleanup(sink.Close)
	c, err := Init(context.Background(), WithEndpoint(sink.URL), WithLogger(discardLogger()),
		WithBatchTimeout(100*time.Millisecond), WithSourceCapture(false))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	return c
}

// BenchmarkLLMSpan is the manual LLM API (what the wrappers add to a call)
// beside a raw OTel span of the same provider, for a chat of a system and
// a user message, one tool, and an answer with usage.
func BenchmarkLLMSpan(b *testing.B) {
	// Recorded but exported nowhere: the call path alone, without an
	// exporter competing for the two cores.
	c, err := Init(context.Background(), WithoutDefaultExporter(), WithLogger(discardLogger()),
		WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Shutdown(context.Background())
	ctx, sess := c.StartSession(context.Background(), "bench")
	defer sess.End(Success)
	raw := c.TracerProvider().Tracer("raw")
	req := LLMRequest{Provider: "openai", Model: "gpt-4o-mini", ServerAddress: "api.openai.com", ServerPort: 443,
		Messages: []Message{
			{Role: "system", Content: "You are a helpful assistant that answers briefly."},
			{Role: "user", Content: "What is the capital of France, and what is its population?"},
		},
		Tools:       []ToolDefinition{{Name: "search", Description: "Web search", Parameters: `{"type":"object","properties":{"q":{"type":"string"}}}`}},
		Temperature: ptr(0.2), MaxTokens: 256}
	resp := LLMResponse{ID: "chatcmpl-abc", Model: "gpt-4o-mini-2024-07-18",
		Choices: []Choice{{Message: Message{Role: "assistant", Content: "Paris; about 2.1 million people."}, FinishReason: "stop"}},
		Usage:   &Usage{InputTokens: 42, OutputTokens: 12, TotalTokens: 54}}

	b.Run("otel-raw", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, s := raw.Start(ctx, "chat gpt-4o-mini")
			s.End()
		}
	})
	// The same attributes, prepared once, set on a raw span: what the OTel
	// SDK itself costs for a span this rich.
	startAttrs := c.content().request(llmStartAttributes(nil, &req), &req)
	endAttrs := c.content().response(llmEndAttributes(nil, &resp, false, 0), &resp)
	b.Run("otel-raw-same-attrs", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, s := raw.Start(ctx, "chat gpt-4o-mini", trace.WithAttributes(startAttrs...))
			s.SetAttributes(endAttrs...)
			s.End()
		}
	})
	b.Run("StartLLM+End", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, s := c.StartLLM(ctx, req)
			s.End(resp, nil)
		}
	})
}

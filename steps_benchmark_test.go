package agentops

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// BenchmarkStepHub is what the step hub adds to a span's start and end
// (a span with a tool span's attributes), in one run:
//   - no-hub: a provider whose one processor does nothing, the floor;
//   - no-subscriber: the hub instead, with nobody subscribed, the usual case;
//   - other-session: one subscriber, for another session;
//   - one-subscriber: one subscriber to every span, read as fast as it can.
func BenchmarkStepHub(b *testing.B) {
	run := func(b *testing.B, p sdktrace.SpanProcessor) {
		tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(p))
		defer func() { _ = tp.Shutdown(context.Background()) }()
		tracer := tp.Tracer("bench")
		ctx, root := tracer.Start(context.Background(), "bench.session")
		defer root.End()
		attrs := trace.WithAttributes(
			attribute.String("agentops.span.kind", "tool"),
			attribute.String("operation.name", "search"),
			attribute.String("gen_ai.operation.name", "execute_tool"),
			attribute.String("tool.name", "search"),
			attribute.String("gen_ai.tool.name", "search"))
		b.ReportAllocs()
		for b.Loop() {
			_, s := tracer.Start(ctx, "execute_tool search", attrs)
			s.End()
		}
	}

	b.Run("no-hub", func(b *testing.B) { run(b, nopProcessor{}) })
	b.Run("no-subscriber", func(b *testing.B) { run(b, &stepHub{}) })
	b.Run("other-session", func(b *testing.B) {
		hub := &stepHub{}
		other := &Subscription{traceID: trace.TraceID{1}, filtered: true, events: make(chan StepEvent, 1)}
		hub.add(other)
		run(b, hub)
	})
	b.Run("one-subscriber", func(b *testing.B) {
		hub := &stepHub{}
		sub := &Subscription{hub: hub, events: make(chan StepEvent, defaultSubscriptionBuffer)}
		hub.add(sub)
		read := make(chan struct{})
		go func() {
			defer close(read)
			for range sub.Events() {
			}
		}()
		run(b, hub)
		sub.Close()
		<-read
		b.ReportMetric(float64(sub.Dropped())/float64(b.N), "dropped/op")
	})
}

type nopProcessor struct{}

func (nopProcessor) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (nopProcessor) OnEnd(sdktrace.ReadOnlySpan)                     {}
func (nopProcessor) ForceFlush(context.Context) error                { return nil }
func (nopProcessor) Shutdown(context.Context) error                  { return nil }

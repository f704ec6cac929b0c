package agentops

import (
	"context"
	"errors"
	"sync"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// pipeline is every span processor the Client owns, registered on the
// TracerProvider as one: the step hub (Subscribe, RecordSteps) and the
// internal processor first, then the batch processors (AgentOps, extra
// exporters) and the user's processors. Being one registration lets a
// joined provider (WithTracerProvider) drop exactly the SDK's processors at
// Shutdown and keep its own.
//
// It is safe for concurrent use.
type pipeline struct {
	// steps comes before internal, so that subscribers have a session's
	// root end before the session-end hooks run.
	steps    *stepHub
	internal *processor
	others   []sdktrace.SpanProcessor

	once sync.Once
	err  error
}

var _ sdktrace.SpanProcessor = (*pipeline)(nil)

func (p *pipeline) OnStart(ctx context.Context, s sdktrace.ReadWriteSpan) {
	p.steps.OnStart(ctx, s)
	for _, o := range p.others {
		o.OnStart(ctx, s)
	}
}

func (p *pipeline) OnEnd(s sdktrace.ReadOnlySpan) {
	p.steps.OnEnd(s)
	p.internal.OnEnd(s)
	for _, o := range p.others {
		o.OnEnd(s)
	}
}

// ForceFlush waits for the session-end work first (it may emit spans),
// then flushes the other processors in parallel, each within ctx.
func (p *pipeline) ForceFlush(ctx context.Context) error {
	return errors.Join(p.internal.ForceFlush(ctx), p.parallel(ctx, sdktrace.SpanProcessor.ForceFlush))
}

// Shutdown runs once: the session-end work first, then the other processors
// in parallel, so that one hung backend does not eat another's time, and
// last the step hub, whose subscribers get every span ended until then.
func (p *pipeline) Shutdown(ctx context.Context) error {
	p.once.Do(func() {
		p.err = errors.Join(p.internal.Shutdown(ctx), p.parallel(ctx, sdktrace.SpanProcessor.Shutdown),
			p.steps.Shutdown(ctx))
	})
	return p.err
}

func (p *pipeline) parallel(ctx context.Context, call func(sdktrace.SpanProcessor, context.Context) error) error {
	errs := make([]error, len(p.others))
	var wg sync.WaitGroup
	for i, o := range p.others {
		wg.Go(func() { errs[i] = call(o, ctx) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

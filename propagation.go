package agentops

import (
	"context"
	"net/http"

	"go.opentelemetry.io/otel/propagation"
)

// propagator is W3C Trace Context plus W3C Baggage, what OTel SDKs in every
// language speak by default.
var propagator propagation.TextMapPropagator = propagation.NewCompositeTextMapPropagator(
	propagation.TraceContext{}, propagation.Baggage{})

// Propagator returns the SDK's propagator: W3C traceparent/tracestate and
// baggage. Use it with other carriers (message headers, gRPC metadata). It
// is safe for concurrent use.
func Propagator() propagation.TextMapPropagator { return propagator }

// InjectHTTP writes the trace context (and baggage) of ctx into h, so that
// the service receiving the request continues the session's trace.
func InjectHTTP(ctx context.Context, h http.Header) {
	propagator.Inject(ctx, propagation.HeaderCarrier(h))
}

// ExtractHTTP returns ctx carrying the remote span context (and baggage)
// found in h; spans started from it join the caller's trace.
func ExtractHTTP(ctx context.Context, h http.Header) context.Context {
	return propagator.Extract(ctx, propagation.HeaderCarrier(h))
}

// PropagatingTransport wraps base (nil: http.DefaultTransport) so every
// request carries the trace context of its own context: a remote tool
// service called with it nests its spans under the calling span. It never
// mutates the caller's request. It is safe for concurrent use.
func PropagatingTransport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return propagatingTransport{base: base}
}

type propagatingTransport struct{ base http.RoundTripper }

func (t propagatingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	InjectHTTP(r.Context(), r.Header)
	return t.base.RoundTrip(r)
}

// ExtractingHandler wraps next so each request's context carries the trace
// context its caller sent: in a remote tool service, spans started from
// r.Context() join the calling agent's session trace. It is safe for
// concurrent use.
func ExtractingHandler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(ExtractHTTP(r.Context(), r.Header)))
	})
}

package openai

import (
	"context"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"

	"github.com/agentops-go/agentops"
)

func TestMain(m *testing.M) {
	// The developer's own AgentOps or OTel settings must not change what
	// the tests see.
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AGENTOPS_") || strings.HasPrefix(k, "OTEL_") {
			_ = os.Unsetenv(k)
		}
	}
	goleak.VerifyTestMain(m)
}

// harness is an agentops Client that records spans and metrics in memory.
// Init makes it the default Client: tests that use one must not run in
// parallel.
type harness struct {
	t       testing.TB
	client  *agentops.Client
	spans   *tracetest.SpanRecorder
	metrics *sdkmetric.ManualReader
}

func setup(t testing.TB, opts ...agentops.Option) *harness {
	t.Helper()
	h := &harness{t: t, spans: tracetest.NewSpanRecorder(), metrics: sdkmetric.NewManualReader()}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(h.metrics))
	base := []agentops.Option{
		agentops.WithoutDefaultExporter(),
		agentops.WithSpanProcessor(h.spans),
		agentops.WithMeterProvider(mp),
		agentops.WithSourceCapture(false),
		agentops.WithLogCapture(false),
	}
	c, err := agentops.Init(context.Background(), append(base, opts...)...)
	require.NoError(t, err)
	h.client = c
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		assert.NoError(t, c.Shutdown(ctx))
		assert.NoError(t, mp.Shutdown(ctx))
	})
	return h
}

// session starts a session; its root is the parent every LLM span must
// have.
func (h *harness) session() (context.Context, *agentops.Session) {
	ctx, s := agentops.StartSession(context.Background(), "openai-test")
	h.t.Cleanup(func() { s.End(agentops.Success) })
	return ctx, s
}

// llmSpans are the ended LLM spans.
func (h *harness) llmSpans() []sdktrace.ReadOnlySpan {
	return h.spansOfKind("llm")
}

func (h *harness) spansOfKind(kind string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range h.spans.Ended() {
		if v, ok := attrs(s)["agentops.span.kind"]; ok && v.AsString() == kind {
			out = append(out, s)
		}
	}
	return out
}

// llmSpan is the one LLM span ended so far, waiting for it a while (spans
// that the context's end or a cleanup ends, end on another goroutine).
func (h *harness) llmSpan() sdktrace.ReadOnlySpan {
	h.t.Helper()
	h.waitLLMSpans(1)
	spans := h.llmSpans()
	require.Len(h.t, spans, 1, "LLM spans")
	return spans[0]
}

func (h *harness) waitLLMSpans(n int) {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(h.llmSpans()) < n && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
}

// waitCleanup collects garbage until the LLM span ends: the stream or body
// was dropped and its cleanup must end the span.
func (h *harness) waitCleanup() {
	h.t.Helper()
	for i := 0; i < 200 && len(h.llmSpans()) == 0; i++ {
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
	}
	require.Len(h.t, h.llmSpans(), 1, "the cleanup ended the span")
}

func attrs(s sdktrace.ReadOnlySpan) map[string]attribute.Value {
	m := map[string]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[string(kv.Key)] = kv.Value
	}
	return m
}

// checkSpan asserts the span's name, kind, parent (the session's root) and
// status.
func checkSpan(t testing.TB, s sdktrace.ReadOnlySpan, sess *agentops.Session, name string, status codes.Code) {
	t.Helper()
	assert.Equal(t, name, s.Name())
	assert.Equal(t, trace.SpanKindClient, s.SpanKind())
	assert.Equal(t, sess.TraceID(), s.SpanContext().TraceID(), "in the session's trace")
	assert.Equal(t, sess.Span().SpanContext().SpanID(), s.Parent().SpanID(), "child of the session's root")
	assert.Equal(t, status, s.Status().Code, "status: %s", s.Status().Description)
	assert.False(t, s.EndTime().IsZero())
}

// want asserts attributes: string, int, float64, bool, []string values;
// nil means absent.
func want(t testing.TB, s sdktrace.ReadOnlySpan, kv map[string]any) {
	t.Helper()
	a := attrs(s)
	for k, w := range kv {
		v, ok := a[k]
		if w == nil {
			assert.False(t, ok, "%s should be absent, is %v", k, v.Emit())
			continue
		}
		if !assert.True(t, ok, "%s is missing", k) {
			continue
		}
		switch w := w.(type) {
		case string:
			assert.Equal(t, w, v.AsString(), k)
		case int:
			assert.Equal(t, int64(w), v.AsInt64(), k)
		case float64:
			assert.InDelta(t, w, v.AsFloat64(), 1e-9, k)
		case bool:
			assert.Equal(t, w, v.AsBool(), k)
		case []string:
			assert.Equal(t, w, v.AsStringSlice(), k)
		default:
			t.Fatalf("want: %T", w)
		}
	}
}

// point is one histogram point, whatever its number type.
type point struct {
	attrs  attribute.Set
	count  uint64
	sum    float64
	bounds []float64
}

func (h *harness) points(name string) []point {
	h.t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(h.t, h.metrics.Collect(context.Background(), &rm))
	var out []point
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			switch d := m.Data.(type) {
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					out = append(out, point{p.Attributes, p.Count, p.Sum, p.Bounds})
				}
			case metricdata.Histogram[int64]:
				for _, p := range d.DataPoints {
					out = append(out, point{p.Attributes, p.Count, float64(p.Sum), p.Bounds})
				}
			}
		}
	}
	return out
}

func (p point) attr(k string) string {
	v, _ := p.attrs.Value(attribute.Key(k))
	return v.Emit()
}

var (
	durationBuckets = []float64{0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92}
	tokenBuckets    = []float64{1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864}
)

// checkMetrics asserts one call's duration point (with errType, "" for
// none) and its token usage (input, output; negative: none recorded).
func (h *harness) checkMetrics(op, model, errType string, input, output int) {
	t := h.t
	t.Helper()
	d := h.points("gen_ai.client.operation.duration")
	if assert.Len(t, d, 1, "duration points") {
		assert.Equal(t, uint64(1), d[0].count)
		assert.Equal(t, durationBuckets, d[0].bounds)
		assert.Equal(t, op, d[0].attr("gen_ai.operation.name"))
		assert.Equal(t, model, d[0].attr("gen_ai.request.model"))
		assert.NotEmpty(t, d[0].attr("gen_ai.provider.name"))
		assert.Equal(t, errType, d[0].attr("error.type"))
	}
	tok := h.points("gen_ai.client.token.usage")
	if input < 0 {
		assert.Empty(t, tok, "no token usage without usage in the answer")
		return
	}
	sums := map[string]float64{}
	for _, p := range tok {
		assert.Equal(t, tokenBuckets, p.bounds)
		assert.Equal(t, uint64(1), p.count)
		sums[p.attr("gen_ai.token.type")] += p.sum
	}
	assert.Equal(t, map[string]float64{"input": float64(input), "output": float64(output)}, sums)
}

// checkStreamMetrics asserts the time to first chunk and the chunk gaps.
func (h *harness) checkStreamMetrics(chunks int) {
	t := h.t
	t.Helper()
	ttfc := h.points("gen_ai.client.operation.time_to_first_chunk")
	if assert.Len(t, ttfc, 1) {
		assert.Equal(t, uint64(1), ttfc[0].count)
		assert.Equal(t, durationBuckets, ttfc[0].bounds)
	}
	var gaps uint64
	for _, p := range h.points("gen_ai.client.operation.time_per_output_chunk") {
		gaps += p.count
		assert.Equal(t, durationBuckets, p.bounds)
	}
	assert.Equal(t, uint64(chunks-1), gaps, "one chunk gap per chunk after the first")
}

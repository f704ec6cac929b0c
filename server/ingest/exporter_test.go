package ingest

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/agentops-go/agentops/server/model"
)

var (
	traceA = trace.TraceID{0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f, 0x60, 0x71, 0x82, 0x93, 0xa4, 0xb5, 0xc6, 0xd7, 0xe8, 0xf9}
	rootA  = trace.SpanID{1, 2, 3, 4, 5, 6, 7, 8}
	childA = trace.SpanID{0xf1, 0xe2, 0xd3, 0xc4, 0xb5, 0xa6, 0x97, 0x88}
	t0     = time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.UTC)
)

func spanContext(tid trace.TraceID, sid trace.SpanID) trace.SpanContext {
	return trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled})
}

// sessionStubs is a session root and an LLM call under it, with every
// attribute type the OTel Go API has.
func sessionStubs() tracetest.SpanStubs {
	res := resource.NewSchemaless(attribute.String("service.name", "agentops"), attribute.String("host.name", "box"))
	scope := instrumentation.Scope{Name: "agentops-go", Version: "0.1.0"}
	root := spanContext(traceA, rootA)
	return tracetest.SpanStubs{
		{
			Name: "session", SpanContext: root, SpanKind: trace.SpanKindInternal,
			StartTime: t0, EndTime: t0.Add(3 * time.Second),
			Attributes: []attribute.KeyValue{attribute.StringSlice("agentops.tags", []string{"a", "b"})},
			Status:     sdktrace.Status{Code: codes.Ok},
			Resource:   res, InstrumentationScope: scope,
		},
		{
			Name: "openai.chat", SpanContext: spanContext(traceA, childA), Parent: root, SpanKind: trace.SpanKindClient,
			StartTime: t0.Add(time.Second), EndTime: t0.Add(2 * time.Second),
			Attributes: []attribute.KeyValue{
				attribute.String("gen_ai.request.model", "gpt-4o"),
				attribute.Int("gen_ai.usage.prompt_tokens", 42),
				attribute.Bool("gen_ai.request.streaming", true),
				attribute.Float64("gen_ai.request.temperature", 0.5),
				attribute.IntSlice("ints", []int{1, 2}),
				attribute.BoolSlice("bools", []bool{true, false}),
				attribute.Float64Slice("floats", []float64{1.5}),
				attribute.ByteSlice("raw", []byte("hi")),
				attribute.Slice("mixed", attribute.StringValue("x"), attribute.IntValue(7)),
				attribute.Map("obj", attribute.String("k", "v"), attribute.Int("n", 1)),
			},
			Events: []sdktrace.Event{{
				Name: "exception", Time: t0.Add(1500 * time.Millisecond),
				Attributes: []attribute.KeyValue{attribute.String("exception.message", "boom")},
			}},
			Links:    []sdktrace.Link{{SpanContext: root, Attributes: []attribute.KeyValue{attribute.String("why", "retry")}}},
			Status:   sdktrace.Status{Code: codes.Error, Description: "boom"},
			Resource: res, InstrumentationScope: scope,
		},
	}
}

func newTraceExporter(t *testing.T, s *testServer, opts ...otlptracehttp.Option) *otlptrace.Exporter {
	t.Helper()
	opts = append([]otlptracehttp.Option{
		otlptracehttp.WithEndpointURL(s.URL + "/v1/traces"),
		otlptracehttp.WithHTTPClient(s.client),
		otlptracehttp.WithRetry(otlptracehttp.RetryConfig{Enabled: false}),
	}, opts...)
	exp, err := otlptracehttp.New(context.Background(), opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = exp.Shutdown(context.Background()) })
	return exp
}

func TestExporterRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []otlptracehttp.Option
	}{
		{"protobuf", nil},
		{"protobuf gzip", []otlptracehttp.Option{otlptracehttp.WithCompression(otlptracehttp.GzipCompression)}},
		{"json", []otlptracehttp.Option{otlptracehttp.WithEncoding(otlptracehttp.EncodingJSON)}},
		{"json gzip", []otlptracehttp.Option{otlptracehttp.WithEncoding(otlptracehttp.EncodingJSON), otlptracehttp.WithCompression(otlptracehttp.GzipCompression)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, Config{})
			exp := newTraceExporter(t, s, tc.opts...)
			require.NoError(t, exp.ExportSpans(context.Background(), sessionStubs().Snapshots()))

			batches := s.w.all()
			require.Len(t, batches, 1, "one request, one batch")
			spans := batches[0].Spans
			require.Len(t, spans, 2)
			root, child := spans[0], spans[1]
			resource := map[string]any{"service.name": "agentops", "host.name": "box"}

			assert.Equal(t, model.Span{
				TraceID: "0a1b2c3d4e5f60718293a4b5c6d7e8f9", SpanID: "0102030405060708",
				Name: "session", Kind: "internal",
				Start: t0, End: t0.Add(3 * time.Second),
				StatusCode: "ok", Service: "agentops", Scope: "agentops-go",
				Attributes: map[string]any{"agentops.tags": []any{"a", "b"}},
				Resource:   resource,
				Derived:    model.Derived{Class: "other", Label: "session"},
			}, root)

			assert.Equal(t, model.Span{
				TraceID: "0a1b2c3d4e5f60718293a4b5c6d7e8f9", SpanID: "f1e2d3c4b5a69788", ParentSpanID: "0102030405060708",
				Name: "openai.chat", Kind: "client",
				Start: t0.Add(time.Second), End: t0.Add(2 * time.Second),
				StatusCode: "error", StatusMessage: "boom", Service: "agentops", Scope: "agentops-go",
				Attributes: map[string]any{
					"gen_ai.request.model":       "gpt-4o",
					"gen_ai.usage.prompt_tokens": int64(42),
					"gen_ai.request.streaming":   true,
					"gen_ai.request.temperature": 0.5,
					"ints":                       []any{int64(1), int64(2)},
					"bools":                      []any{true, false},
					"floats":                     []any{1.5},
					"raw":                        "aGk=", // base64 of "hi"
					"mixed":                      []any{"x", int64(7)},
					"obj":                        map[string]any{"k": "v", "n": int64(1)},
				},
				Resource: resource,
				Events: []model.Event{{
					Name: "exception", Time: t0.Add(1500 * time.Millisecond),
					Attributes: map[string]any{"exception.message": "boom"},
				}},
				Links: []model.Link{{
					TraceID: "0a1b2c3d4e5f60718293a4b5c6d7e8f9", SpanID: "0102030405060708",
					Attributes: map[string]any{"why": "retry"},
				}},
				Derived: model.Derived{Class: "other", Label: "openai.chat"},
			}, child)
		})
	}
}

// TestExporterThroughProvider sends spans the way the SDK does: a
// TracerProvider with a batch span processor, flushed.
func TestExporterThroughProvider(t *testing.T) {
	s := newServer(t, Config{})
	exp := newTraceExporter(t, s, otlptracehttp.WithCompression(otlptracehttp.GzipCompression))
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", "my-agent"))))
	tracer := tp.Tracer("test")
	ctx, root := tracer.Start(context.Background(), "session")
	for range 100 {
		_, sp := tracer.Start(ctx, "llm")
		sp.SetAttributes(attribute.String("gen_ai.request.model", "gpt-4o-mini"))
		sp.End()
	}
	root.End()
	require.NoError(t, tp.ForceFlush(context.Background()))
	require.NoError(t, tp.Shutdown(context.Background()))

	spans := s.w.spans()
	require.Len(t, spans, 101)
	for _, sp := range spans {
		assert.Equal(t, "my-agent", sp.Service)
		assert.Equal(t, "test", sp.Scope)
		assert.Equal(t, root.SpanContext().TraceID().String(), sp.TraceID)
		assert.Len(t, sp.SpanID, 16)
	}
}

func TestExporterSeesStatusCodes(t *testing.T) {
	t.Run("503 is retryable", func(t *testing.T) {
		s := newServer(t, Config{})
		s.w.setErr(model.ErrOverloaded)
		exp := newTraceExporter(t, s)
		err := exp.ExportSpans(context.Background(), sessionStubs().Snapshots())
		require.Error(t, err)
		assert.Contains(t, err.Error(), "retry shortly")
	})
	t.Run("401 in closed mode", func(t *testing.T) {
		s := newServer(t, Config{}, testKey)
		exp := newTraceExporter(t, s)
		err := exp.ExportSpans(context.Background(), sessionStubs().Snapshots())
		require.Error(t, err)
		assert.Contains(t, err.Error(), "401")
		assert.Empty(t, s.w.all())
	})
	t.Run("200 in closed mode with a token", func(t *testing.T) {
		s := newServer(t, Config{}, testKey)
		exp := newTraceExporter(t, s, otlptracehttp.WithHeaders(map[string]string{"Authorization": "Bearer " + s.token(t, testKey)}))
		require.NoError(t, exp.ExportSpans(context.Background(), sessionStubs().Snapshots()))
		assert.Len(t, s.w.spans(), 2)
	})
}

func TestMetricsExporterAccepted(t *testing.T) {
	for _, gz := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "gzip"}[gz], func(t *testing.T) {
			s := newServer(t, Config{})
			opts := []otlpmetrichttp.Option{
				otlpmetrichttp.WithEndpointURL(s.URL + "/v1/metrics"),
				otlpmetrichttp.WithHTTPClient(s.client),
				otlpmetrichttp.WithRetry(otlpmetrichttp.RetryConfig{Enabled: false}),
			}
			if gz {
				opts = append(opts, otlpmetrichttp.WithCompression(otlpmetrichttp.GzipCompression))
			}
			exp, err := otlpmetrichttp.New(context.Background(), opts...)
			require.NoError(t, err)
			reader := sdkmetric.NewManualReader()
			mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
			h, err := mp.Meter("test").Float64Histogram("gen_ai.client.token.usage")
			require.NoError(t, err)
			h.Record(context.Background(), 42)
			var rm metricdata.ResourceMetrics
			require.NoError(t, reader.Collect(context.Background(), &rm))
			require.NoError(t, exp.Export(context.Background(), &rm), "the SDK's metric export must succeed")
			require.NoError(t, exp.Shutdown(context.Background()))
			require.NoError(t, mp.Shutdown(context.Background()))
			assert.Empty(t, s.w.all(), "metrics are not stored")
		})
	}
}

func TestMetricsStatusCodes(t *testing.T) {
	s := newServer(t, Config{})
	r := s.post(t, "/v1/metrics", []byte("\xff\xff\xff"), "Content-Type", "application/x-protobuf")
	assert.Equal(t, http.StatusBadRequest, r.status)
	r = s.post(t, "/v1/metrics", []byte(`{"resourceMetrics":[]}`), "Content-Type", "application/json")
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))
	r = s.post(t, "/v1/metrics", []byte(`{}`), "Content-Type", "text/plain")
	assert.Equal(t, http.StatusUnsupportedMediaType, r.status)
	r = s.do(t, http.MethodGet, "/v1/metrics", nil)
	assert.Equal(t, http.StatusMethodNotAllowed, r.status)

	closed := newServer(t, Config{}, testKey)
	r = closed.post(t, "/v1/metrics", nil, "Content-Type", "application/x-protobuf")
	assert.Equal(t, http.StatusUnauthorized, r.status)
	r = closed.post(t, "/v1/metrics", nil, "Content-Type", "application/x-protobuf", "Authorization", "Bearer "+closed.token(t, testKey))
	assert.Equal(t, http.StatusOK, r.status)
}

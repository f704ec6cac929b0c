package agentops

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/resource"

	"github.com/agentops-go/agentops/internal/semconv"
	"github.com/agentops-go/agentops/upload"
)

// llmMetrics are the four gen_ai.client.* histograms, created once per
// Client with the bucket boundaries SEMCONV.md gives, and the attribute sets
// of their points, made once per distinct set of values: a call records
// three points without building a set.
type llmMetrics struct {
	tokens   metric.Int64Histogram
	duration metric.Float64Histogram
	ttfc     metric.Float64Histogram
	perChunk metric.Float64Histogram

	mu   sync.RWMutex
	sets map[metricKey]*metricOptions
}

// metricKey is what tells the points of two calls apart.
type metricKey struct {
	operation, provider, requestModel, responseModel, server, errorType string
}

// metricOptions are the record options of one metricKey: the call's
// attribute set, and the same with gen_ai.token.type input and output.
type metricOptions struct {
	call, input, output []metric.RecordOption
}

// maxMetricSets bounds the cache; past it, it starts over.
const maxMetricSets = 1024

func (m *llmMetrics) options(k metricKey) *metricOptions {
	m.mu.RLock()
	o := m.sets[k]
	m.mu.RUnlock()
	if o != nil {
		return o
	}
	attrs := make([]attribute.KeyValue, 0, 7)
	attrs = append(attrs,
		attribute.String(semconv.GenAIOperationName, k.operation),
		attribute.String(semconv.ProviderName, k.provider),
		attribute.String(semconv.RequestModel, k.requestModel))
	for _, kv := range []struct{ key, v string }{
		{semconv.ResponseModel, k.responseModel},
		{semconv.ServerAddress, k.server},
		{semconv.ErrorType, k.errorType},
	} {
		if kv.v != "" {
			attrs = append(attrs, attribute.String(kv.key, kv.v))
		}
	}
	with := func(extra ...attribute.KeyValue) []metric.RecordOption {
		// NewSet sorts its argument in place: each set gets its own slice.
		return []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(slices.Concat(attrs, extra)...))}
	}
	o = &metricOptions{
		call:   with(),
		input:  with(attribute.String(semconv.TokenType, "input")),
		output: with(attribute.String(semconv.TokenType, "output")),
	}
	m.mu.Lock()
	if len(m.sets) >= maxMetricSets {
		clear(m.sets)
	}
	m.sets[k] = o
	m.mu.Unlock()
	return o
}

func newLLMMetrics(mp metric.MeterProvider) (*llmMetrics, error) {
	m := mp.Meter(ScopeName, metric.WithInstrumentationVersion(Version))
	tokens, err1 := m.Int64Histogram(semconv.MetricTokenUsage,
		metric.WithUnit("{token}"),
		metric.WithDescription("Number of input and output tokens used."),
		metric.WithExplicitBucketBoundaries(semconv.TokenBuckets...))
	duration, err2 := m.Float64Histogram(semconv.MetricOperationDuration,
		metric.WithUnit("s"),
		metric.WithDescription("GenAI operation duration."),
		metric.WithExplicitBucketBoundaries(semconv.DurationBuckets...))
	ttfc, err3 := m.Float64Histogram(semconv.MetricTimeToFirstChunk,
		metric.WithUnit("s"),
		metric.WithDescription("Time to receive the first chunk of a streamed response."),
		metric.WithExplicitBucketBoundaries(semconv.DurationBuckets...))
	perChunk, err4 := m.Float64Histogram(semconv.MetricTimePerOutputChunk,
		metric.WithUnit("s"),
		metric.WithDescription("Time between consecutive chunks of a streamed response."),
		metric.WithExplicitBucketBoundaries(semconv.DurationBuckets...))
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return nil, fmt.Errorf("%w: GenAI metrics: %w", ErrInvalidConfig, err)
	}
	return &llmMetrics{tokens: tokens, duration: duration, ttfc: ttfc, perChunk: perChunk, sets: map[metricKey]*metricOptions{}}, nil
}

// key is the call's metricKey.
func (s *LLMSpan) key(responseModel, errType string) metricKey {
	return metricKey{s.req.Operation, s.req.Provider, s.req.Model, responseModel, s.req.ServerAddress, errType}
}

// call records one finished call: duration always, time to first chunk for
// streams, token usage only when the provider reported it. It does at every
// trace level: the points hold no content, and at LevelMinimal they are
// where token usage is still counted.
func (m *llmMetrics) call(s *LLMSpan, resp *LLMResponse, d, ttfc time.Duration, streamed bool, errType string) {
	if m == nil {
		return
	}
	ctx := context.Background()
	o := m.options(s.key(resp.Model, errType))
	m.duration.Record(ctx, d.Seconds(), o.call...)
	if streamed {
		m.ttfc.Record(ctx, ttfc.Seconds(), o.call...)
	}
	if u := resp.Usage; u != nil {
		m.tokens.Record(ctx, int64(u.InputTokens), o.input...)
		m.tokens.Record(ctx, int64(u.OutputTokens), o.output...)
	}
}

// chunk records the time between two streamed chunks.
func (m *llmMetrics) chunk(s *LLMSpan, gap time.Duration) {
	if m == nil {
		return
	}
	m.perChunk.Record(context.Background(), gap.Seconds(), m.options(s.key("", "")).call...)
}

// newMeterProvider is the MeterProvider the GenAI metrics go through: the
// caller's (WithMeterProvider), or one of the SDK's exporting OTLP/HTTP
// metrics with the same bearer token as the spans, or none at all when
// nothing would receive them.
func (c *Client) newMeterProvider(ctx context.Context, cfg config, res *resource.Resource, abort context.Context) (metric.MeterProvider, *sdkmetric.MeterProvider, error) {
	if cfg.meterProvider != nil {
		return cfg.meterProvider, nil, nil
	}
	if cfg.noDefaultExporter || cfg.metricsOff {
		return noop.NewMeterProvider(), nil, nil
	}
	opts := []otlpmetrichttp.Option{
		otlpmetrichttp.WithEndpointURL(cfg.metricsEndpoint),
		otlpmetrichttp.WithHTTPClient(&http.Client{
			Transport: &upload.Transport{Base: c.transport, Auth: c.auth, UserAgent: userAgent},
			Timeout:   cfg.exportTimeoutOrDefault(),
		}),
	}
	if !cfg.compressionFromEnv {
		opts = append(opts, otlpmetrichttp.WithCompression(otlpmetrichttp.GzipCompression))
	}
	exp, err := otlpmetrichttp.New(ctx, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: OTLP metrics exporter for %s: %w", ErrInvalidConfig, cfg.metricsEndpoint, err)
	}
	reporting := &metricExporter{Exporter: exp, url: cfg.metricsEndpoint, diag: c.diag, abort: abort}
	mpOpts := []sdkmetric.Option{sdkmetric.WithReader(sdkmetric.NewPeriodicReader(reporting))}
	if res != nil {
		mpOpts = append(mpOpts, sdkmetric.WithResource(res))
	}
	mp := sdkmetric.NewMeterProvider(mpOpts...)
	return mp, mp, nil
}

// metricsEndpoint is where metrics go beside the spans: the standard
// OTEL_EXPORTER_OTLP_METRICS_ENDPOINT, else the traces URL with its
// /v1/traces turned into /v1/metrics (https://otlp.agentops.ai/v1/metrics
// for AgentOps cloud).
func metricsEndpoint(getenv func(string) string, tracesURL string) string {
	if v := getenv("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"); v != "" {
		return v
	}
	if base, ok := strings.CutSuffix(tracesURL, "/v1/traces"); ok {
		return base + "/v1/metrics"
	}
	u, err := url.Parse(tracesURL)
	if err != nil {
		return tracesURL
	}
	return u.Scheme + "://" + u.Host + "/v1/metrics"
}

// metricExporter reports failed metric exports once through diagnostics
// (the periodic reader would print each through otel.Handle) and lets
// Shutdown abort an export stuck on a hung backend. Safe for concurrent use.
type metricExporter struct {
	sdkmetric.Exporter
	url   string
	diag  *diagnostics
	abort context.Context
}

func (e *metricExporter) Export(ctx context.Context, rm *metricdata.ResourceMetrics) error {
	if empty(rm) {
		return nil // an agent that made no LLM call sends no request
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(e.abort, cancel)()
	if err := e.Exporter.Export(ctx, rm); err != nil {
		err = fmt.Errorf("agentops: metrics were not exported to %s: %w", e.url, err)
		if !errors.Is(err, upload.ErrAPIKeyRejected) && !errors.Is(err, upload.ErrNoAuthEndpoint) {
			e.diag.report(err)
		}
	}
	return nil
}

func empty(rm *metricdata.ResourceMetrics) bool {
	for _, sm := range rm.ScopeMetrics {
		if len(sm.Metrics) > 0 {
			return false
		}
	}
	return true
}

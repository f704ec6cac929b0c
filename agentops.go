package agentops

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/agentops-go/agentops/internal/logcapture"
	"github.com/agentops-go/agentops/internal/semconv"
	"github.com/agentops-go/agentops/upload"
)

// Version is the SDK's version, sent in User-Agent and as the
// instrumentation scope version.
const Version = "0.1.0"

// ScopeName is the instrumentation scope of the SDK's spans.
const ScopeName = "github.com/agentops-go/agentops"

const userAgent = "agentops-go/" + Version

// ErrAPIKeyRejected is reported (through the error handler, once) when the
// backend refuses the API key; nothing is exported after it.
var ErrAPIKeyRejected = upload.ErrAPIKeyRejected

// Client owns the SDK's pipeline: a TracerProvider (its own, or the one given
// with WithTracerProvider), the OTLP exporter with its authentication, the
// extra exporters and processors, and the internal processor that runs
// session-end work. It is safe for concurrent use.
type Client struct {
	cfg    config
	tp     trace.TracerProvider
	sdkTP  *sdktrace.TracerProvider // nil when disabled
	ownTP  bool
	tracer trace.Tracer

	pipe      *pipeline
	proc      *processor
	exporter  *otlpExporter
	auth      *upload.Auth // nil without an API key
	transport *http.Transport
	diag      *diagnostics
	abort     context.CancelFunc // cancels exports stuck past Shutdown's deadline

	uploader    *uploader // nil when nothing is uploaded at session end
	mp          metric.MeterProvider
	ownMP       *sdkmetric.MeterProvider // the SDK's own, to flush and shut down
	metrics     *llmMetrics
	autoSession *Session
	signals     *signalWatch

	shutdownOnce sync.Once
	shutdownErr  error
}

var defaultClient atomic.Pointer[Client]

// Default returns the Client the package-level functions use: the one the
// latest Init returned, until it is shut down. It may be nil.
func Default() *Client { return defaultClient.Load() }

// clientFor is the Client of the session ctx carries, else the default one,
// so a session's spans never leave its provider.
func clientFor(ctx context.Context) *Client {
	if s := SessionFromContext(ctx); s != nil && s.client != nil {
		return s.client
	}
	return Default()
}

// Init builds a Client from AGENTOPS_* and OTEL_* variables and opts, makes
// it the default Client, and returns it. It never blocks on the network: the
// auth token is fetched in the background, and the exporter holds its first
// export (bounded by the export timeout) until the token arrives. Errors are
// configuration errors and wrap ErrInvalidConfig. Call Shutdown before the
// program exits, or spans still queued are lost.
func Init(ctx context.Context, opts ...Option) (*Client, error) {
	cfg, err := newConfig(os.Getenv, consoleFromEnv(os.Getenv, opts))
	if err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, diag: newDiagnostics(cfg)}
	if cfg.disabled {
		c.tp = noop.NewTracerProvider()
		c.tracer = c.tp.Tracer(ScopeName)
		defaultClient.Store(c)
		return c, nil
	}
	var res *resource.Resource
	if cfg.tracerProv == nil {
		if res, err = newResource(ctx, cfg); err != nil {
			return nil, err
		}
	}
	if c.transport, err = newHTTPTransport(cfg); err != nil {
		return nil, err
	}
	if cfg.apiKey != "" {
		c.auth = upload.NewAuth(upload.AuthConfig{
			Endpoint:     cfg.endpoint,
			APIKey:       cfg.apiKey,
			HTTPClient:   &http.Client{Transport: c.transport, Timeout: defaultExportTimeout},
			UserAgent:    userAgent,
			ErrorHandler: c.diag.report,
		})
	}
	abortCtx, abort := context.WithCancel(context.Background())
	c.abort = abort
	if !cfg.noDefaultExporter {
		if c.exporter, err = newOTLPExporter(ctx, cfg, c.transport, c.auth, c.diag, abortCtx); err != nil {
			abort()
			if c.auth != nil {
				c.auth.Close()
			}
			return nil, err
		}
	}
	hooks := sessionHooks(cfg.onSessionEnd)
	var logLimits *logcapture.Limits
	if up := c.newUploader(cfg); up != nil {
		hooks = append([]sessionHook{up.sessionEnded}, hooks...)
		if cfg.captureLogs {
			logLimits = &cfg.logLimits
		}
	}
	c.proc = newProcessor(c.diag, hooks, logLimits)
	c.pipe = &pipeline{steps: &stepHub{}, internal: c.proc, others: c.batchProcessors()}

	if cfg.tracerProv != nil {
		c.sdkTP = cfg.tracerProv
		c.sdkTP.RegisterSpanProcessor(c.pipe)
	} else {
		tpOpts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res), sdktrace.WithSpanProcessor(c.pipe),
			sdktrace.WithRawSpanLimits(spanLimits(os.Getenv))}
		if cfg.sampler != nil {
			tpOpts = append(tpOpts, sdktrace.WithSampler(cfg.sampler))
		}
		c.sdkTP, c.ownTP = sdktrace.NewTracerProvider(tpOpts...), true
	}
	c.tp = c.sdkTP
	c.tracer = c.sdkTP.Tracer(ScopeName, trace.WithInstrumentationVersion(Version))
	if c.mp, c.ownMP, err = c.newMeterProvider(ctx, cfg, res, abortCtx); err == nil {
		c.metrics, err = newLLMMetrics(c.mp)
	}
	if err != nil {
		_ = c.Shutdown(context.Background())
		return nil, err
	}
	if c.uploader != nil {
		c.uploader.tracer = c.tracer
	}

	if c.auth != nil {
		c.auth.Start()
	}
	if cfg.setGlobal {
		otel.SetTracerProvider(c.tp)
		otel.SetTextMapPropagator(Propagator())
	}
	if cfg.autoStart {
		_, c.autoSession = c.StartSession(ctx, "")
	}
	if cfg.captureStdio && logLimits != nil {
		if err := c.startStdioCapture(); err != nil {
			c.diag.report(fmt.Errorf("agentops: stdout/stderr are not captured: %w", err))
		}
	}
	if cfg.signalShutdown > 0 {
		c.signals = c.watchSignals(cfg.signalShutdown)
	}
	c.diag.logger.Debug("agentops: initialised",
		"api", cfg.endpoint, "exporter", cfg.exporterEndpoint, "app", cfg.appURL,
		"api_key", upload.RedactKey(cfg.apiKey), "joined_provider", cfg.tracerProv != nil)
	defaultClient.Store(c)
	return c, nil
}

// batchProcessors is one batch processor per exporter (AgentOps first, then
// the extra ones), then the user's own processors.
func (c *Client) batchProcessors() []sdktrace.SpanProcessor {
	var bspOpts []sdktrace.BatchSpanProcessorOption
	if c.cfg.batchTimeout > 0 {
		bspOpts = append(bspOpts, sdktrace.WithBatchTimeout(c.cfg.batchTimeout))
	}
	if c.cfg.maxQueueSize > 0 {
		bspOpts = append(bspOpts, sdktrace.WithMaxQueueSize(c.cfg.maxQueueSize))
	}
	var ps []sdktrace.SpanProcessor
	if c.exporter != nil {
		ps = append(ps, sdktrace.NewBatchSpanProcessor(c.exporter, bspOpts...))
	}
	for _, e := range c.cfg.exporters {
		ps = append(ps, sdktrace.NewBatchSpanProcessor(e, bspOpts...))
	}
	return append(ps, c.cfg.processors...)
}

// sessionHooks adapts the users' session-end callbacks to the worker's hook
// form.
func sessionHooks(fns []func(SessionEnd)) []sessionHook {
	hooks := make([]sessionHook, 0, len(fns))
	for _, fn := range fns {
		hooks = append(hooks, func(_ context.Context, end SessionEnd) error { fn(end); return nil })
	}
	return hooks
}

// newResource is, by rising precedence: service.name "agentops" and the
// OTel SDK's own attributes, then OTEL_SERVICE_NAME and
// OTEL_RESOURCE_ATTRIBUTES, then the options.
func newResource(ctx context.Context, cfg config) (*resource.Resource, error) {
	res, err := resource.New(ctx,
		resource.WithTelemetrySDK(),
		resource.WithAttributes(attribute.String(semconv.ServiceName, "agentops")),
		resource.WithFromEnv(),
		resource.WithAttributes(cfg.resourceAttrs...),
	)
	if err != nil {
		return nil, fmt.Errorf("%w: resource: %w", ErrInvalidConfig, err)
	}
	return res, nil
}

// spanLimits are the OTel SDK's, read from OTEL_SPAN_* and OTEL_ATTRIBUTE_*
// as usual, except the attribute count: 128 would cut a conversation of
// some 50 messages short in the AgentOps flat form (two keys a message), so
// unless a variable sets it, a span may carry 1024.
func spanLimits(getenv func(string) string) sdktrace.SpanLimits {
	l := sdktrace.NewSpanLimits()
	if getenv("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT") == "" && getenv("OTEL_ATTRIBUTE_COUNT_LIMIT") == "" {
		l.AttributeCountLimit = 1024
	}
	return l
}

// TracerProvider returns the provider the SDK's spans go through: its own,
// or the caller's under WithTracerProvider. Spans of other instrumentation
// started from it join the same sessions and pipeline.
func (c *Client) TracerProvider() trace.TracerProvider {
	if c == nil {
		return noop.NewTracerProvider()
	}
	return c.tp
}

// MeterProvider returns the provider the gen_ai.client.* metrics go
// through: the SDK's own, the one given with WithMeterProvider, or a no-op
// one when nothing would receive them.
func (c *Client) MeterProvider() metric.MeterProvider {
	if c == nil || c.mp == nil {
		return metricnoop.NewMeterProvider()
	}
	return c.mp
}

// ForceFlush exports every span ended so far and waits for the session-end
// work queued so far, within ctx. It reports exports that failed meanwhile.
func (c *Client) ForceFlush(ctx context.Context) error {
	if c == nil || c.pipe == nil {
		return nil
	}
	before := c.exporter.failureCount()
	err := c.pipe.ForceFlush(ctx)
	if c.ownMP != nil {
		err = errors.Join(err, c.ownMP.ForceFlush(ctx))
	}
	return errors.Join(err, c.exporter.failedSince(before))
}

// Shutdown ends the sessions still open (as Indeterminate), finishes the
// session-end work, exports the spans still queued and stops the Client,
// all within ctx's deadline: when the backend hangs, the exports in flight
// are abandoned at the deadline and Shutdown returns, leaving no goroutine
// behind. A provider given with WithTracerProvider keeps running without
// the SDK's processors. Later calls return the first call's result.
func (c *Client) Shutdown(ctx context.Context) error {
	if c == nil {
		return nil
	}
	c.shutdownOnce.Do(func() { c.shutdownErr = c.shutdown(ctx) })
	return c.shutdownErr
}

func (c *Client) shutdown(ctx context.Context) error {
	defaultClient.CompareAndSwap(c, nil)
	if c.pipe == nil { // disabled
		return nil
	}
	if c.signals != nil {
		c.signals.stop()
	}
	c.endOpenSessions("shutdown")

	stopAbort := context.AfterFunc(ctx, c.abort)
	defer stopAbort()
	// The pipeline is shut down directly, not through the provider, which
	// skips its processors when ctx has already ended.
	err := c.pipe.Shutdown(ctx)
	if c.ownTP {
		// Only marks the provider shut down: its one processor, the
		// pipeline, is already stopped, and its error is err.
		_ = c.sdkTP.Shutdown(ctx)
	} else {
		// Only removes the pipeline from the caller's provider.
		c.sdkTP.UnregisterSpanProcessor(c.pipe)
	}
	if c.ownMP != nil {
		err = errors.Join(err, c.ownMP.Shutdown(ctx))
	}
	if c.exporter != nil && ctx.Err() != nil {
		// The batch processor gave up waiting for an export that the abort
		// has now cancelled; let it finish unwinding so no goroutine is left.
		select {
		case <-c.exporter.stopped:
		case <-time.After(shutdownGrace):
		}
	}
	c.abort()
	err = errors.Join(err, c.stopStdioCapture(ctx))
	if c.auth != nil {
		c.auth.Close()
	}
	c.transport.CloseIdleConnections()
	if err != nil {
		return fmt.Errorf("agentops: shutdown: %w", err)
	}
	return nil
}

// endOpenSessions ends, as Indeterminate, every session the program left
// open, so their roots are exported with everything else.
func (c *Client) endOpenSessions(reason string) {
	for _, s := range c.proc.openSessions() {
		s.end(Indeterminate, reason, nil)
	}
}

// newUploader builds the session-end uploads (logs, sources) when there is
// an AgentOps API to send them to and something is to be captured.
func (c *Client) newUploader(cfg config) *uploader {
	if cfg.noDefaultExporter || cfg.otelOnly || !(cfg.captureLogs || cfg.captureSources) {
		return nil
	}
	c.uploader = &uploader{
		client: upload.NewClient(upload.Config{
			Endpoint:   cfg.endpoint,
			HTTPClient: &http.Client{Transport: &upload.Transport{Base: c.transport, Auth: c.auth, UserAgent: userAgent}},
		}),
		secrets: []string{cfg.apiKey},
	}
	if cfg.captureSources {
		c.uploader.sources = newSourceUploads(cfg)
	}
	return c.uploader
}

package agentops

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/agentops-go/agentops/upload"
)

// defaultExportTimeout is the OTel default for one OTLP request, the wait for
// the first auth token included.
const defaultExportTimeout = 10 * time.Second

// newHTTPTransport is the one transport the Client sends with (OTLP and the
// AgentOps API), so Shutdown can close its idle connections. It carries the
// TLS files named by OTEL_EXPORTER_OTLP_*CERTIFICATE, which the OTLP exporter
// would read itself if the SDK did not hand it a client of its own.
func newHTTPTransport(c config) (*http.Transport, error) {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if c.caFile == "" && c.certFile == "" {
		return t, nil
	}
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.caFile != "" {
		pem, err := os.ReadFile(c.caFile)
		if err != nil {
			return nil, fmt.Errorf("%w: reading OTEL_EXPORTER_OTLP_CERTIFICATE: %w", ErrInvalidConfig, err)
		}
		tlsCfg.RootCAs = x509.NewCertPool()
		if !tlsCfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%w: OTEL_EXPORTER_OTLP_CERTIFICATE %s holds no PEM certificate", ErrInvalidConfig, c.caFile)
		}
	}
	if c.certFile != "" {
		cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
		if err != nil {
			return nil, fmt.Errorf("%w: loading the OTLP client certificate: %w", ErrInvalidConfig, err)
		}
		tlsCfg.Certificates = []tls.Certificate{cert}
	}
	t.TLSClientConfig = tlsCfg
	return t, nil
}

// otlpExporter wraps the OTLP/HTTP exporter so that:
//   - a failed export is reported once through diagnostics (with a hint of
//     what to do) instead of through otel.Handle on every batch;
//   - Client.Shutdown can abort an export stuck on a hung backend, so that
//     Shutdown keeps its deadline and leaves no goroutine behind;
//   - Client.ForceFlush can tell whether the exports it waited for failed.
//
// It is safe for concurrent use.
type otlpExporter struct {
	next  sdktrace.SpanExporter
	url   string
	hint  string
	diag  *diagnostics
	abort context.Context // cancelled when Shutdown runs out of time

	failures atomic.Uint64
	lastErr  atomic.Value // error

	stopOnce sync.Once
	stopped  chan struct{} // closed once the batch processor shut us down
}

func newOTLPExporter(ctx context.Context, c config, transport http.RoundTripper, auth *upload.Auth, diag *diagnostics, abort context.Context) (*otlpExporter, error) {
	client := &http.Client{
		Transport: &upload.Transport{Base: transport, Auth: auth, UserAgent: userAgent},
		Timeout:   c.exportTimeoutOrDefault(),
	}
	opts := []otlptracehttp.Option{
		otlptracehttp.WithEndpointURL(c.exporterEndpoint),
		otlptracehttp.WithHTTPClient(client),
	}
	if !c.compressionFromEnv {
		// Inputs and outputs make spans large and repetitive; every
		// AgentOps and OTel backend accepts gzip.
		opts = append(opts, otlptracehttp.WithCompression(otlptracehttp.GzipCompression))
	}
	exp, err := otlptracehttp.New(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: OTLP exporter for %s: %w", ErrInvalidConfig, c.exporterEndpoint, err)
	}
	return &otlpExporter{
		next:    exp,
		url:     c.exporterEndpoint,
		hint:    exportHint(c),
		diag:    diag,
		abort:   abort,
		stopped: make(chan struct{}),
	}, nil
}

// exportHint is the advice appended when the backend cannot be reached.
func exportHint(c config) string {
	if c.localDefault {
		return "; no API key is set, so the SDK sends to the local backend: start it with `go run github.com/agentops-go/agentops/cmd/agentops serve`, or set AGENTOPS_API_KEY to use AgentOps cloud"
	}
	return "; is the backend up, and is AGENTOPS_EXPORTER_ENDPOINT right?"
}

// ExportSpans implements sdktrace.SpanExporter. It always returns nil: the
// failure has been reported, and returning it would make the batch
// processor report it again through otel.Handle on every batch.
func (e *otlpExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(e.abort, cancel)()

	err := e.next.ExportSpans(ctx, spans)
	if err == nil {
		return nil
	}
	hint := ""
	if errors.Is(err, syscall.ECONNREFUSED) {
		hint = e.hint
	}
	err = fmt.Errorf("agentops: %d spans were not exported to %s: %w%s", len(spans), e.url, err, hint)
	e.lastErr.Store(err)
	e.failures.Add(1)
	// A rejected key was already reported, once, by the auth client.
	if !errors.Is(err, upload.ErrAPIKeyRejected) && !errors.Is(err, upload.ErrNoAuthEndpoint) {
		e.diag.report(err)
	}
	return nil
}

// Shutdown implements sdktrace.SpanExporter.
func (e *otlpExporter) Shutdown(ctx context.Context) error {
	defer e.stopOnce.Do(func() { close(e.stopped) })
	return e.next.Shutdown(ctx)
}

// failureCount and failedSince let ForceFlush report the failures of the
// exports it waited for. Both accept a nil exporter (WithoutDefaultExporter).
func (e *otlpExporter) failureCount() uint64 {
	if e == nil {
		return 0
	}
	return e.failures.Load()
}

func (e *otlpExporter) failedSince(count uint64) error {
	if e == nil || e.failures.Load() == count {
		return nil
	}
	err, _ := e.lastErr.Load().(error)
	return err
}

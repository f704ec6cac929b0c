package agentops

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.uber.org/goleak"

	"github.com/agentops-go/agentops/internal/fakebackend"
)

func TestExtraExporterReceivesTheSameSpans(t *testing.T) {
	b := fakebackend.New(t)
	mem1, mem2 := tracetest.NewInMemoryExporter(), tracetest.NewInMemoryExporter()
	c := newTestClient(t, b, WithExporter(mem1), WithExporter(mem2))
	endOneSession("twice")
	flush(t, c)

	sent := b.WaitForSpans(t, 2, 5*time.Second)
	for _, mem := range []*tracetest.InMemoryExporter{mem1, mem2} {
		got := mem.GetSpans()
		require.Len(t, got, len(sent))
		ids := map[string]bool{}
		for _, s := range sent {
			ids[s.SpanID] = true
		}
		for _, s := range got {
			assert.True(t, ids[s.SpanContext.SpanID().String()], "span %s went to both", s.Name)
		}
	}
}

func TestJoinUserTracerProvider(t *testing.T) {
	b := fakebackend.New(t)
	userExp := tracetest.NewInMemoryExporter()
	userTP := sdktrace.NewTracerProvider(sdktrace.WithSyncer(userExp))
	defer userTP.Shutdown(context.Background())
	globalBefore := otel.GetTracerProvider()

	c := newTestClient(t, b, WithTracerProvider(userTP))
	assert.Same(t, userTP, c.TracerProvider())
	assert.Same(t, globalBefore, otel.GetTracerProvider(), "the global provider is untouched unless asked")

	ctx, sess := StartSession(context.Background(), "joined")
	// The user's own instrumentation, on the user's provider, inside our session.
	uctx, userSpan := userTP.Tracer("user/db").Start(ctx, "db.query")
	_, tool := StartSpan(uctx, KindTool, "after_query")
	tool.End(nil)
	userSpan.End()
	sess.End(Success)
	flush(t, c)

	spans := byName(t, b.WaitForSpans(t, 3, 5*time.Second))
	root, user, ours := spans["joined.session"], spans["db.query"], spans["execute_tool after_query"]
	assert.Equal(t, root.TraceID, user.TraceID, "one trace for the user's spans and ours")
	assert.Equal(t, root.SpanID, user.ParentSpanID)
	assert.Equal(t, user.SpanID, ours.ParentSpanID)
	assert.Len(t, userExp.GetSpans(), 3, "the user's own exporter sees the session too")

	require.NoError(t, c.Shutdown(context.Background()))
	_, after := userTP.Tracer("user/db").Start(context.Background(), "after-shutdown")
	after.End()
	assert.Len(t, userExp.GetSpans(), 4, "the user's provider keeps running after our Shutdown")
	assert.Len(t, b.Spans(), 3, "our exporter left the provider")
}

func TestJoinRefusesProviderOptions(t *testing.T) {
	tp := sdktrace.NewTracerProvider()
	defer tp.Shutdown(context.Background())
	_, err := Init(context.Background(), WithTracerProvider(tp), WithServiceName("x"))
	require.ErrorIs(t, err, ErrInvalidConfig)
	assert.Contains(t, err.Error(), "WithTracerProvider")
}

func TestGlobalProviderWhenAsked(t *testing.T) {
	before := otel.GetTracerProvider()
	t.Cleanup(func() { otel.SetTracerProvider(before) })
	b := fakebackend.New(t)
	c := newTestClient(t, b, WithGlobalTracerProvider())
	assert.Same(t, c.TracerProvider(), otel.GetTracerProvider())
}

// A hung backend must not hold the program at exit: Shutdown keeps its
// deadline and leaves no goroutine behind.
func TestShutdownKeepsDeadlineWhileBackendHangs(t *testing.T) {
	b := fakebackend.New(t)
	b.SetHang(true)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent()) // all but the fake backend's own
	c, err := Init(context.Background(), WithEndpoint(b.URL), WithLogger(discardLogger()),
		WithBatchTimeout(10*time.Millisecond))
	require.NoError(t, err)
	endOneSession("stuck")
	require.Eventually(t, func() bool { return len(b.OTLPRequests()) > 0 }, 5*time.Second, 5*time.Millisecond,
		"an export is in flight")

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = c.Shutdown(ctx)
	elapsed := time.Since(start)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, elapsed, 300*time.Millisecond+250*time.Millisecond, "Shutdown returned by its deadline (%s)", elapsed)
	assert.Nil(t, Default(), "a shut-down Client is no longer the default")
}

func TestForceFlushReportsFailedExport(t *testing.T) {
	b := fakebackend.New(t)
	b.SetOTLPStatus(500)
	var handled []error
	c := newTestClient(t, b, WithErrorHandler(func(err error) { handled = append(handled, err) }))
	endOneSession("refused")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := c.ForceFlush(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "500")
	assert.Contains(t, err.Error(), b.URL+"/v1/traces", "the message names where it tried")
	require.NotEmpty(t, handled, "the error handler heard of it")
}

func TestUnreachableBackendIsReportedOnce(t *testing.T) {
	logs := &logBuffer{}
	c, err := Init(context.Background(), WithEndpoint(closedPortURL(t)), WithLogger(logs.logger()), WithBatchTimeout(time.Hour),
		WithSourceCapture(false))
	require.NoError(t, err)
	defer c.Shutdown(context.Background())
	endOneSession("nobody-listens")
	require.Error(t, c.ForceFlush(context.Background()))
	require.NoError(t, c.ForceFlush(context.Background()), "nothing new failed")
	endOneSession("again")
	require.Error(t, c.ForceFlush(context.Background()))

	out := logs.String()
	assert.Equal(t, 1, strings.Count(out, "were not exported"), "one line for a repeated failure:\n%s", out)
	assert.Contains(t, out, "connection refused")
	assert.Contains(t, out, "is the backend up", "it says what to check")
}

// closedPortURL is an address where nothing listens.
func closedPortURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return "http://" + addr
}

func TestDisabledDoesNothing(t *testing.T) {
	t.Setenv("OTEL_SDK_DISABLED", "true")
	c, err := Init(context.Background(), WithEndpoint("http://127.0.0.1:1"))
	require.NoError(t, err)
	ctx, s := StartSession(context.Background(), "off")
	_, span := StartSpan(ctx, KindTool, "off")
	assert.False(t, span.Span().IsRecording())
	span.End(nil)
	s.End(Success)
	assert.Empty(t, s.URL())
	require.NoError(t, c.ForceFlush(context.Background()))
	require.NoError(t, c.Shutdown(context.Background()))
}

func TestAutoStartSession(t *testing.T) {
	b := fakebackend.New(t)
	t.Setenv("AGENTOPS_AUTO_START_SESSION", "yes")
	t.Setenv("AGENTOPS_TRACE_NAME", "nightly")
	c := newTestClient(t, b)
	_, span := StartSpan(context.Background(), KindTask, "orphan")
	span.End(nil)
	require.NoError(t, c.Shutdown(context.Background()))

	spans := byName(t, b.WaitForSpans(t, 2, 5*time.Second))
	root := spans["nightly.session"]
	assert.Equal(t, root.SpanID, spans["orphan.task"].ParentSpanID, "a parentless span joins the automatic session")
	assert.Equal(t, "Indeterminate", root.Attrs["agentops.session.end_state"])
}

func TestLLMInstrumentationSwitch(t *testing.T) {
	b := fakebackend.New(t)
	t.Setenv("AGENTOPS_INSTRUMENT_LLM_CALLS", "false")
	c := newTestClient(t, b)
	ctx, s := StartSession(context.Background(), "quiet")
	_, llm := StartSpan(ctx, KindLLM, "gpt-4o")
	assert.False(t, llm.Span().IsRecording())
	llm.End(nil)
	_, tool := StartSpan(ctx, KindTool, "still-traced")
	tool.End(nil)
	s.End(Success)
	flush(t, c)
	spans := byName(t, b.WaitForSpans(t, 2, 5*time.Second))
	assert.Contains(t, spans, "execute_tool still-traced")
	assert.NotContains(t, spans, "chat gpt-4o")
}

func TestResourceFromEnvAndOptions(t *testing.T) {
	b := fakebackend.New(t)
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=staging,team=agents")
	t.Setenv("OTEL_SERVICE_NAME", "from-env")
	c := newTestClient(t, b, WithResourceAttributes(attribute.String("team", "platform")))
	endOneSession("res")
	flush(t, c)
	res := b.WaitForSpans(t, 2, 5*time.Second)[0].Resource
	assert.Equal(t, "from-env", res["service.name"], "OTEL_SERVICE_NAME beats the default")
	assert.Equal(t, "staging", res["deployment.environment"])
	assert.Equal(t, "platform", res["team"], "an option beats the environment")
}

func TestSessionEndHook(t *testing.T) {
	b := fakebackend.New(t)
	ends := make(chan SessionEnd, 4)
	c := newTestClient(t, b, WithOnSessionEnd(func(e SessionEnd) { ends <- e }))
	ctx, s := StartSession(context.Background(), "hooked", WithTags("a"))
	_ = Do(ctx, KindTool, "ok", func(context.Context) error { return nil })
	_ = Do(ctx, KindTool, "bad", func(context.Context) error { return errors.New("x") })
	s.End(Failure)
	flush(t, c) // waits for the hook too

	require.Len(t, ends, 1)
	e := <-ends
	assert.Equal(t, "hooked", e.Name)
	assert.Equal(t, s.TraceID(), e.TraceID)
	assert.Equal(t, Failure, e.State)
	assert.Equal(t, []string{"a"}, e.Tags)
	assert.Equal(t, 2, e.Spans)
	assert.Equal(t, 1, e.Errors)
	assert.False(t, e.End.Before(e.Start))
}

// The OTEL_* variables the OTel Go SDK honours work here too.
func TestOTelEnvironment(t *testing.T) {
	b := fakebackend.New(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", b.URL)
	t.Setenv("OTEL_EXPORTER_OTLP_HEADERS", "x-tenant=blue")
	t.Setenv("OTEL_EXPORTER_OTLP_COMPRESSION", "none")
	c, err := Init(context.Background(), WithLogger(discardLogger()), WithBatchTimeout(10*time.Millisecond))
	require.NoError(t, err)
	defer c.Shutdown(context.Background())
	endOneSession("via-otel-env")
	flush(t, c)

	b.WaitForSpans(t, 2, 5*time.Second)
	r := b.OTLPRequests()[0]
	assert.Equal(t, "blue", r.Header.Get("X-Tenant"))
	assert.Empty(t, r.Header.Get("Content-Encoding"), "OTEL_EXPORTER_OTLP_COMPRESSION=none is honoured")
	assert.Nil(t, c.uploader, "an OTel-only destination has no AgentOps API to upload to")
}

func TestOTelSamplerFromEnvironment(t *testing.T) {
	b := fakebackend.New(t)
	t.Setenv("OTEL_TRACES_SAMPLER", "always_off")
	c := newTestClient(t, b)
	ctx, s := StartSession(context.Background(), "sampled-out")
	_, span := StartSpan(ctx, KindTool, "dropped")
	assert.False(t, span.Span().IsRecording())
	span.End(nil)
	s.End(Success)
	flush(t, c)
	assert.Empty(t, b.Spans())
	assert.Empty(t, c.proc.openSessions(), "a session that is not recorded is not tracked")
}

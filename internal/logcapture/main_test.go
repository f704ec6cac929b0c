package logcapture

import (
	"context"
	"os"
	"testing"

	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"
)

// stdioChildEnv, when set, makes the test binary act as the child process
// of the stdio tests instead of running tests: capturing fds 1 and 2 in the
// test runner itself would swallow its output.
const stdioChildEnv = "LOGCAPTURE_STDIO_CHILD"

// stdioChild is set by the stdio tests on systems that support capture.
var stdioChild func(spec string) int

func TestMain(m *testing.M) {
	if spec := os.Getenv(stdioChildEnv); spec != "" && stdioChild != nil {
		os.Exit(stdioChild(spec))
	}
	goleak.VerifyTestMain(m)
}

// traceOf reads the session from an OTel span context, as the SDK does.
func traceOf(ctx context.Context) (ID, bool) {
	sc := trace.SpanContextFromContext(ctx)
	if !sc.HasTraceID() {
		return ID{}, false
	}
	return ID(sc.TraceID()), true
}

// sessionCtx returns a context whose span belongs to session id.
func sessionCtx(ctx context.Context, id ID) context.Context {
	return trace.ContextWithSpanContext(ctx, trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID(id),
		SpanID:     trace.SpanID{1},
		TraceFlags: trace.FlagsSampled,
	}))
}

func testID(b byte) ID { return ID{15: b} }

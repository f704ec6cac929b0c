package agentops

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/agentops-go/agentops/internal/fakebackend"
)

// recorded starts a Client whose spans a SpanRecorder also sees.
func recorded(t *testing.T, opts ...Option) *tracetest.SpanRecorder {
	rec := tracetest.NewSpanRecorder()
	newTestClient(t, fakebackend.New(t), append([]Option{WithSpanProcessor(rec)}, opts...)...)
	return rec
}

func attrsOf(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

func TestKindsMapToAgentOpsAndGenAI(t *testing.T) {
	rec := recorded(t)
	ctx, sess := StartSession(context.Background(), "kinds")
	for _, tc := range []struct {
		kind      Kind
		spanName  string
		operation string
		spanKind  trace.SpanKind
		status    codes.Code
	}{
		{KindAgent, "invoke_agent x", "invoke_agent", trace.SpanKindInternal, codes.Ok},
		{KindTool, "execute_tool x", "execute_tool", trace.SpanKindInternal, codes.Ok},
		{KindRetrieval, "retrieval x", "retrieval", trace.SpanKindClient, codes.Ok},
		{KindLLM, "chat x", "chat", trace.SpanKindClient, codes.Unset},
		{KindTask, "x.task", "", trace.SpanKindInternal, codes.Ok},
		{KindOperation, "x.operation", "", trace.SpanKindInternal, codes.Ok},
		{KindWorkflow, "x.workflow", "", trace.SpanKindInternal, codes.Ok},
		{KindGuardrail, "x.guardrail", "", trace.SpanKindInternal, codes.Ok},
		{Kind("chain"), "x.chain", "", trace.SpanKindInternal, codes.Ok},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			_, span := StartSpan(ctx, tc.kind, "x")
			span.End(nil)
			ended := rec.Ended()
			got := ended[len(ended)-1]
			a := attrsOf(got)
			assert.Equal(t, tc.spanName, got.Name())
			assert.Equal(t, string(tc.kind), a["agentops.span.kind"].AsString())
			assert.Equal(t, "x", a["operation.name"].AsString())
			assert.Equal(t, tc.operation, a["gen_ai.operation.name"].AsString())
			assert.Equal(t, tc.spanKind, got.SpanKind())
			assert.Equal(t, tc.status, got.Status().Code, "success status")
			assert.Equal(t, sess.TraceID(), got.SpanContext().TraceID())
		})
	}
	sess.End(Success)
}

type notFound struct{ id string }

func (e *notFound) Error() string     { return "no document " + e.id }
func (e *notFound) ErrorType() string { return "not_found" }

func TestEndWithErrorRecordsOnce(t *testing.T) {
	rec := recorded(t)
	ctx, sess := StartSession(context.Background(), "errs")
	defer sess.End(Success)

	_, tool := StartSpan(ctx, KindTool, "fetch")
	tool.End(fmt.Errorf("fetching: %w", &notFound{"42"}))
	tool.End(errors.New("second end is ignored"))

	_, slow := StartSpan(ctx, KindTask, "slow")
	slow.End(fmt.Errorf("step: %w", context.DeadlineExceeded))

	ended := rec.Ended()
	require.Len(t, ended, 2)
	got := ended[0]
	assert.Equal(t, codes.Error, got.Status().Code)
	assert.Equal(t, "fetching: no document 42", got.Status().Description)
	require.Len(t, got.Events(), 1, "one exception event, however End is called")
	ev := got.Events()[0]
	assert.Equal(t, "exception", ev.Name)
	evAttrs := map[attribute.Key]string{}
	for _, kv := range ev.Attributes {
		evAttrs[kv.Key] = kv.Value.Emit()
	}
	assert.Equal(t, "fetching: no document 42", evAttrs["exception.message"])
	assert.Contains(t, evAttrs["exception.stacktrace"], "TestEndWithErrorRecordsOnce", "the stack says where")
	a := attrsOf(got)
	assert.Equal(t, "not_found", a["error.type"].AsString(), "an error may name its own type")
	assert.Equal(t, "failed", a["tool.status"].AsString())
	assert.Equal(t, "timeout", attrsOf(ended[1])["error.type"].AsString())
}

func TestPayloadEncoding(t *testing.T) {
	type query struct {
		Q     string `json:"q"`
		Limit int    `json:"limit"`
	}
	for _, tc := range []struct {
		name string
		in   any
		want string
	}{
		{"a string as it is", "plain text", "plain text"},
		{"bytes as text", []byte("raw"), "raw"},
		{"a struct as JSON", query{"go", 3}, `{"q":"go","limit":3}`},
		{"an error by its message", errors.New("nope"), "nope"},
		{"no JSON form: %+v", make(chan int), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := encodePayload(tc.in, 100)
			if tc.want == "" {
				assert.True(t, strings.HasPrefix(got, "0x"), "a channel prints as its address, got %q", got)
				return
			}
			assert.Equal(t, tc.want, got)
		})
	}
	big := strings.Repeat("x", 101)
	assert.Equal(t, "<omitted: 101 bytes, over the 100-byte cap>", encodePayload(big, 100))
}

func TestInputOutputAndCap(t *testing.T) {
	rec := recorded(t, WithMaxPayloadBytes(32))
	ctx, sess := StartSession(context.Background(), "io")
	defer sess.End(Success)
	_, task := StartSpan(ctx, KindTask, "summarise", WithInput("short"), WithVersion(2),
		WithTags("t1"), WithAttributes(attribute.String("custom", "yes")))
	task.SetOutput(strings.Repeat("y", 33))
	task.SetCost(0.25)
	task.End(nil)

	a := attrsOf(rec.Ended()[0])
	assert.Equal(t, "short", a["agentops.task.input"].AsString())
	assert.Equal(t, "<omitted: 33 bytes, over the 32-byte cap>", a["agentops.task.output"].AsString())
	assert.Equal(t, int64(2), a["operation.version"].AsInt64())
	assert.Equal(t, []string{"t1"}, a["agentops.tags"].AsStringSlice())
	assert.Equal(t, "yes", a["custom"].AsString())
	assert.Equal(t, 0.25, a["gen_ai.usage.total_cost"].AsFloat64())
}

func TestRunRecordsResultErrorAndPanic(t *testing.T) {
	rec := recorded(t)
	ctx, sess := StartSession(context.Background(), "run")
	defer sess.End(Success)

	n, err := Run(ctx, KindTool, "count", func(ctx context.Context) (int, error) {
		assert.True(t, trace.SpanFromContext(ctx).IsRecording(), "fn runs inside the span")
		return 7, nil
	})
	require.NoError(t, err)
	assert.Equal(t, 7, n)
	_, err = Run(ctx, KindTool, "fail", func(context.Context) (string, error) { return "partial", errors.New("broke") })
	require.EqualError(t, err, "broke")
	assert.PanicsWithValue(t, "kaboom", func() {
		_ = Do(ctx, KindTask, "panic", func(context.Context) error { panic("kaboom") })
	})

	ended := rec.Ended()
	require.Len(t, ended, 3)
	assert.Equal(t, "7", attrsOf(ended[0])["agentops.tool.output"].AsString())
	assert.Equal(t, codes.Error, ended[1].Status().Code)
	_, hasOutput := attrsOf(ended[1])["agentops.tool.output"]
	assert.False(t, hasOutput, "a failed call records no output")
	assert.Equal(t, "panic: kaboom", ended[2].Status().Description)
}

func TestSpansFollowTheirSessionsClient(t *testing.T) {
	recA, recB := tracetest.NewSpanRecorder(), tracetest.NewSpanRecorder()
	a := newTestClient(t, fakebackend.New(t), WithSpanProcessor(recA))
	newTestClient(t, fakebackend.New(t), WithSpanProcessor(recB)) // now the default
	ctx, sess := a.StartSession(context.Background(), "on-a")
	_, span := StartSpan(ctx, KindTool, "where")
	span.End(nil)
	sess.End(Success)

	assert.Len(t, recA.Ended(), 2, "the span went to its session's Client")
	assert.Empty(t, recB.Ended(), "not to the default one: a trace never splits across providers")
}

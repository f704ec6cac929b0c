package agentops

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/agentops-go/agentops/internal/fakebackend"
)

func TestSessionRootAndChildren(t *testing.T) {
	b := fakebackend.New(t)
	c := newTestClient(t, b, WithDefaultTags("prod"))

	ctx, sess := StartSession(context.Background(), "research", WithTags("web", "v2", "prod"))
	actx, agent := StartSpan(ctx, KindAgent, "planner")
	_, tool := StartSpan(actx, KindTool, "web_search", WithInput(map[string]any{"q": "go otel"}))
	tool.SetOutput([]string{"result one", "result two"})
	tool.End(nil)
	agent.End(nil)
	sess.End(Success)
	flush(t, c)

	spans := byName(t, b.WaitForSpans(t, 3, 5*time.Second))
	root := spans["research.session"]
	require.Equal(t, sess.TraceID().String(), root.TraceID)
	assert.Empty(t, root.ParentSpanID, "a session root has no parent")
	assert.Equal(t, "session", root.Attrs["agentops.span.kind"])
	assert.Equal(t, "research", root.Attrs["operation.name"])
	assert.Equal(t, []string{"prod", "web", "v2"}, root.Attrs["agentops.tags"], "default tags first, no repeats")
	assert.Equal(t, "Success", root.Attrs["agentops.session.end_state"])
	assert.Equal(t, "ok", root.Status.Code)
	assert.Equal(t, "agentops", root.Resource["service.name"])
	assert.Equal(t, ScopeName, root.Scope)

	ag := spans["invoke_agent planner"]
	assert.Equal(t, root.SpanID, ag.ParentSpanID)
	assert.Equal(t, "agent", ag.Attrs["agentops.span.kind"])
	assert.Equal(t, "invoke_agent", ag.Attrs["gen_ai.operation.name"])
	assert.Equal(t, "planner", ag.Attrs["gen_ai.agent.name"])

	tl := spans["execute_tool web_search"]
	assert.Equal(t, ag.SpanID, tl.ParentSpanID, "the tool nests under the agent")
	assert.Equal(t, root.TraceID, tl.TraceID)
	assert.Equal(t, `{"q":"go otel"}`, tl.Attrs["agentops.tool.input"])
	assert.Equal(t, `{"q":"go otel"}`, tl.Attrs["tool.parameters"])
	assert.Equal(t, `["result one","result two"]`, tl.Attrs["agentops.tool.output"])
	assert.Equal(t, "succeeded", tl.Attrs["tool.status"])
	assert.Equal(t, "web_search", tl.Attrs["gen_ai.tool.name"])
	assert.Equal(t, "ok", tl.Status.Code)
}

func TestSessionEndStates(t *testing.T) {
	b := fakebackend.New(t)
	c := newTestClient(t, b)

	_, ok := StartSession(context.Background(), "ok")
	ok.End(Success)
	ok.End(Failure) // ignored: a session ends once
	_, bad := StartSession(context.Background(), "bad")
	bad.Fail(errors.New("the planner gave up"))
	_, unsure := StartSession(context.Background(), "unsure")
	unsure.End(Indeterminate)
	_, plain := StartSession(context.Background(), "plain")
	plain.End(Failure)
	flush(t, c)

	spans := byName(t, b.WaitForSpans(t, 4, 5*time.Second))
	for name, want := range map[string]struct{ state, code, msg string }{
		"ok.session":     {"Success", "ok", ""},
		"bad.session":    {"Error", "error", "the planner gave up"},
		"unsure.session": {"Indeterminate", "unset", ""},
		"plain.session":  {"Error", "error", "session ended in Error"},
	} {
		s := spans[name]
		assert.Equal(t, want.state, s.Attrs["agentops.session.end_state"], name)
		assert.Equal(t, want.code, s.Status.Code, name)
		assert.Equal(t, want.msg, s.Status.Message, name)
	}
	badRoot := spans["bad.session"]
	require.Len(t, badRoot.Events, 1, "one exception event")
	assert.Equal(t, "exception", badRoot.Events[0].Name)
	assert.Equal(t, "the planner gave up", badRoot.Events[0].Attrs["exception.message"])
}

func TestSessionURL(t *testing.T) {
	b := fakebackend.New(t)
	newTestClient(t, b)
	_, s := StartSession(context.Background(), "linked")
	defer s.End(Success)
	assert.Equal(t, b.URL+"/sessions?trace_id="+s.TraceID().String(), s.URL())

	c, err := Init(context.Background(), WithAPIKey(testKey), WithLogger(discardLogger()), WithBatchTimeout(time.Hour),
		WithSourceCapture(false))
	require.NoError(t, err)
	defer func() {
		// Nothing is reachable from here: give up on the export at once.
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_ = c.Shutdown(ctx)
	}()
	_, cloud := c.StartSession(context.Background(), "cloud")
	defer cloud.End(Success)
	assert.Equal(t, "https://app.agentops.ai/sessions?trace_id="+cloud.TraceID().String(), cloud.URL())
}

// A session whose spans go to no AgentOps backend has no dashboard link.
func TestSessionURLWithoutAnAgentOpsBackend(t *testing.T) {
	b := fakebackend.New(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", b.URL)
	c, err := Init(context.Background(), WithLogger(discardLogger()), WithSourceCapture(false))
	require.NoError(t, err)
	defer c.Shutdown(context.Background())
	_, s := StartSession(context.Background(), "otel-only")
	defer s.End(Success)
	assert.Empty(t, s.URL(), "only OTEL_EXPORTER_OTLP_ENDPOINT: the spans go to an OTel backend")

	c2, err := Init(context.Background(), WithLogger(discardLogger()), WithSourceCapture(false),
		WithoutDefaultExporter(), WithExporter(tracetest.NewInMemoryExporter()))
	require.NoError(t, err)
	defer c2.Shutdown(context.Background())
	_, s2 := StartSession(context.Background(), "own-exporter")
	defer s2.End(Success)
	assert.Empty(t, s2.URL())
}

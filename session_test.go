package agentops

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

// Sessions are independent: each is its own trace and every child arrives
// under its own root, however the goroutines interleave.
func TestConcurrentSessionsArriveWhole(t *testing.T) {
	b := fakebackend.New(t)
	c := newTestClient(t, b)
	const sessions, children = 50, 4

	ids := make([]string, sessions)
	var wg sync.WaitGroup
	for i := range sessions {
		wg.Go(func() {
			ctx, s := StartSession(context.Background(), fmt.Sprintf("s%02d", i))
			ids[i] = s.TraceID().String()
			for j := range children {
				_ = Do(ctx, KindTool, fmt.Sprintf("s%02d-t%d", i, j), func(context.Context) error {
					time.Sleep(time.Millisecond)
					return nil
				})
			}
			s.End(Success)
		})
	}
	wg.Wait()
	flush(t, c)

	spans := b.WaitForSpans(t, sessions*(children+1), 10*time.Second)
	require.Len(t, spans, sessions*(children+1))
	roots := map[string]fakebackend.Span{}
	for _, s := range spans {
		if s.ParentSpanID == "" {
			roots[s.TraceID] = s
		}
	}
	require.Len(t, roots, sessions, "one root per session, each its own trace")
	for i, id := range ids {
		root, ok := roots[id]
		require.True(t, ok, "session %d", i)
		assert.Equal(t, fmt.Sprintf("s%02d.session", i), root.Name)
	}
	for _, s := range spans {
		if s.ParentSpanID == "" {
			continue
		}
		root := roots[s.TraceID]
		assert.Equal(t, root.SpanID, s.ParentSpanID, "%s under its own session", s.Name)
		assert.Equal(t, root.Attrs["operation.name"], s.Attrs["operation.name"].(string)[:3], "%s in the right trace", s.Name)
	}
}

func TestShutdownEndsOpenSessions(t *testing.T) {
	b := fakebackend.New(t)
	c := newTestClient(t, b)
	ctx, _ := StartSession(context.Background(), "forgotten")
	_, span := StartSpan(ctx, KindTask, "step")
	span.End(nil)
	require.NoError(t, c.Shutdown(context.Background()))

	spans := byName(t, b.WaitForSpans(t, 2, 5*time.Second))
	root := spans["forgotten.session"]
	assert.Equal(t, "Indeterminate", root.Attrs["agentops.session.end_state"])
	assert.Equal(t, "shutdown", root.Attrs["agentops.session.end_reason"])
	assert.Equal(t, root.SpanID, spans["step.task"].ParentSpanID)
}

func TestRunSession(t *testing.T) {
	b := fakebackend.New(t)
	c := newTestClient(t, b)
	err := RunSession(context.Background(), "fails", func(ctx context.Context) error {
		return Do(ctx, KindTask, "inner", func(context.Context) error { return errors.New("inner broke") })
	})
	require.EqualError(t, err, "inner broke")
	require.Panics(t, func() {
		_ = RunSession(context.Background(), "panics", func(context.Context) error { panic("boom") })
	})
	require.NoError(t, RunSession(context.Background(), "works", func(context.Context) error { return nil }))
	flush(t, c)

	spans := byName(t, b.WaitForSpans(t, 4, 5*time.Second))
	assert.Equal(t, "Error", spans["fails.session"].Attrs["agentops.session.end_state"])
	assert.Equal(t, "error", spans["inner.task"].Status.Code)
	assert.Equal(t, "panic: boom", spans["panics.session"].Status.Message)
	assert.Equal(t, "Success", spans["works.session"].Attrs["agentops.session.end_state"])
}

func TestNestedSessionIsNewTraceLinkedToParent(t *testing.T) {
	b := fakebackend.New(t)
	c := newTestClient(t, b)
	ctx, outer := StartSession(context.Background(), "outer")
	_, inner := StartSession(ctx, "inner")
	inner.End(Success)
	outer.End(Success)
	flush(t, c)

	spans := byName(t, b.WaitForSpans(t, 2, 5*time.Second))
	in, out := spans["inner.session"], spans["outer.session"]
	assert.NotEqual(t, out.TraceID, in.TraceID)
	assert.Empty(t, in.ParentSpanID)
	require.Len(t, in.Links, 1)
	assert.Equal(t, out.SpanID, in.Links[0].SpanID)
}

func TestNoClientIsNoOp(t *testing.T) {
	require.Nil(t, Default(), "no Client is initialised between tests")
	ctx, s := StartSession(context.Background(), "nothing")
	assert.False(t, s.TraceID().IsValid())
	assert.Empty(t, s.URL())
	out, err := Run(ctx, KindTool, "still runs", func(context.Context) (int, error) { return 42, nil })
	assert.Equal(t, 42, out, "the work runs without the SDK")
	assert.NoError(t, err)
	s.End(Success)
}

package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/server/model"
)

// commits records what OnCommit saw.
type commits struct {
	mu   sync.Mutex
	list []Commit
}

func (c *commits) on(cm Commit) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.list = append(c.list, cm)
}

// take returns the commits so far and forgets them.
func (c *commits) take() []Commit {
	c.mu.Lock()
	defer c.mu.Unlock()
	l := c.list
	c.list = nil
	return l
}

// change returns the only SessionChange of the commits since the last
// call (Write returns after OnCommit ran).
func (c *commits) change(t *testing.T) SessionChange {
	t.Helper()
	l := c.take()
	require.Len(t, l, 1)
	require.Len(t, l[0].Sessions, 1)
	return l[0].Sessions[0]
}

func TestRollupOutOfOrder(t *testing.T) {
	now := at(10_000)
	var cs commits
	s := openStore(t, Options{OnCommit: cs.on, Now: func() time.Time { return now }})
	ctx := context.Background()
	tr := traceID(7)

	// Children first: no root yet.
	write(t, s, &model.Batch{Spans: []model.Span{
		llmSpan(tr, 3, 300, 900, "gpt-4o", "second call"),
		toolSpan(tr, 4, 150, 250, true),
	}})
	ch := cs.change(t)
	assert.True(t, ch.New)
	assert.False(t, ch.Ended)
	assert.Equal(t, "running", ch.Session.Status)
	assert.Equal(t, "execute_tool weather", ch.Session.Name, "no root: the earliest span names it")
	assert.Equal(t, at(150), ch.Session.Start)
	assert.Equal(t, at(900), ch.Session.End)
	assert.Equal(t, []string{}, ch.Session.Tags)
	assert.Equal(t, now, ch.Session.Updated)

	// A child that starts earlier, another model.
	write(t, s, &model.Batch{Spans: []model.Span{llmSpan(tr, 2, 100, 200, "claude-sonnet-4", "first call")}})
	ch = cs.change(t)
	assert.False(t, ch.New)
	assert.False(t, ch.Ended)
	assert.Equal(t, "chat claude-sonnet-4", ch.Session.Name)
	assert.Equal(t, at(100), ch.Session.Start)

	// The root, with its end state, last.
	write(t, s, &model.Batch{Spans: []model.Span{rootSpan(tr, 50, 1000, "Success")}})
	ch = cs.change(t)
	assert.False(t, ch.New)
	assert.True(t, ch.Ended)

	want := model.Session{
		TraceID: tr, Name: "demo", Service: "agent", Tags: []string{"prod", "v2"}, Status: "success",
		Start: at(50), End: at(1000), DurationMS: 950, Spans: 4, Errors: 1, LLMCalls: 2, ToolCalls: 1,
		InputTokens: 200, OutputTokens: 40, CacheReadTokens: 20, ReasoningTokens: 10, Cost: 0.002,
		Models: []string{"claude-sonnet-4", "gpt-4o"}, Updated: now,
	}
	assert.InDelta(t, want.Cost, ch.Session.Cost, 1e-12)
	ch.Session.Cost = want.Cost
	assert.Equal(t, want, ch.Session)
	got, err := s.Session(ctx, tr)
	require.NoError(t, err)
	got.Cost = want.Cost
	assert.Equal(t, want, got, "the stored roll-up is the one the commit reported")

	// Nothing more about the root: no second Ended.
	write(t, s, &model.Batch{Spans: []model.Span{llmSpan(tr, 5, 950, 990, "gpt-4o", "late")}})
	ch = cs.change(t)
	assert.False(t, ch.Ended)
	assert.Equal(t, "success", ch.Session.Status)
	assert.EqualValues(t, 5, ch.Session.Spans)
}

func TestRollupStatus(t *testing.T) {
	s := openStore(t, Options{})
	ctx := context.Background()
	cases := []struct {
		endState, statusCode, want string
	}{
		{"Success", "ok", "success"},
		{"Error", "error", "error"},
		{"Indeterminate", "unset", "indeterminate"},
		{"Fail", "error", "error"},
		{"", "ok", "running"},
		{"", "unset", "running"},
		{"", "error", "error"},
	}
	for i, c := range cases {
		tr := traceID(100 + i)
		root := rootSpan(tr, 0, 10, c.endState)
		root.StatusCode = c.statusCode
		write(t, s, &model.Batch{Spans: []model.Span{root}})
		got, err := s.Session(ctx, tr)
		require.NoError(t, err)
		assert.Equal(t, c.want, got.Status, "end state %q, status %q", c.endState, c.statusCode)
	}

	// No root at all: running, whatever the children did.
	tr := traceID(200)
	write(t, s, &model.Batch{Spans: []model.Span{toolSpan(tr, 2, 0, 5, true)}})
	got, err := s.Session(ctx, tr)
	require.NoError(t, err)
	assert.Equal(t, "running", got.Status)
}

func TestRootEndStateLaterEndsAgain(t *testing.T) {
	var cs commits
	s := openStore(t, Options{OnCommit: cs.on})
	tr := traceID(1)
	root := rootSpan(tr, 0, 10, "")
	write(t, s, &model.Batch{Spans: []model.Span{root}})
	ch := cs.change(t)
	assert.True(t, ch.New)
	assert.True(t, ch.Ended, "the root span arrived")
	assert.Equal(t, "running", ch.Session.Status)

	root.Derived.EndState = "Error"
	root.StatusCode = "error"
	write(t, s, &model.Batch{Spans: []model.Span{root}}) // re-sent with its end state
	ch = cs.change(t)
	assert.True(t, ch.Ended, "the end state arrived")
	assert.Equal(t, "error", ch.Session.Status)
	assert.EqualValues(t, 1, ch.Session.Spans)
}

func TestSpanReplacement(t *testing.T) {
	s := openStore(t, Options{})
	ctx := context.Background()
	tr := traceID(3)
	first := llmSpan(tr, 2, 100, 200, "gpt-4o", "v1")
	write(t, s, &model.Batch{Spans: []model.Span{rootSpan(tr, 0, 1000, "Success"), first}})

	second := llmSpan(tr, 2, 50, 300, "claude-sonnet-4", "v2")
	second.Derived.InputTokens = 7
	second.Derived.Error = true
	second.Attributes["extra"] = true
	write(t, s, &model.Batch{Spans: []model.Span{second}})

	spans, err := s.Spans(ctx, tr)
	require.NoError(t, err)
	require.Len(t, spans, 2)
	assert.Equal(t, second, spans[1])

	sess, err := s.Session(ctx, tr)
	require.NoError(t, err)
	assert.EqualValues(t, 2, sess.Spans)
	assert.EqualValues(t, 1, sess.LLMCalls)
	assert.EqualValues(t, 7, sess.InputTokens)
	assert.EqualValues(t, 1, sess.Errors)
	assert.Equal(t, []string{"claude-sonnet-4"}, sess.Models, "the replaced span's model is gone")
	assert.Equal(t, "demo", sess.Name)
	page, err := s.ListSessions(ctx, model.SessionQuery{Model: "gpt-4o"})
	require.NoError(t, err)
	assert.Empty(t, page.Sessions)
	page, err = s.ListSessions(ctx, model.SessionQuery{Model: "claude-sonnet-4"})
	require.NoError(t, err)
	assert.Len(t, page.Sessions, 1)

	// The same span twice in one batch: the last wins.
	third := llmSpan(tr, 9, 10, 20, "gpt-4o", "a")
	fourth := llmSpan(tr, 9, 10, 20, "o3", "b")
	write(t, s, &model.Batch{Spans: []model.Span{third, fourth}})
	spans, err = s.Spans(ctx, tr)
	require.NoError(t, err)
	require.Len(t, spans, 3)
	assert.Equal(t, fourth, spans[1], "ordered by start: root (0 ms), it (10 ms), second (50 ms)")
	sess, err = s.Session(ctx, tr)
	require.NoError(t, err)
	assert.EqualValues(t, 3, sess.Spans)
	assert.Equal(t, []string{"claude-sonnet-4", "o3"}, sess.Models)

	st, err := s.Stats(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 3, st.Spans, "totals follow replacements")
	assert.EqualValues(t, 2, st.LLMCalls)
}

func TestLogsAndFilesBeforeSpans(t *testing.T) {
	var cs commits
	s := openStore(t, Options{OnCommit: cs.on})
	ctx := context.Background()
	tr := traceID(4)
	write(t, s, &model.Batch{
		Logs:  []model.LogUpload{{TraceID: tr, Text: "early log"}},
		Files: []model.FileUpload{{ID: model.FileID("a.go", "a"), TraceID: tr, Path: "a.go", Content: "a"}},
	})
	assert.Empty(t, cs.take(), "no spans: no session yet")
	_, err := s.Session(ctx, tr)
	require.ErrorIs(t, err, ErrNotFound)

	write(t, s, &model.Batch{Spans: []model.Span{rootSpan(tr, 0, 10, "Success")}})
	ch := cs.change(t)
	assert.True(t, ch.New)
	assert.True(t, ch.Session.HasLogs)
	assert.EqualValues(t, 1, ch.Session.Files)

	// A file reference later updates the session.
	write(t, s, &model.Batch{FileRefs: []model.FileRef{{TraceID: tr, Path: "b.go", FileID: model.FileID("b.go", "b")}}})
	ch = cs.change(t)
	assert.False(t, ch.New)
	assert.EqualValues(t, 2, ch.Session.Files)
}

// TestRollupMatchesRefold writes random spans and random new versions of
// them over many batches, and checks the incrementally kept roll-up
// against one folded from the final spans.
func TestRollupMatchesRefold(t *testing.T) {
	s := openStore(t, Options{})
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	models := []string{"", "gpt-4o", "o3", "o4-mini", "claude", "gemini", "llama"}
	classes := []string{"llm", "tool", "agent", "embedding"}
	for trial := range 300 {
		tr := traceID(1000 + trial)
		final := map[string]model.Span{}
		random := func(id int) model.Span {
			sp := llmSpan(tr, id, rng.IntN(1000), 0, models[rng.IntN(len(models))], "x")
			sp.End = sp.Start.Add(time.Duration(rng.IntN(500)) * time.Millisecond)
			sp.Name = fmt.Sprintf("n%d", rng.IntN(3))
			sp.Derived.Class = classes[rng.IntN(len(classes))]
			sp.Derived.InputTokens = int64(rng.IntN(100))
			sp.Derived.Cost = float64(rng.IntN(100)) / 1000
			sp.Derived.Error = rng.IntN(4) == 0
			if id == 1 || rng.IntN(10) == 0 { // roots: the session one, and stray ones
				sp.ParentSpanID = ""
				sp.Derived.SessionName = fmt.Sprintf("s%d", rng.IntN(2))
				sp.Derived.EndState = []string{"", "Success", "Error"}[rng.IntN(3)]
				if rng.IntN(2) == 0 {
					sp.Derived.Class = "session"
				}
			}
			return sp
		}
		for range 1 + rng.IntN(6) {
			b := &model.Batch{}
			for range 1 + rng.IntN(8) {
				id := 1 + rng.IntN(6)
				sp := random(id)
				if old, ok := final[sp.SpanID]; ok && rng.IntN(3) != 0 {
					sp = old // sent again: unchanged, or with new sums or times
					switch rng.IntN(7) {
					case 1:
						sp.Derived.InputTokens++
						sp.Derived.Error = !sp.Derived.Error
					case 2:
						sp.End = sp.Start.Add(time.Duration(rng.IntN(500)) * time.Millisecond)
					case 3:
						sp.Start = at(rng.IntN(1000))
					case 4:
						sp.Name = fmt.Sprintf("n%d", rng.IntN(3))
						sp.Service = fmt.Sprintf("svc%d", rng.IntN(2))
					case 5:
						sp.Derived.Model = models[rng.IntN(len(models))]
					case 6:
						sp.Derived.EndState = "Indeterminate"
						sp.Derived.Tags = []string{"t"}
					}
				}
				final[sp.SpanID] = sp
				b.Spans = append(b.Spans, sp)
			}
			write(t, s, b)
		}
		want := rollup{traceID: tr}
		for _, sp := range final {
			var sum summary
			sum.spanID, sum.parentID, sum.name, sum.service = sp.SpanID, sp.ParentSpanID, sp.Name, sp.Service
			sum.statusCode, sum.startNS, sum.endNS = sp.StatusCode, unixNanos(sp.Start), unixNanos(sp.End)
			sum.setDerived(&sp.Derived)
			want.fold(&sum)
		}
		got, err := s.Session(ctx, tr)
		require.NoError(t, err)
		w := want.session()
		assert.InDelta(t, w.Cost, got.Cost, 1e-9, "trial %d", trial)
		got.Cost, w.Cost = 0, 0
		got.Updated, got.HasLogs, got.Files = w.Updated, w.HasLogs, w.Files
		assert.Equal(t, w, got, "trial %d", trial)
	}
	st, err := s.Stats(ctx)
	require.NoError(t, err)
	page, err := s.ListSessions(ctx, model.SessionQuery{Limit: MaxLimit})
	require.NoError(t, err)
	var spans, llm, in int64
	for _, se := range page.Sessions {
		spans += se.Spans
		llm += se.LLMCalls
		in += se.InputTokens
	}
	assert.Equal(t, spans, st.Spans, "totals agree with the sessions")
	assert.Equal(t, llm, st.LLMCalls)
	assert.Equal(t, in, st.InputTokens)
}

func TestIdenticalResendDoesNotRefold(t *testing.T) {
	s := openStore(t, Options{})
	tr := traceID(1)
	b := &model.Batch{Spans: []model.Span{rootSpan(tr, 0, 100, "Success"), llmSpan(tr, 2, 10, 20, "gpt-4o", "x")}}
	write(t, s, b)
	write(t, s, b) // the same again
	sess, err := s.Session(context.Background(), tr)
	require.NoError(t, err)
	assert.EqualValues(t, 2, sess.Spans)
	assert.EqualValues(t, 100, sess.InputTokens)
	assert.Equal(t, "success", sess.Status)
}

package store

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/server/model"
)

func TestDeleteSession(t *testing.T) {
	var cs commits
	s := openStore(t, Options{OnCommit: cs.on})
	ctx := context.Background()
	a, b := traceID(1), traceID(2)
	own := model.FileUpload{ID: model.FileID("a.go", "a"), TraceID: a, Path: "a.go", Content: "a"}
	shared := model.FileUpload{ID: model.FileID("lib.go", "lib"), TraceID: b, Path: "lib.go", Content: "lib"}
	write(t, s, &model.Batch{
		Spans: []model.Span{
			rootSpan(a, 0, 10, "Success"), llmSpan(a, 2, 1, 2, "gpt-4o", "alpha words"),
			rootSpan(b, 5, 15, "Success"), llmSpan(b, 2, 6, 7, "gpt-4o", "beta words"),
		},
		Logs:     []model.LogUpload{{TraceID: a, Text: "alpha log"}, {TraceID: b, Text: "beta log"}},
		Files:    []model.FileUpload{own, shared},
		FileRefs: []model.FileRef{{TraceID: a, Path: "lib.go", FileID: shared.ID}},
	})
	cs.take()

	require.NoError(t, s.DeleteSession(ctx, a))
	assert.Equal(t, []Commit{{Deleted: []string{a}}}, cs.take())

	_, err := s.Session(ctx, a)
	assert.ErrorIs(t, err, ErrNotFound)
	_, err = s.Spans(ctx, a)
	assert.ErrorIs(t, err, ErrNotFound)
	logs, err := s.Logs(ctx, a)
	require.NoError(t, err)
	assert.Empty(t, logs)
	files, err := s.Files(ctx, a)
	require.NoError(t, err)
	assert.Empty(t, files)
	_, err = s.File(ctx, own.ID)
	assert.ErrorIs(t, err, ErrNotFound, "a file only the deleted trace referenced is gone")
	got, err := s.File(ctx, shared.ID)
	require.NoError(t, err, "a file another trace references stays")
	got.Received = time.Time{} // filled in on arrival
	assert.Equal(t, shared, got)
	assert.Empty(t, list(t, s, model.SessionQuery{Search: "alpha"}))
	assert.Equal(t, []string{b}, list(t, s, model.SessionQuery{Search: "words"}))
	assert.Empty(t, list(t, s, model.SessionQuery{Tag: "prod", Search: "alpha"}))
	assert.Equal(t, []string{b}, list(t, s, model.SessionQuery{Model: "gpt-4o"}))

	// B is untouched.
	spans, err := s.Spans(ctx, b)
	require.NoError(t, err)
	assert.Len(t, spans, 2)
	files, err = s.Files(ctx, b)
	require.NoError(t, err)
	assert.Len(t, files, 1)
	st, err := s.Stats(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 1, st.Sessions)
	assert.EqualValues(t, 2, st.Spans)
	assert.EqualValues(t, 100, st.InputTokens)

	assert.ErrorIs(t, s.DeleteSession(ctx, a), ErrNotFound)
	assert.ErrorIs(t, s.DeleteSession(ctx, traceID(404)), ErrNotFound)
	assert.ErrorIs(t, s.DeleteSession(ctx, ""), ErrNotFound)

	// A trace with only logs can be deleted too; it had no session.
	write(t, s, &model.Batch{Logs: []model.LogUpload{{TraceID: traceID(3), Text: "orphan"}}})
	require.NoError(t, s.DeleteSession(ctx, traceID(3)))
	assert.Empty(t, cs.take())

	// Written again after the delete, the trace is new.
	write(t, s, &model.Batch{Spans: []model.Span{rootSpan(a, 0, 10, "Success")}})
	ch := cs.change(t)
	assert.True(t, ch.New)
	assert.EqualValues(t, 1, ch.Session.Spans)
}

func TestDeleteOlderThan(t *testing.T) {
	var cs commits
	s := openStore(t, Options{OnCommit: cs.on})
	ctx := context.Background()
	b := &model.Batch{}
	const n = 1200 // more than one delete chunk
	for i := range n {
		b.Spans = append(b.Spans, rootSpan(traceID(i+1), i*1000, i*1000+500, "Success"))
	}
	b.Logs = []model.LogUpload{
		{TraceID: traceID(5000), Text: "old orphan", Received: at(0)},
		{TraceID: traceID(5001), Text: "new orphan", Received: at(n * 1000)},
	}
	write(t, s, b)
	cs.take()

	// Sessions 0..999 end before the cutoff (their end is i s + 500 ms).
	deleted, err := s.DeleteOlderThan(ctx, at(999_600))
	require.NoError(t, err)
	assert.EqualValues(t, 1000, deleted)
	var gone int
	for _, c := range cs.take() {
		gone += len(c.Deleted)
	}
	assert.Equal(t, 1000, gone)
	st, err := s.Stats(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, n-1000, st.Sessions)
	assert.Equal(t, at(1_000_000), st.Oldest)
	assert.Equal(t, at((n-1)*1000), st.Newest)
	logs, err := s.Logs(ctx, traceID(5000))
	require.NoError(t, err)
	assert.Empty(t, logs, "logs of a trace that never got a session age out too")
	logs, err = s.Logs(ctx, traceID(5001))
	require.NoError(t, err)
	assert.Len(t, logs, 1)

	deleted, err = s.DeleteOlderThan(ctx, at(0))
	require.NoError(t, err)
	assert.Zero(t, deleted)
}

func TestEnforceRetentionByAge(t *testing.T) {
	now := at(100_000)
	s := openStore(t, Options{Now: func() time.Time { return now }})
	b := &model.Batch{}
	for i := range 10 {
		b.Spans = append(b.Spans, rootSpan(traceID(i+1), i*10_000, i*10_000+1000, "Success"))
	}
	write(t, s, b)
	n, err := s.EnforceRetention(context.Background(), 50*time.Second, 0)
	require.NoError(t, err)
	assert.EqualValues(t, 5, n, "ends at 1 s, 11 s, ... 41 s are older than 50 s before now (100 s)")
	page, err := s.ListSessions(context.Background(), model.SessionQuery{})
	require.NoError(t, err)
	assert.Len(t, page.Sessions, 5)

	n, err = s.EnforceRetention(context.Background(), 0, 0)
	require.NoError(t, err)
	assert.Zero(t, n)
}

func TestEnforceRetentionBySize(t *testing.T) {
	s := openStore(t, Options{})
	ctx := context.Background()
	filler := strings.Repeat("lorem ipsum dolor sit amet ", 400) // ~10 KB a span
	const sessions = 300
	for i := 0; i < sessions; i += 50 {
		b := &model.Batch{}
		for j := i; j < i+50; j++ {
			tr := traceID(j + 1)
			b.Spans = append(b.Spans, rootSpan(tr, j*1000, j*1000+10, "Success"))
			for k := range 3 {
				b.Spans = append(b.Spans, llmSpan(tr, k+2, j*1000+k, j*1000+k+1, "gpt-4o", fmt.Sprintf("%s %d %d", filler, j, k)))
			}
		}
		write(t, s, b)
	}
	// Settle the WAL into the file, as the server would have by now.
	_, err := s.do(ctx, func(w *writer) (Commit, int64, error) { return Commit{}, 0, w.compact() })
	require.NoError(t, err)
	before, err := os.Stat(s.Path())
	require.NoError(t, err)
	st, err := s.Stats(ctx)
	require.NoError(t, err)
	require.Greater(t, st.DBBytes, int64(8<<20))
	t.Logf("before: %d sessions, %d bytes (file %d)", st.Sessions, st.DBBytes, before.Size())

	limit := st.DBBytes / 3
	n, err := s.EnforceRetention(ctx, 0, limit)
	require.NoError(t, err)
	assert.Positive(t, n)
	assert.Less(t, n, int64(sessions))

	st, err = s.Stats(ctx)
	require.NoError(t, err)
	after, err := os.Stat(s.Path())
	require.NoError(t, err)
	t.Logf("after: deleted %d, %d sessions, %d bytes (file %d)", n, st.Sessions, st.DBBytes, after.Size())
	assert.LessOrEqual(t, st.DBBytes, limit)
	assert.LessOrEqual(t, after.Size(), limit, "the file itself shrank")
	assert.Less(t, after.Size(), before.Size()/2)
	assert.EqualValues(t, sessions-n, st.Sessions)

	// The oldest went first.
	page, err := s.ListSessions(ctx, model.SessionQuery{Limit: MaxLimit})
	require.NoError(t, err)
	require.Len(t, page.Sessions, int(sessions-n))
	assert.Equal(t, traceID(sessions), page.Sessions[0].TraceID)
	assert.Equal(t, traceID(int(n)+1), page.Sessions[len(page.Sessions)-1].TraceID)

	// Under the limit: nothing to do.
	n, err = s.EnforceRetention(ctx, 0, limit)
	require.NoError(t, err)
	assert.Zero(t, n)
}

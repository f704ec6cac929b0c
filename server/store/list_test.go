package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/server/model"
)

// listFixture writes n sessions, one a minute: session i has service
// svc-(i%3), tag team-(i%4), status by i%3 (success, error, running),
// model by i%2, and its own word in a message.
func listFixture(t *testing.T, s *Store, n int) {
	t.Helper()
	b := &model.Batch{}
	for i := range n {
		tr := traceID(i + 1)
		start := i * 60_000
		states := []string{"Success", "Error", ""}
		root := rootSpan(tr, start, start+1000, states[i%3])
		root.Service = fmt.Sprintf("svc-%d", i%3)
		root.Derived.Tags = []string{fmt.Sprintf("team-%d", i%4), "all"}
		models := []string{"gpt-4o", "claude-sonnet-4"}
		llm := llmSpan(tr, 2, start+10, start+500, models[i%2], fmt.Sprintf("tell me about topic%d please", i))
		b.Spans = append(b.Spans, root, llm)
	}
	write(t, s, b)
}

// traceIDs are the pages' trace IDs, in order.
func traceIDs(sessions []model.Session) []string {
	ids := make([]string, len(sessions))
	for i, se := range sessions {
		ids[i] = se.TraceID
	}
	return ids
}

// newestFirst is the trace IDs of the fixture's sessions i for which keep
// is true, newest first.
func newestFirst(n int, keep func(i int) bool) []string {
	var ids []string
	for i := n - 1; i >= 0; i-- {
		if keep(i) {
			ids = append(ids, traceID(i+1))
		}
	}
	return ids
}

func list(t *testing.T, s *Store, q model.SessionQuery) []string {
	t.Helper()
	page, err := s.ListSessions(context.Background(), q)
	require.NoError(t, err)
	return traceIDs(page.Sessions)
}

func TestListFilters(t *testing.T) {
	s := openStore(t, Options{})
	const n = 24
	listFixture(t, s, n)
	ctx := context.Background()
	// A log line and a session whose only mention of a word is its log.
	write(t, s, &model.Batch{Logs: []model.LogUpload{{TraceID: traceID(5), Text: "\n2026-03-01 12:00:00,000 - ERROR - disk quota exceeded"}}})

	all := func(int) bool { return true }
	for _, drive := range []int{searchDriveMax, 0} { // both search plans
		t.Run(fmt.Sprintf("searchDriveMax=%d", drive), func(t *testing.T) {
			saved := searchDriveMax
			searchDriveMax = drive
			defer func() { searchDriveMax = saved }()

			assert.Equal(t, newestFirst(n, all), list(t, s, model.SessionQuery{}))
			assert.Equal(t, newestFirst(n, func(i int) bool { return i >= 5 && i < 10 }),
				list(t, s, model.SessionQuery{From: at(5 * 60_000), To: at(10 * 60_000)}), "[From, To)")
			assert.Equal(t, newestFirst(n, func(i int) bool { return i%3 == 1 }), list(t, s, model.SessionQuery{Service: "svc-1"}))
			assert.Equal(t, newestFirst(n, func(i int) bool { return i%4 == 2 }), list(t, s, model.SessionQuery{Tag: "team-2"}))
			assert.Equal(t, newestFirst(n, func(i int) bool { return i%3 == 1 }), list(t, s, model.SessionQuery{Status: "error"}))
			assert.Equal(t, newestFirst(n, func(i int) bool { return i%3 == 2 }), list(t, s, model.SessionQuery{Status: "running"}))
			assert.Equal(t, newestFirst(n, func(i int) bool { return i%2 == 1 }), list(t, s, model.SessionQuery{Model: "claude-sonnet-4"}))
			assert.Equal(t, newestFirst(n, func(i int) bool { return i%2 == 1 && i%4 == 3 }),
				list(t, s, model.SessionQuery{Model: "claude-sonnet-4", Tag: "team-3"}))
			assert.Equal(t, newestFirst(n, func(i int) bool { return i%2 == 0 && i%3 == 0 && i >= 6 }),
				list(t, s, model.SessionQuery{Model: "gpt-4o", Service: "svc-0", Status: "success", From: at(6 * 60_000)}))
			assert.Empty(t, list(t, s, model.SessionQuery{Model: "none"}))
			assert.Empty(t, list(t, s, model.SessionQuery{Tag: "none"}))

			// Search: a message word, case-insensitive; a log word; several
			// words (all must occur); a prefix; a span name.
			assert.Equal(t, []string{traceID(8)}, list(t, s, model.SessionQuery{Search: "TOPIC7"}))
			assert.Equal(t, []string{traceID(5)}, list(t, s, model.SessionQuery{Search: "quota"}))
			assert.Equal(t, []string{traceID(5)}, list(t, s, model.SessionQuery{Search: "disk quota exceeded"}))
			assert.Empty(t, list(t, s, model.SessionQuery{Search: "quota topic7"}))
			assert.Equal(t, newestFirst(n, func(i int) bool { return i == 1 || (i >= 10 && i < 20) }),
				list(t, s, model.SessionQuery{Search: "topic1*"}))
			assert.Equal(t, []string{traceID(2)}, list(t, s, model.SessionQuery{Search: "topic1"}), "whole words without '*'")
			assert.Equal(t, newestFirst(n, all), list(t, s, model.SessionQuery{Search: "demo.session"}))
			assert.Equal(t, newestFirst(n, func(i int) bool { return i%4 == 1 }),
				list(t, s, model.SessionQuery{Search: "please", Tag: "team-1"}))
			assert.Equal(t, []string{traceID(10)}, list(t, s, model.SessionQuery{Search: "topic9", Tag: "team-1"}))
			assert.Empty(t, list(t, s, model.SessionQuery{Search: "topic9", Tag: "team-2"}))
			assert.Equal(t, []string{traceID(8)}, list(t, s, model.SessionQuery{Search: "topic7", Model: "claude-sonnet-4", Status: "error"}))

			// Nothing the user types is FTS5 syntax.
			for _, q := range []string{`"unbalanced`, `NEAR(a b)`, `a OR b`, `*`, `-x`, `col:word`, `^`, `'`, `""`, "\x00", "(((", "AND"} {
				_, err := s.ListSessions(ctx, model.SessionQuery{Search: q})
				assert.NoError(t, err, "search %q", q)
			}
			page, err := s.ListSessions(ctx, model.SessionQuery{Search: "   "})
			require.NoError(t, err)
			assert.Len(t, page.Sessions, n, "blank search: no filter")
		})
	}
}

func TestListLimitsAndCursor(t *testing.T) {
	s := openStore(t, Options{})
	ctx := context.Background()
	b := &model.Batch{}
	for i := range 520 {
		b.Spans = append(b.Spans, rootSpan(traceID(i+1), i, i+1, "Success"))
	}
	write(t, s, b)
	page, err := s.ListSessions(ctx, model.SessionQuery{})
	require.NoError(t, err)
	assert.Len(t, page.Sessions, DefaultLimit)
	assert.NotEmpty(t, page.NextCursor)
	page, err = s.ListSessions(ctx, model.SessionQuery{Limit: 10_000})
	require.NoError(t, err)
	assert.Len(t, page.Sessions, MaxLimit)
	page, err = s.ListSessions(ctx, model.SessionQuery{Limit: 520})
	require.NoError(t, err)
	assert.Len(t, page.Sessions, MaxLimit)

	// The last page has no cursor.
	page, err = s.ListSessions(ctx, model.SessionQuery{Limit: 20, From: at(500)})
	require.NoError(t, err)
	assert.Len(t, page.Sessions, 20)
	assert.Empty(t, page.NextCursor)

	for _, c := range []string{"garbage", "djE6eDp5", encodeCursor(1, "x")[:5], "!!"} {
		_, err := s.ListSessions(ctx, model.SessionQuery{Cursor: c})
		assert.ErrorIs(t, err, ErrBadCursor, "cursor %q", c)
	}
}

// TestPaginationWhileWriting pages through the list while new sessions
// keep arriving: every session that existed when paging began shows up
// exactly once, in order.
func TestPaginationWhileWriting(t *testing.T) {
	s := openStore(t, Options{})
	ctx := context.Background()
	const n = 200
	b := &model.Batch{}
	for i := range n {
		root := rootSpan(traceID(i+1), i*10, i*10+5, "Success")
		if i%7 == 0 { // ties on start: the trace ID breaks them
			root.Start = at((i + 1) * 10)
		}
		b.Spans = append(b.Spans, root)
	}
	write(t, s, b)
	first, err := s.ListSessions(ctx, model.SessionQuery{Limit: n})
	require.NoError(t, err)
	want := traceIDs(first.Sessions)

	for _, filter := range []model.SessionQuery{{}, {Tag: "prod"}, {Status: "success"}, {Service: "agent"}} {
		var got []string
		seen := map[string]bool{}
		q := filter
		q.Limit = 7
		next := 0
		for {
			page, err := s.ListSessions(ctx, q)
			require.NoError(t, err)
			for _, se := range page.Sessions {
				require.False(t, seen[se.TraceID], "duplicate %s", se.TraceID)
				seen[se.TraceID] = true
				got = append(got, se.TraceID)
			}
			// Newer sessions arrive between pages.
			next++
			write(t, s, &model.Batch{Spans: []model.Span{rootSpan(traceID(100_000+next), 1_000_000+next, 1_000_001+next, "")}})
			if page.NextCursor == "" {
				break
			}
			q.Cursor = page.NextCursor
		}
		// The pages start before the writes began: the newer sessions
		// are not in them.
		var old []string
		for _, id := range got {
			if id <= traceID(n) {
				old = append(old, id)
			}
		}
		assert.Equal(t, want, old, "filter %+v", filter)
	}
}

func TestSearchSeesTextSoonAfterWrite(t *testing.T) {
	s := openStore(t, Options{})
	tr := traceID(1)
	write(t, s, &model.Batch{Spans: []model.Span{rootSpan(tr, 0, 1, "Success"), llmSpan(tr, 2, 0, 1, "m", "zebra")}})
	require.Eventually(t, func() bool {
		return len(list(t, s, model.SessionQuery{Search: "zebra"})) == 1
	}, 5*time.Second, time.Millisecond)
}

// TestSearchRecoversUnindexedText: text committed but not indexed when
// the process died is indexed by the next Open.
func TestSearchRecoversUnindexedText(t *testing.T) {
	path := t.TempDir() + "/agentops.db"
	s, err := Open(context.Background(), path, Options{})
	require.NoError(t, err)
	tr := traceID(1)
	write(t, s, &model.Batch{
		Spans: []model.Span{rootSpan(tr, 0, 1, "Success"), llmSpan(tr, 2, 0, 1, "m", "giraffe")},
		Logs:  []model.LogUpload{{TraceID: tr, Text: "okapi"}},
	})
	require.NoError(t, s.Close())

	// As a crash between the commit and the indexing leaves it.
	s, err = Open(context.Background(), path, Options{})
	require.NoError(t, err)
	_, err = s.do(context.Background(), func(w *writer) (Commit, int64, error) {
		return Commit{}, 0, w.tx(func() error {
			for _, q := range []string{
				"DELETE FROM search WHERE rowid IN (SELECT id FROM search_docs)",
				"DELETE FROM search_docs",
				"INSERT INTO search_pending(trace_id) VALUES ('" + tr + "')",
			} {
				if _, err := w.exec(q); err != nil {
					return err
				}
			}
			return nil
		})
	})
	require.NoError(t, err)
	assert.Empty(t, list(t, s, model.SessionQuery{Search: "giraffe"}))
	require.NoError(t, s.Close())

	s = openStoreAt(t, path)
	assert.Equal(t, []string{tr}, list(t, s, model.SessionQuery{Search: "giraffe"}))
	assert.Equal(t, []string{tr}, list(t, s, model.SessionQuery{Search: "okapi"}))
}

func openStoreAt(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, Options{})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func TestMatchQuery(t *testing.T) {
	for in, want := range map[string]string{
		"":                   "",
		"weather":            `"weather"`,
		"Weather in Paris":   `"Weather" "in" "Paris"`,
		"weath*":             `"weath"*`,
		"get_weather*":       `"get" "weather"*`,
		`"a" OR b`:           `"a" "OR" "b"`,
		"NEAR(a b)":          `"NEAR" "a" "b"`,
		"日本語 テスト":            `"日本語" "テスト"`,
		"*":                  "",
		"col:word -x ^y 'z'": `"col" "word" "x" "y" "z"`,
	} {
		assert.Equal(t, want, matchQuery(in), "input %q", in)
	}
}

// concurrent helpers for the race tests.
type errs struct {
	mu  sync.Mutex
	all []error
}

func (e *errs) add(err error) {
	if err == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.all = append(e.all, err)
}

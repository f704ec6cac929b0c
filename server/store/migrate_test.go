package store

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/server/model"
)

func userVersion(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	var v int
	require.NoError(t, db.QueryRow("PRAGMA user_version").Scan(&v))
	return v
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "agentops.db") // directories are created
	ctx := context.Background()
	s, err := Open(ctx, path, Options{})
	require.NoError(t, err)
	require.NoError(t, s.Ready(ctx))
	tr := traceID(1)
	write(t, s, &model.Batch{
		Spans: []model.Span{rootSpan(tr, 0, 10, "Success"), llmSpan(tr, 2, 1, 2, "gpt-4o", "persisted")},
		Logs:  []model.LogUpload{{TraceID: tr, Text: "a log", Received: at(5)}},
	})
	want, err := s.Spans(ctx, tr)
	require.NoError(t, err)
	wantSession, err := s.Session(ctx, tr)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	assert.Equal(t, len(migrations), userVersion(t, path))

	s = openStoreAt(t, path)
	got, err := s.Spans(ctx, tr)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	gotSession, err := s.Session(ctx, tr)
	require.NoError(t, err)
	assert.Equal(t, wantSession, gotSession)
	logs, err := s.Logs(ctx, tr)
	require.NoError(t, err)
	assert.Equal(t, []model.LogUpload{{TraceID: tr, Text: "a log", Received: at(5)}}, logs)
	assert.Equal(t, []string{tr}, list(t, s, model.SessionQuery{Search: "persisted"}))

	// It keeps working where it left off.
	write(t, s, &model.Batch{Spans: []model.Span{llmSpan(tr, 3, 3, 4, "gpt-4o", "more")}})
	sess, err := s.Session(ctx, tr)
	require.NoError(t, err)
	assert.EqualValues(t, 3, sess.Spans)
	st, err := s.Stats(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 3, st.Spans)
}

func TestNewerSchemaIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agentops.db")
	s, err := Open(context.Background(), path, Options{})
	require.NoError(t, err)
	require.NoError(t, s.Close())

	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	_, err = db.Exec("PRAGMA user_version = 999")
	require.NoError(t, err)
	require.NoError(t, db.Close())

	_, err = Open(context.Background(), path, Options{})
	require.ErrorIs(t, err, ErrNewerSchema)
	assert.Contains(t, err.Error(), "999")
	assert.Contains(t, err.Error(), "upgrade agentops")
	assert.Equal(t, 999, userVersion(t, path), "a refused database is left alone")
}

func TestMigrationsRunInOneTransaction(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agentops.db")
	saved := migrations
	defer func() { migrations = saved }()
	migrations = append(append([]string{}, saved...), "CREATE TABLE extra (x); THIS IS NOT SQL")
	_, err := Open(context.Background(), path, Options{})
	require.Error(t, err)
	assert.Equal(t, 0, userVersion(t, path), "a failed migration leaves nothing behind")

	migrations = append(append([]string{}, saved...), "CREATE TABLE extra (x)")
	s, err := Open(context.Background(), path, Options{})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	assert.Equal(t, len(saved)+1, userVersion(t, path))

	// An older program's migrations are a prefix: a database that ran the
	// extra step is newer than it.
	migrations = saved
	_, err = Open(context.Background(), path, Options{})
	assert.ErrorIs(t, err, ErrNewerSchema)
}

func TestOpenNeedsAFile(t *testing.T) {
	for _, p := range []string{"", ":memory:", "file::memory:?cache=shared"} {
		_, err := Open(context.Background(), p, Options{})
		assert.Error(t, err, "path %q", p)
	}
	// A path SQLite's URI syntax would misread still names that file.
	dir := filepath.Join(t.TempDir(), "odd ?#% dir")
	s := openStoreAt(t, filepath.Join(dir, "agentops.db"))
	write(t, s, &model.Batch{Spans: []model.Span{rootSpan(traceID(1), 0, 1, "")}})
	_, err := os.Stat(filepath.Join(dir, "agentops.db"))
	assert.NoError(t, err)
}

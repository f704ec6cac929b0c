package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Deletes run on the writer goroutine like every write, a bounded number
// of sessions per transaction, so ingest keeps flowing between them.

// deleteChunk is how many sessions one delete transaction removes.
const deleteChunk = 500

// deleteStmts are prepared for one delete op.
type deleteStmts struct {
	fileIDs, spans, logs, traceFiles, orphanFile *sql.Stmt
	tags, models, search, searchDocs, sessions   *sql.Stmt
	pending, session                             *sql.Stmt
}

func (w *writer) prepareDeletes() (*deleteStmts, error) {
	st := &deleteStmts{}
	var err error
	prep := func(dst **sql.Stmt, q string) {
		if err == nil {
			*dst, err = w.conn.PrepareContext(context.Background(), q)
		}
	}
	prep(&st.fileIDs, "SELECT file_id FROM trace_files WHERE trace_id = ?")
	prep(&st.spans, "DELETE FROM spans WHERE trace_id = ?")
	prep(&st.logs, "DELETE FROM logs WHERE trace_id = ?")
	prep(&st.traceFiles, "DELETE FROM trace_files WHERE trace_id = ?")
	prep(&st.orphanFile, "DELETE FROM files WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM trace_files WHERE file_id = ?1)")
	prep(&st.tags, "DELETE FROM session_tags WHERE trace_id = ?")
	prep(&st.models, "DELETE FROM session_models WHERE trace_id = ?")
	prep(&st.search, "DELETE FROM search WHERE rowid IN (SELECT id FROM search_docs WHERE trace_id = ?)")
	prep(&st.searchDocs, "DELETE FROM search_docs WHERE trace_id = ?")
	prep(&st.sessions, "DELETE FROM sessions WHERE trace_id = ?")
	prep(&st.pending, "DELETE FROM search_pending WHERE trace_id = ?")
	prep(&st.session, "SELECT "+sessionColumns+" FROM sessions WHERE trace_id = ?")
	if err != nil {
		st.close()
		return nil, fmt.Errorf("store: preparing deletes: %w", err)
	}
	return st, nil
}

func (st *deleteStmts) close() {
	for _, s := range []*sql.Stmt{st.fileIDs, st.spans, st.logs, st.traceFiles, st.orphanFile,
		st.tags, st.models, st.search, st.searchDocs, st.sessions, st.pending, st.session} {
		if s != nil {
			s.Close()
		}
	}
}

// deleteTrace removes everything stored under traceID, and the files only
// it referenced, and takes its session out of sums. It reports whether
// there was anything, and whether a session row was among it.
func (w *writer) deleteTrace(st *deleteStmts, traceID string, sums *totals) (found, session bool, err error) {
	r := rollup{traceID: traceID}
	if err := scanRollup(st.session.QueryRow(traceID), &r); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, false, err
	}
	sums.add(&r, -1)
	var fileIDs []string
	rows, err := st.fileIDs.Query(traceID)
	if err != nil {
		return false, false, err
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return false, false, err
		}
		fileIDs = append(fileIDs, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, false, err
	}
	var n int64
	for _, s := range []*sql.Stmt{st.spans, st.logs, st.traceFiles, st.tags, st.models, st.search, st.searchDocs, st.pending, st.sessions} {
		r, err := s.Exec(traceID)
		if err != nil {
			return false, false, fmt.Errorf("store: deleting trace %s: %w", traceID, err)
		}
		k, err := r.RowsAffected()
		if err != nil {
			return false, false, err
		}
		n += k
		if s == st.sessions {
			session = k > 0
		}
	}
	for _, id := range fileIDs {
		if _, err := st.orphanFile.Exec(id); err != nil {
			return false, false, fmt.Errorf("store: deleting file %s: %w", id, err)
		}
	}
	w.dropPending(traceID)
	return n > 0, session, nil
}

// deleteTraces deletes traceIDs in one transaction and returns the trace
// IDs of the sessions among them.
func (w *writer) deleteTraces(traceIDs []string) ([]string, error) {
	st, err := w.prepareDeletes()
	if err != nil {
		return nil, err
	}
	defer st.close()
	var deleted []string
	err = w.tx(func() error {
		deleted = deleted[:0]
		var sums totals
		for _, id := range traceIDs {
			_, session, err := w.deleteTrace(st, id, &sums)
			if err != nil {
				return err
			}
			if session {
				deleted = append(deleted, id)
			}
		}
		return w.addTotals(&sums)
	})
	if err != nil {
		return nil, err
	}
	return deleted, nil
}

// DeleteSession deletes one trace: its session, spans, logs, search text
// and file references, and the files no other trace references. It
// returns ErrNotFound when nothing was stored under traceID.
func (s *Store) DeleteSession(ctx context.Context, traceID string) error {
	_, err := s.do(ctx, func(w *writer) (Commit, int64, error) {
		st, err := w.prepareDeletes()
		if err != nil {
			return Commit{}, 0, err
		}
		defer st.close()
		var found, session bool
		err = w.tx(func() error {
			var sums totals
			var err error
			if found, session, err = w.deleteTrace(st, traceID, &sums); err != nil {
				return err
			}
			return w.addTotals(&sums)
		})
		switch {
		case err != nil:
			return Commit{}, 0, err
		case !found:
			return Commit{}, 0, ErrNotFound
		case session:
			return Commit{Deleted: []string{traceID}}, 1, nil
		}
		return Commit{}, 0, nil
	})
	return err
}

// DeleteOlderThan deletes the sessions whose end is before t (and the
// logs, received before t, of traces that never got a session). It
// returns how many sessions it deleted; on error, how many it had deleted
// before.
func (s *Store) DeleteOlderThan(ctx context.Context, t time.Time) (int64, error) {
	cutoff := clampNanos(t)
	var total int64
	for {
		var more bool
		n, err := s.do(ctx, func(w *writer) (Commit, int64, error) {
			ids, err := w.selectIDs(`SELECT trace_id FROM sessions WHERE end_ns < ? ORDER BY end_ns LIMIT ?`, cutoff, deleteChunk)
			if err != nil {
				return Commit{}, 0, err
			}
			if len(ids) < deleteChunk {
				orphans, err := w.selectIDs(`SELECT DISTINCT trace_id FROM logs WHERE received_ns < ?
					AND trace_id NOT IN (SELECT trace_id FROM sessions) LIMIT ?`, cutoff, deleteChunk-len(ids))
				if err != nil {
					return Commit{}, 0, err
				}
				ids = append(ids, orphans...)
			}
			more = len(ids) == deleteChunk
			deleted, err := w.deleteTraces(ids)
			if err != nil {
				return Commit{}, 0, err
			}
			return Commit{Deleted: deleted}, int64(len(deleted)), nil
		})
		total += n
		if err != nil || !more {
			return total, err
		}
	}
}

func (w *writer) addTotals(t *totals) error {
	if t.zero() {
		return nil
	}
	if _, err := w.st.addTotals.Exec(t.args()...); err != nil {
		return fmt.Errorf("store: totals: %w", err)
	}
	return nil
}

func (w *writer) selectIDs(query string, args ...any) ([]string, error) {
	rows, err := w.conn.QueryContext(context.Background(), query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// EnforceRetention deletes the sessions older than maxAge (0: no age
// limit), then, while the database is larger than maxBytes (0: no size
// limit), the oldest sessions, and gives the freed pages back to the file
// system so the file shrinks. It returns how many sessions it deleted.
func (s *Store) EnforceRetention(ctx context.Context, maxAge time.Duration, maxBytes int64) (int64, error) {
	var total int64
	if maxAge > 0 {
		n, err := s.DeleteOlderThan(ctx, s.now().Add(-maxAge))
		total += n
		if err != nil {
			return total, err
		}
	}
	if maxBytes > 0 {
		var sh shrink
		for {
			var done bool
			n, err := s.do(ctx, func(w *writer) (Commit, int64, error) {
				return w.shrinkStep(maxBytes, &sh, &done)
			})
			total += n
			if err != nil {
				return total, err
			}
			if done {
				break
			}
		}
	}
	if total > 0 {
		_, err := s.do(ctx, func(w *writer) (Commit, int64, error) {
			return Commit{}, 0, w.compact()
		})
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// shrink is what the steps of one size enforcement learn: how many bytes
// a deleted session gave back.
type shrink struct {
	deleted, freed int64
}

// shrinkStep deletes the oldest sessions once if the database is over
// maxBytes: as many as should free the excess, going by what the earlier
// steps freed per session (the database's average at first).
func (w *writer) shrinkStep(maxBytes int64, sh *shrink, done *bool) (Commit, int64, error) {
	if err := w.vacuumFree(); err != nil {
		return Commit{}, 0, err
	}
	size, err := usedBytes(w.conn)
	if err != nil {
		return Commit{}, 0, err
	}
	var sessions int64
	if err := w.conn.QueryRowContext(context.Background(), "SELECT count(*) FROM sessions").Scan(&sessions); err != nil {
		return Commit{}, 0, err
	}
	if size <= maxBytes || sessions == 0 {
		*done = true
		return Commit{}, 0, nil
	}
	perSession := size / sessions
	if sh.deleted > 0 && sh.freed > 0 {
		perSession = sh.freed / sh.deleted
	}
	k := (size - maxBytes + perSession - 1) / max(perSession, 1)
	k = min(max(k, 1), deleteChunk, sessions)
	ids, err := w.selectIDs("SELECT trace_id FROM sessions ORDER BY start_ns, trace_id LIMIT ?", k)
	if err != nil {
		return Commit{}, 0, err
	}
	deleted, err := w.deleteTraces(ids)
	if err != nil {
		return Commit{}, 0, err
	}
	if err := w.vacuumFree(); err != nil {
		return Commit{Deleted: deleted}, int64(len(deleted)), err
	}
	after, err := usedBytes(w.conn)
	if err != nil {
		return Commit{Deleted: deleted}, int64(len(deleted)), err
	}
	sh.deleted += int64(len(ids))
	sh.freed += size - after
	return Commit{Deleted: deleted}, int64(len(deleted)), nil
}

// usedBytes is the size of the database's pages that hold data.
func usedBytes(c *sql.Conn) (int64, error) {
	ctx := context.Background()
	total, err := dbBytes(ctx, c)
	if err != nil {
		return 0, err
	}
	var free, pageSize int64
	if err := c.QueryRowContext(ctx, "PRAGMA freelist_count").Scan(&free); err != nil {
		return 0, err
	}
	if err := c.QueryRowContext(ctx, "PRAGMA page_size").Scan(&pageSize); err != nil {
		return 0, err
	}
	return total - free*pageSize, nil
}

// vacuumFree returns the free pages to the file system: incrementally
// when the database was created with auto_vacuum=INCREMENTAL (ours are),
// else by a full VACUUM.
func (w *writer) vacuumFree() error {
	var mode, free int64
	ctx := context.Background()
	if err := w.conn.QueryRowContext(ctx, "PRAGMA freelist_count").Scan(&free); err != nil {
		return err
	}
	if free == 0 {
		return nil
	}
	if err := w.conn.QueryRowContext(ctx, "PRAGMA auto_vacuum").Scan(&mode); err != nil {
		return err
	}
	q := "PRAGMA incremental_vacuum"
	if mode != 2 {
		q = "VACUUM"
	}
	// incremental_vacuum returns a row per page; drain them.
	rows, err := w.conn.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("store: %s: %w", q, err)
	}
	for rows.Next() {
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: %s: %w", q, err)
	}
	return nil
}

// compact tidies up after a retention pass: it lets the search index fold
// its deletions in, frees pages, and checkpoints the WAL into a truncated
// database file, so the file on disk shrinks now.
func (w *writer) compact() error {
	if err := w.tx(func() error {
		_, err := w.exec("INSERT INTO search(search, rank) VALUES ('merge', 500)")
		return err
	}); err != nil {
		return fmt.Errorf("store: merging the search index: %w", err)
	}
	if err := w.vacuumFree(); err != nil {
		return err
	}
	var busy, logFrames, done int64
	err := w.conn.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &done)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: checkpoint: %w", err)
	}
	return nil
}

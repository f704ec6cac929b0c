package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/agentops-go/agentops/server/model"
)

// readStmts are prepared on the read pool (database/sql prepares them
// again on each connection as needed).
type readStmts struct {
	session, spans, resource *sql.Stmt
	logs, files, file        *sql.Stmt
	object                   *sql.Stmt
}

func prepareReadStmts(ctx context.Context, db *sql.DB) (readStmts, error) {
	var st readStmts
	var err error
	prep := func(dst **sql.Stmt, query string) {
		if err != nil {
			return
		}
		if *dst, err = db.PrepareContext(ctx, query); err != nil {
			err = fmt.Errorf("store: preparing %q: %w", query, err)
		}
	}
	prep(&st.session, "SELECT "+sessionColumns+" FROM sessions WHERE trace_id = ?")
	prep(&st.spans, `SELECT span_id, parent_span_id, name, service, start_ns, end_ns, status_code,
		resource_id, data FROM spans WHERE trace_id = ?`)
	prep(&st.resource, "SELECT body FROM resources WHERE id = ?")
	prep(&st.logs, "SELECT text, received_ns FROM logs WHERE trace_id = ? ORDER BY received_ns, id")
	prep(&st.files, `SELECT f.id, t.path, f.size, f.sha256, f.received_ns
		FROM trace_files t JOIN files f ON f.id = t.file_id
		WHERE t.trace_id = ? ORDER BY t.path`)
	prep(&st.file, "SELECT id, trace_id, path, content, received_ns FROM files WHERE id = ?")
	prep(&st.object, "SELECT id, content, received_ns FROM objects WHERE id = ?")
	return st, err
}

func (st *readStmts) close() {
	for _, s := range []*sql.Stmt{st.session, st.spans, st.resource, st.logs, st.files, st.file, st.object} {
		if s != nil {
			s.Close()
		}
	}
}

// readErr maps a read failure on a closed store to ErrClosed.
func (s *Store) readErr(err error) error {
	if err != nil && s.isClosed() {
		return ErrClosed
	}
	return err
}

// Session returns the roll-up of one trace, or ErrNotFound.
func (s *Store) Session(ctx context.Context, traceID string) (model.Session, error) {
	if s.isClosed() {
		return model.Session{}, ErrClosed
	}
	r := rollup{traceID: traceID}
	err := scanRollup(s.rs.session.QueryRowContext(ctx, traceID), &r)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Session{}, ErrNotFound
	}
	if err != nil {
		return model.Session{}, s.readErr(fmt.Errorf("store: reading session %s: %w", traceID, err))
	}
	return r.session(), nil
}

// Spans returns the spans of one trace, ordered by start time then span
// ID, or ErrNotFound when it has none. Times are in UTC.
func (s *Store) Spans(ctx context.Context, traceID string) ([]model.Span, error) {
	if s.isClosed() {
		return nil, ErrClosed
	}
	spans, err := s.spans(ctx, traceID)
	if err != nil {
		return nil, s.readErr(err)
	}
	if len(spans) == 0 {
		return nil, ErrNotFound
	}
	return spans, nil
}

func (s *Store) spans(ctx context.Context, traceID string) ([]model.Span, error) {
	rows, err := s.rs.spans.QueryContext(ctx, traceID)
	if err != nil {
		return nil, fmt.Errorf("store: reading spans: %w", err)
	}
	defer rows.Close()
	spans := make([]model.Span, 0, 64)
	resIDs := make([]sql.NullInt64, 0, 64)
	in := newInterner()
	for rows.Next() {
		var sp model.Span
		var startNS, endNS int64
		var res sql.NullInt64
		var data sql.RawBytes
		if err := rows.Scan(&sp.SpanID, &sp.ParentSpanID, &sp.Name, &sp.Service, &startNS, &endNS,
			&sp.StatusCode, &res, &data); err != nil {
			return nil, fmt.Errorf("store: reading spans: %w", err)
		}
		sp.TraceID = traceID
		sp.Start, sp.End = fromNanos(startNS), fromNanos(endNS)
		if err := decodeSpanData(data, &sp, in); err != nil {
			return nil, fmt.Errorf("store: span %s/%s: %w", traceID, sp.SpanID, err)
		}
		spans = append(spans, sp)
		resIDs = append(resIDs, res)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: reading spans: %w", err)
	}
	rows.Close()

	// Each distinct resource is read and decoded once, then copied.
	resources := map[int64]map[string]any{}
	for i, id := range resIDs {
		if !id.Valid {
			continue
		}
		m, ok := resources[id.Int64]
		if !ok {
			var body []byte
			err := s.rs.resource.QueryRowContext(ctx, id.Int64).Scan(&body)
			switch {
			case errors.Is(err, sql.ErrNoRows):
			case err != nil:
				return nil, fmt.Errorf("store: reading a resource: %w", err)
			default:
				if m, err = decodeMap(body); err != nil {
					return nil, fmt.Errorf("store: resource %d: %w", id.Int64, err)
				}
			}
			resources[id.Int64] = m
			spans[i].Resource = m // the first user gets the original
			continue
		}
		spans[i].Resource = cloneMap(m)
	}
	slices.SortFunc(spans, func(a, b model.Span) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return cmp.Compare(a.SpanID, b.SpanID)
	})
	return spans, nil
}

// Logs returns the log uploads of one trace, oldest first; none is an
// empty slice.
func (s *Store) Logs(ctx context.Context, traceID string) ([]model.LogUpload, error) {
	if s.isClosed() {
		return nil, ErrClosed
	}
	rows, err := s.rs.logs.QueryContext(ctx, traceID)
	if err != nil {
		return nil, s.readErr(fmt.Errorf("store: reading logs: %w", err))
	}
	defer rows.Close()
	logs := []model.LogUpload{}
	for rows.Next() {
		l := model.LogUpload{TraceID: traceID}
		var ns int64
		if err := rows.Scan(&l.Text, &ns); err != nil {
			return nil, fmt.Errorf("store: reading logs: %w", err)
		}
		l.Received = fromNanos(ns)
		logs = append(logs, l)
	}
	if err := rows.Err(); err != nil {
		return nil, s.readErr(fmt.Errorf("store: reading logs: %w", err))
	}
	return logs, nil
}

// Files describes the source files of one trace: those uploaded under it
// and those it references, one per path (the latest), sorted by path.
// None is an empty slice.
func (s *Store) Files(ctx context.Context, traceID string) ([]model.FileInfo, error) {
	if s.isClosed() {
		return nil, ErrClosed
	}
	rows, err := s.rs.files.QueryContext(ctx, traceID)
	if err != nil {
		return nil, s.readErr(fmt.Errorf("store: reading files: %w", err))
	}
	defer rows.Close()
	files := []model.FileInfo{}
	for rows.Next() {
		var f model.FileInfo
		var ns int64
		if err := rows.Scan(&f.ID, &f.Path, &f.Size, &f.SHA256, &ns); err != nil {
			return nil, fmt.Errorf("store: reading files: %w", err)
		}
		f.Received = fromNanos(ns)
		files = append(files, f)
	}
	if err := rows.Err(); err != nil {
		return nil, s.readErr(fmt.Errorf("store: reading files: %w", err))
	}
	return files, nil
}

// File returns one stored file by its ID (FileInfo.ID), or ErrNotFound.
// TraceID is the trace it was first uploaded under.
func (s *Store) File(ctx context.Context, id string) (model.FileUpload, error) {
	if s.isClosed() {
		return model.FileUpload{}, ErrClosed
	}
	var f model.FileUpload
	var ns int64
	err := s.rs.file.QueryRowContext(ctx, id).Scan(&f.ID, &f.TraceID, &f.Path, &f.Content, &ns)
	if errors.Is(err, sql.ErrNoRows) {
		return model.FileUpload{}, ErrNotFound
	}
	if err != nil {
		return model.FileUpload{}, s.readErr(fmt.Errorf("store: reading a file: %w", err))
	}
	f.Received = fromNanos(ns)
	return f, nil
}

// Object returns one stored object, or ErrNotFound.
func (s *Store) Object(ctx context.Context, id string) (model.Object, error) {
	if s.isClosed() {
		return model.Object{}, ErrClosed
	}
	var o model.Object
	var ns int64
	err := s.rs.object.QueryRowContext(ctx, id).Scan(&o.ID, &o.Content, &ns)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Object{}, ErrNotFound
	}
	if err != nil {
		return model.Object{}, s.readErr(fmt.Errorf("store: reading an object: %w", err))
	}
	o.Received = fromNanos(ns)
	return o, nil
}

// Stats returns the totals over all sessions, and the database size
// (page_count * page_size). Oldest and Newest are the earliest and latest
// session starts.
func (s *Store) Stats(ctx context.Context) (model.Stats, error) {
	if s.isClosed() {
		return model.Stats{}, ErrClosed
	}
	conn, err := s.rdb.Conn(ctx)
	if err != nil {
		return model.Stats{}, s.readErr(err)
	}
	defer conn.Close()
	var st model.Stats
	var oldest, newest sql.NullInt64
	err = conn.QueryRowContext(ctx, `SELECT sessions, spans, llm_calls, input_tokens, output_tokens, cost, errors,
		(SELECT min(start_ns) FROM sessions), (SELECT max(start_ns) FROM sessions)
		FROM totals`).Scan(&st.Sessions, &st.Spans, &st.LLMCalls, &st.InputTokens,
		&st.OutputTokens, &st.Cost, &st.Errors, &oldest, &newest)
	if err != nil {
		return model.Stats{}, s.readErr(fmt.Errorf("store: stats: %w", err))
	}
	st.Oldest, st.Newest = fromNanos(oldest.Int64), fromNanos(newest.Int64)
	if st.DBBytes, err = dbBytes(ctx, conn); err != nil {
		return model.Stats{}, s.readErr(err)
	}
	return st, nil
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// dbBytes is the database's size: page_count * page_size.
func dbBytes(ctx context.Context, q querier) (int64, error) {
	var pages, size int64
	if err := q.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		return 0, fmt.Errorf("store: page_count: %w", err)
	}
	if err := q.QueryRowContext(ctx, "PRAGMA page_size").Scan(&size); err != nil {
		return 0, fmt.Errorf("store: page_size: %w", err)
	}
	return pages * size, nil
}

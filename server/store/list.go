package store

import (
	"context"
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/agentops-go/agentops/server/model"
)

// Limits of a sessions page.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// ListSessions returns one page of sessions, newest first (start time
// descending, trace ID breaking ties), filtered by q. Pages are keyed by
// the last row's (start, trace ID), so sessions written while a client
// pages do not shift later pages (a session whose start moves earlier can
// still move across the cursor). A malformed q.Cursor is ErrBadCursor.
//
// q.Search matches whole words (case-insensitive; a word ending in '*' is
// a prefix) in span names, message content, entity input and output, and
// log text; every word must occur in the session. A search sees the text
// of every batch acknowledged before it began, unless the writer is more
// than a quarter second behind.
func (s *Store) ListSessions(ctx context.Context, q model.SessionQuery) (model.SessionPage, error) {
	if s.isClosed() {
		return model.SessionPage{}, ErrClosed
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	var cursorStart int64
	var cursorID string
	if q.Cursor != "" {
		var err error
		if cursorStart, cursorID, err = decodeCursor(q.Cursor); err != nil {
			return model.SessionPage{}, err
		}
	}

	conn, err := s.rdb.Conn(ctx)
	if err != nil {
		return model.SessionPage{}, s.readErr(err)
	}
	defer conn.Close()

	// The search decides the plan: a few matching documents are looked up
	// and sorted; many are a set each session in start order is checked
	// against, until the page is full.
	match := matchQuery(q.Search)
	fewMatches := false
	if match != "" {
		s.indexPending(ctx)
		var n int
		err := conn.QueryRowContext(ctx, "SELECT count(*) FROM (SELECT rowid FROM search WHERE search MATCH ? LIMIT ?)",
			match, searchDriveMax+1).Scan(&n)
		if err != nil {
			return model.SessionPage{}, s.readErr(fmt.Errorf("store: searching: %w", err))
		}
		if n == 0 {
			return model.SessionPage{Sessions: []model.Session{}}, nil
		}
		fewMatches = n <= searchDriveMax
	}

	// The rows come from sessions, or, filtered by tag or model, from
	// that index ordered by (value, start): either way in page order.
	from, key := "sessions s", "s"
	var where []string
	var args []any
	switch {
	case q.Tag != "" && !fewMatches:
		from, key = "session_tags x JOIN sessions s ON s.trace_id = x.trace_id", "x"
		where = append(where, "x.tag = ?")
		args = append(args, q.Tag)
	case q.Model != "" && !fewMatches:
		from, key = "session_models x JOIN sessions s ON s.trace_id = x.trace_id", "x"
		where = append(where, "x.model = ?")
		args = append(args, q.Model)
	}
	if q.Tag != "" && key == "s" {
		where = append(where, "EXISTS (SELECT 1 FROM session_tags t WHERE t.trace_id = s.trace_id AND t.tag = ?)")
		args = append(args, q.Tag)
	}
	if q.Model != "" && (key == "s" || q.Tag != "") {
		where = append(where, "EXISTS (SELECT 1 FROM session_models m WHERE m.trace_id = s.trace_id AND m.model = ?)")
		args = append(args, q.Model)
	}
	if !q.From.IsZero() {
		where = append(where, key+".start_ns >= ?")
		args = append(args, clampNanos(q.From))
	}
	if !q.To.IsZero() {
		where = append(where, key+".start_ns < ?")
		args = append(args, clampNanos(q.To))
	}
	if q.Service != "" {
		where = append(where, "s.service = ?")
		args = append(args, q.Service)
	}
	if q.Status != "" {
		where = append(where, "s.status = ?")
		args = append(args, q.Status)
	}
	switch {
	case match != "" && fewMatches:
		where = append(where, `s.trace_id IN (SELECT d.trace_id FROM search
			JOIN search_docs d ON d.id = search.rowid WHERE search MATCH ?)`)
		args = append(args, match)
	case match != "":
		// The unary + keeps SQLite from driving the lookup by the
		// document set: it is built once and probed.
		where = append(where, `EXISTS (SELECT 1 FROM search_docs d WHERE d.trace_id = s.trace_id
			AND +d.id IN (SELECT rowid FROM search WHERE search MATCH ?))`)
		args = append(args, match)
	}
	if q.Cursor != "" {
		where = append(where, "("+key+".start_ns, "+key+".trace_id) < (?, ?)")
		args = append(args, cursorStart, cursorID)
	}
	query := "SELECT " + prefixedSessionColumns + " FROM " + from
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY " + key + ".start_ns DESC, " + key + ".trace_id DESC LIMIT ?"
	args = append(args, limit+1)

	rows, err := conn.QueryContext(ctx, query, args...)
	if err != nil {
		return model.SessionPage{}, s.readErr(fmt.Errorf("store: listing sessions: %w", err))
	}
	defer rows.Close()
	page := model.SessionPage{Sessions: make([]model.Session, 0, min(limit, 64))}
	var last rollup
	for rows.Next() {
		var r rollup
		if err := scanRollup(rows, &r); err != nil {
			return model.SessionPage{}, fmt.Errorf("store: listing sessions: %w", err)
		}
		if len(page.Sessions) == limit {
			page.NextCursor = encodeCursor(last.startNS, last.traceID)
			break
		}
		page.Sessions = append(page.Sessions, r.session())
		last = r
	}
	if err := rows.Err(); err != nil {
		return model.SessionPage{}, s.readErr(fmt.Errorf("store: listing sessions: %w", err))
	}
	return page, nil
}

// searchDriveMax is the most matching search documents that are looked up
// and sorted rather than probed (a variable for tests).
var searchDriveMax = 2000

// prefixedSessionColumns is sessionColumns qualified by the alias s.
var prefixedSessionColumns = func() string {
	cols := strings.Split(sessionColumns, ",")
	for i, c := range cols {
		cols[i] = "s." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}()

func clampNanos(t time.Time) int64 {
	switch y := t.Year(); {
	case y < 1678:
		return math.MinInt64
	case y > 2261:
		return math.MaxInt64
	}
	return t.UnixNano()
}

// A cursor is base64url("v1:<start ns>:<trace id>"): opaque to clients,
// plain to whoever debugs one.
func encodeCursor(startNS int64, traceID string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("v1:" + strconv.FormatInt(startNS, 10) + ":" + traceID))
}

func decodeCursor(c string) (int64, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, "", ErrBadCursor
	}
	rest, ok := strings.CutPrefix(string(b), "v1:")
	if !ok {
		return 0, "", ErrBadCursor
	}
	num, id, ok := strings.Cut(rest, ":")
	if !ok {
		return 0, "", ErrBadCursor
	}
	start, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return 0, "", ErrBadCursor
	}
	return start, id, nil
}

package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// writeStmts are prepared once on the write connection.
type writeStmts struct {
	insertSpan, replaceSpan        *sql.Stmt
	insertResource, selectResource *sql.Stmt
	selectSession, upsertSession   *sql.Stmt
	updateSessionTotals            *sql.Stmt
	traceSummaries, selectSpan     *sql.Stmt
	deleteTags, insertTag          *sql.Stmt
	deleteModels, insertModel      *sql.Stmt
	moveTags, moveModels           *sql.Stmt
	insertLog, hasLogs             *sql.Stmt
	insertFile, linkFile           *sql.Stmt
	countFiles                     *sql.Stmt
	insertObject                   *sql.Stmt
	insertSearchDoc, insertSearch  *sql.Stmt
	markPending, donePending       *sql.Stmt
	addTotals                      *sql.Stmt
}

const spanColumns = `trace_id, span_id, parent_span_id, name, service, start_ns, end_ns,
	status_code, resource_id, data`

// upsertSQL is INSERT ... ON CONFLICT(conflict) DO UPDATE SET every other
// column to the new value.
func upsertSQL(table, columns, conflict string) string {
	cols := strings.Split(columns, ",")
	keys := strings.Split(conflict, ",")
	for i := range keys {
		keys[i] = strings.TrimSpace(keys[i])
	}
	var set []string
	for i := range cols {
		cols[i] = strings.TrimSpace(cols[i])
		if !slices.Contains(keys, cols[i]) {
			set = append(set, cols[i]+" = excluded."+cols[i])
		}
	}
	return fmt.Sprintf("INSERT INTO %s(%s) VALUES (%s) ON CONFLICT(%s) DO UPDATE SET %s",
		table, strings.Join(cols, ", "), placeholders(len(cols)), conflict, strings.Join(set, ", "))
}

// sessionWriteColumns are the columns of a session write, in the order
// of rollup.args.
func sessionWriteColumns() []string {
	cols := strings.Split(sessionColumns+", name, service, status", ",")
	for i := range cols {
		cols[i] = strings.TrimSpace(cols[i])
	}
	return cols
}

// totalsColumns are the indexes into sessionWriteColumns of what an
// update that leaves the list's sort and filter keys alone sets: the
// indexes on start_ns, service and status are then not rewritten.
func totalsColumns() []int {
	var idx []int
	for i, c := range sessionWriteColumns() {
		switch c {
		case "trace_id", "start_ns", "service", "status":
		default:
			idx = append(idx, i)
		}
	}
	return idx
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func prepareWriteStmts(ctx context.Context, c *sql.Conn) (writeStmts, error) {
	var st writeStmts
	var err error
	prep := func(dst **sql.Stmt, query string) {
		if err != nil {
			return
		}
		*dst, err = c.PrepareContext(ctx, query)
		if err != nil {
			err = fmt.Errorf("store: preparing %q: %w", query, err)
		}
	}
	sessionCols := sessionColumns + ", name, service, status"
	prep(&st.insertSpan, fmt.Sprintf("INSERT INTO spans(%s) VALUES (%s) ON CONFLICT(trace_id, span_id) DO NOTHING",
		spanColumns, placeholders(spanArgs)))
	prep(&st.replaceSpan, upsertSQL("spans", spanColumns, "trace_id, span_id"))
	prep(&st.insertResource, "INSERT INTO resources(hash, body) VALUES (?, ?) ON CONFLICT(hash) DO NOTHING RETURNING id")
	prep(&st.selectResource, "SELECT id FROM resources WHERE hash = ?")
	prep(&st.selectSession, "SELECT "+sessionColumns+" FROM sessions WHERE trace_id = ?")
	prep(&st.upsertSession, upsertSQL("sessions", sessionCols, "trace_id"))
	var set []string
	for _, c := range totalsColumns() {
		set = append(set, sessionWriteColumns()[c]+" = ?")
	}
	prep(&st.updateSessionTotals, "UPDATE sessions SET "+strings.Join(set, ", ")+" WHERE trace_id = ?")
	const summaryCols = "span_id, parent_span_id, name, service, start_ns, end_ns, status_code, data"
	prep(&st.traceSummaries, "SELECT "+summaryCols+" FROM spans WHERE trace_id = ?")
	prep(&st.selectSpan, "SELECT "+summaryCols+" FROM spans WHERE trace_id = ? AND span_id = ?")
	prep(&st.deleteTags, "DELETE FROM session_tags WHERE trace_id = ?")
	prep(&st.insertTag, "INSERT OR IGNORE INTO session_tags(trace_id, tag, start_ns) VALUES (?, ?, ?)")
	prep(&st.moveTags, "UPDATE session_tags SET start_ns = ? WHERE trace_id = ?")
	prep(&st.moveModels, "UPDATE session_models SET start_ns = ? WHERE trace_id = ?")
	prep(&st.deleteModels, "DELETE FROM session_models WHERE trace_id = ?")
	prep(&st.insertModel, "INSERT OR IGNORE INTO session_models(trace_id, model, start_ns) VALUES (?, ?, ?)")
	prep(&st.insertLog, "INSERT INTO logs(trace_id, received_ns, text) VALUES (?, ?, ?)")
	prep(&st.hasLogs, "SELECT EXISTS (SELECT 1 FROM logs WHERE trace_id = ?)")
	prep(&st.insertFile, `INSERT INTO files(id, trace_id, path, size, sha256, received_ns, content)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`)
	prep(&st.linkFile, `INSERT INTO trace_files(trace_id, path, file_id) VALUES (?, ?, ?)
		ON CONFLICT(trace_id, path) DO UPDATE SET file_id = excluded.file_id`)
	prep(&st.countFiles, "SELECT count(*) FROM trace_files WHERE trace_id = ?")
	prep(&st.insertObject, "INSERT INTO objects(id, received_ns, content) VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING")
	prep(&st.insertSearchDoc, "INSERT INTO search_docs(trace_id) VALUES (?)")
	prep(&st.insertSearch, "INSERT INTO search(rowid, body) VALUES (?, ?)")
	prep(&st.markPending, "INSERT OR IGNORE INTO search_pending(trace_id) VALUES (?)")
	prep(&st.donePending, "DELETE FROM search_pending WHERE trace_id = ?")
	prep(&st.addTotals, addTotalsSQL)
	return st, err
}

func (st *writeStmts) close() {
	for _, s := range []*sql.Stmt{st.insertSpan, st.replaceSpan, st.insertResource,
		st.selectResource, st.selectSession, st.upsertSession, st.updateSessionTotals, st.traceSummaries, st.selectSpan,
		st.deleteTags, st.insertTag, st.deleteModels, st.insertModel, st.moveTags, st.moveModels, st.insertLog,
		st.hasLogs, st.insertFile, st.linkFile, st.countFiles, st.insertObject,
		st.insertSearchDoc, st.insertSearch, st.markPending, st.donePending, st.addTotals} {
		if s != nil {
			s.Close()
		}
	}
}

package store

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are the schema, one forward-only step each; PRAGMA
// user_version counts the steps a database has had. Append, never edit: a
// database that has run step n never runs it again.
var migrations = []string{
	// 1: the first schema.
	`
-- One row per span. The columns are what reads select on and what the
-- span tree shows first; the rest of the span (attributes, events, links,
-- derived fields) is one JSON document in data, last, so that reading the
-- columns never touches its overflow pages. Few columns: each bound value
-- costs the writer.
CREATE TABLE spans (
	id             INTEGER PRIMARY KEY,
	trace_id       TEXT    NOT NULL,
	span_id        TEXT    NOT NULL,
	parent_span_id TEXT    NOT NULL,
	name           TEXT    NOT NULL,
	service        TEXT    NOT NULL,
	start_ns       INTEGER NOT NULL,
	end_ns         INTEGER NOT NULL,
	status_code    TEXT    NOT NULL,
	resource_id    INTEGER,          -- resources.id
	data           BLOB    NOT NULL
);
CREATE UNIQUE INDEX spans_trace_span ON spans(trace_id, span_id);

-- Resources repeat on every span of a process: kept once.
CREATE TABLE resources (
	id   INTEGER PRIMARY KEY,
	hash BLOB NOT NULL UNIQUE,
	body BLOB NOT NULL
);

-- One row per trace that has spans: the roll-up the list shows, plus the
-- fold state (first_*, root_*) that lets a write update it from the new
-- spans alone.
CREATE TABLE sessions (
	trace_id          TEXT    PRIMARY KEY,
	start_ns          INTEGER NOT NULL,
	end_ns            INTEGER NOT NULL,
	name              TEXT    NOT NULL,
	service           TEXT    NOT NULL,
	status            TEXT    NOT NULL,
	tags              TEXT    NOT NULL,
	models            TEXT    NOT NULL,
	spans             INTEGER NOT NULL,
	errors            INTEGER NOT NULL,
	llm_calls         INTEGER NOT NULL,
	tool_calls        INTEGER NOT NULL,
	input_tokens      INTEGER NOT NULL,
	output_tokens     INTEGER NOT NULL,
	cache_read_tokens INTEGER NOT NULL,
	reasoning_tokens  INTEGER NOT NULL,
	cost              REAL    NOT NULL,
	has_logs          INTEGER NOT NULL,
	files             INTEGER NOT NULL,
	updated_ns        INTEGER NOT NULL,
	first_span_id     TEXT    NOT NULL,
	first_start_ns    INTEGER NOT NULL,
	first_name        TEXT    NOT NULL,
	first_service     TEXT    NOT NULL,
	root_span_id      TEXT    NOT NULL,
	root_class        TEXT    NOT NULL,
	root_start_ns     INTEGER NOT NULL,
	root_session_name TEXT    NOT NULL,
	root_service      TEXT    NOT NULL,
	root_end_state    TEXT    NOT NULL,
	root_status_code  TEXT    NOT NULL
);
CREATE INDEX sessions_start   ON sessions(start_ns, trace_id);

-- The sums of the sessions' totals, kept by every write and delete, so
-- Stats does not scan the sessions.
CREATE TABLE totals (
	id            INTEGER PRIMARY KEY CHECK (id = 1),
	sessions      INTEGER NOT NULL,
	spans         INTEGER NOT NULL,
	llm_calls     INTEGER NOT NULL,
	input_tokens  INTEGER NOT NULL,
	output_tokens INTEGER NOT NULL,
	cost          REAL    NOT NULL,
	errors        INTEGER NOT NULL
);
INSERT INTO totals VALUES (1, 0, 0, 0, 0, 0, 0, 0);
CREATE INDEX sessions_end     ON sessions(end_ns);
CREATE INDEX sessions_service ON sessions(service, start_ns, trace_id);
CREATE INDEX sessions_status  ON sessions(status, start_ns, trace_id);

-- A session's tags and models, with its start: the list filtered by one
-- of them walks (tag, start) in order and stops at the page's end, however
-- many or few sessions match.
CREATE TABLE session_tags (
	trace_id TEXT    NOT NULL,
	tag      TEXT    NOT NULL,
	start_ns INTEGER NOT NULL,
	PRIMARY KEY (trace_id, tag)
) WITHOUT ROWID;
CREATE INDEX session_tags_tag ON session_tags(tag, start_ns, trace_id);

CREATE TABLE session_models (
	trace_id TEXT    NOT NULL,
	model    TEXT    NOT NULL,
	start_ns INTEGER NOT NULL,
	PRIMARY KEY (trace_id, model)
) WITHOUT ROWID;
CREATE INDEX session_models_model ON session_models(model, start_ns, trace_id);

CREATE TABLE logs (
	id          INTEGER PRIMARY KEY,
	trace_id    TEXT    NOT NULL,
	received_ns INTEGER NOT NULL,
	text        TEXT    NOT NULL
);
CREATE INDEX logs_trace ON logs(trace_id, id);
CREATE INDEX logs_received ON logs(received_ns);

-- A file's content is stored once per id (path + content hash);
-- trace_files says which traces show it, under which path.
CREATE TABLE files (
	id          TEXT    PRIMARY KEY,
	trace_id    TEXT    NOT NULL,
	path        TEXT    NOT NULL,
	size        INTEGER NOT NULL,
	sha256      TEXT    NOT NULL,
	received_ns INTEGER NOT NULL,
	content     TEXT    NOT NULL
);
CREATE TABLE trace_files (
	trace_id TEXT NOT NULL,
	path     TEXT NOT NULL,
	file_id  TEXT NOT NULL,
	PRIMARY KEY (trace_id, path)
) WITHOUT ROWID;
CREATE INDEX trace_files_file ON trace_files(file_id);

CREATE TABLE objects (
	id          TEXT    PRIMARY KEY,
	received_ns INTEGER NOT NULL,
	content     TEXT    NOT NULL
);

-- Full-text search: documents of span names, message content, entity
-- input and output, and log text, several per trace; contentless, so the
-- text is not stored twice, and detail=none (which words, not where: no
-- phrase queries), a third of the indexing work. search_docs maps a
-- document to its trace.
CREATE TABLE search_docs (
	id       INTEGER PRIMARY KEY,
	trace_id TEXT NOT NULL
);
CREATE INDEX search_docs_trace ON search_docs(trace_id);
CREATE VIRTUAL TABLE search USING fts5(body, content='', contentless_delete=1, detail=none);
-- The writer indexes text after acknowledging the batch that brought it;
-- a trace listed here has text not yet in the index (after a crash, Open
-- indexes its spans and logs again).
CREATE TABLE search_pending (trace_id TEXT PRIMARY KEY) WITHOUT ROWID;
`,
}

// schemaVersion is the schema version this package writes: a database
// with a higher PRAGMA user_version comes from a newer agentops and is
// refused.
func schemaVersion() int { return len(migrations) }

// migrate brings the database on conn to schemaVersion, in one
// transaction.
func migrate(ctx context.Context, conn *sql.Conn) error {
	want := schemaVersion()
	var v int
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("store: reading the schema version: %w", err)
	}
	if v > want {
		return fmt.Errorf("%w: the database has schema version %d, this agentops knows up to %d: upgrade agentops, or use another data directory", ErrNewerSchema, v, want)
	}
	if v == want {
		return nil
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("store: migrating: %w", err)
	}
	for i := v; i < want; i++ {
		if _, err := conn.ExecContext(ctx, migrations[i]); err != nil {
			_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
			return fmt.Errorf("store: migration %d: %w", i+1, err)
		}
	}
	// PRAGMA takes no parameters; want is ours, not input.
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", want)); err != nil {
		_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		return fmt.Errorf("store: migrating: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		return fmt.Errorf("store: migrating: %w", err)
	}
	return nil
}

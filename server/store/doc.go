// Package store is the SQLite storage of the local backend (`agentops
// serve`): spans with their derived fields, the per-session roll-ups the
// sessions list shows, captured logs, source files and objects. It uses
// modernc.org/sqlite (no cgo).
//
// # Writing
//
// Every write goes through one goroutine. Write encodes a batch on the
// caller's goroutine, queues it, and returns once the transaction holding
// it is committed; the writer coalesces whatever is queued (up to
// Options.MaxBatchSpans spans) into one transaction, so the cost of a
// commit is shared by every request that waited for it. A full queue is
// answered at once with ErrOverloaded, which ingest turns into 503 with
// Retry-After: backpressure reaches the SDK instead of piling up in
// memory. The database runs in WAL mode with synchronous=NORMAL: an
// acknowledged batch survives the process being killed (a power cut may
// lose the last moments). A second connection checkpoints the WAL in the
// background, so the writer does not stop to copy it.
//
// Spans may arrive in any order and in any number of batches; a span sent
// again (same trace and span ID) replaces the earlier one. Each commit
// updates the roll-up of every session it touched, from the new spans
// alone unless a replaced span moved something only a full recount can
// settle, and reports the result to Options.OnCommit for the live event
// stream. Deletes and retention run on the same goroutine, a bounded
// number of sessions per transaction.
//
// # Reading
//
// Reads use a separate pool of read-only connections and never wait for
// the writer. The sessions list pages with an opaque keyset cursor, newest
// first, and every filter walks an index in page order. Free-text search
// uses an FTS5 index of span names, message content, entity input and
// output, and log text: whole words, all of which must occur in a session,
// a trailing '*' making a word a prefix. The writer indexes text just after
// acknowledging it; a search first has it index what is pending.
//
// # Storage
//
// A span's queried fields are columns; the rest (attributes, events,
// links, derived fields) is one JSON document per span, written and read
// by this package's own codec, which keeps int64 and float64 attribute
// values apart (encoding/json would not) and stores a derived message
// that repeats an attribute as that attribute's key. Resources are stored
// once; a file's content once per FileID.
//
// # Schema
//
// The schema is a list of forward-only migrations counted by PRAGMA
// user_version; Open applies the missing ones in one transaction and
// refuses a database written by a newer version (ErrNewerSchema).
package store

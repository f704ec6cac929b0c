package store

import (
	"context"
	"fmt"
	"hash/maphash"
	"strings"
	"time"
	"unicode"

	"github.com/agentops-go/agentops/server/model"
)

// Full-text search is kept off the acknowledgement path: tokenising text
// is a third of what a write costs. A batch's transaction records which
// traces have new text (search_pending); the writer keeps that text in
// memory and indexes it once the queue has been empty for a moment, or
// sooner when too much piles up. A search first asks the writer to index
// what is pending (waiting up to searchFreshness), so it sees every batch
// acknowledged before it began unless the writer is that far behind.
// After a crash, Open indexes the pending traces again from their stored
// spans and logs.

const (
	// maxPendingText is how much text may wait for the index while the
	// writer is busy; past it the writer indexes before the next batch.
	maxPendingText = 2 << 20
	// indexIdle is how long the queue must stay empty before the
	// writer indexes; indexMaxDelay is the longest text waits while it is
	// busy.
	indexIdle     = 5 * time.Millisecond
	indexMaxDelay = time.Second
	// searchFreshness is how long a search waits for the writer to index
	// the pending text.
	searchFreshness = 250 * time.Millisecond
	// dropPendingText is where, if indexing keeps failing, the writer
	// stops holding text in memory: search_pending still names the
	// traces, and the next Open indexes them.
	dropPendingText = 64 << 20
)

// spanText gives add the searchable text of sp.
func spanText(sp *model.Span, add func(s string, limit int)) {
	d := &sp.Derived
	add(sp.Name, maxSearchPiece)
	for j := range d.Messages {
		add(d.Messages[j].Content, maxSearchPiece)
	}
	add(d.Input, maxSearchPiece)
	add(d.Output, maxSearchPiece)
}

// pendingText is the text committed but not yet indexed, by trace.
type pendingText struct {
	byTrace map[string]*strings.Builder
	order   []string
	bytes   int
	since   time.Time // when the oldest text came
	retryAt time.Time // after a failure, not before
}

// queueText adds a trace's new text to the pending set, skipping pieces
// the index already has for it.
func (w *writer) queueText(traceID string, pieces []string) {
	seen := w.indexed[traceID]
	if seen == nil {
		if len(w.indexed) >= maxIndexedTraces {
			clear(w.indexed)
		}
		seen = make(map[uint64]struct{})
		w.indexed[traceID] = seen
	} else if len(seen) >= maxIndexedPieces {
		clear(seen)
	}
	p := &w.pending
	var b *strings.Builder
	for _, s := range pieces {
		h := maphash.String(w.seed, s)
		if _, ok := seen[h]; ok {
			continue
		}
		seen[h] = struct{}{}
		if b == nil {
			if p.bytes == 0 {
				p.since = time.Now()
			}
			if b = p.byTrace[traceID]; b == nil {
				if p.byTrace == nil {
					p.byTrace = make(map[string]*strings.Builder)
				}
				b = &strings.Builder{}
				p.byTrace[traceID] = b
				p.order = append(p.order, traceID)
			}
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(s)
		p.bytes += len(s) + 1
	}
	if p.bytes > 0 {
		w.textPending.Store(true)
	}
}

// dropPending forgets a deleted trace's pending text.
func (w *writer) dropPending(traceID string) {
	if b, ok := w.pending.byTrace[traceID]; ok {
		w.pending.bytes -= b.Len()
		delete(w.pending.byTrace, traceID)
	}
	delete(w.indexed, traceID)
}

// flushText indexes the pending text: one document per trace. After a
// failure it waits a second before trying again, unless forced.
func (w *writer) flushText(force bool) {
	p := &w.pending
	if len(p.order) == 0 || (!force && time.Now().Before(p.retryAt)) {
		return
	}
	err := w.tx(func() error {
		for _, traceID := range p.order {
			b := p.byTrace[traceID]
			if b == nil { // deleted meanwhile
				continue
			}
			r, err := w.st.insertSearchDoc.Exec(traceID)
			if err != nil {
				return err
			}
			id, err := r.LastInsertId()
			if err != nil {
				return err
			}
			if _, err := w.st.insertSearch.Exec(id, b.String()); err != nil {
				return err
			}
			if _, err := w.st.donePending.Exec(traceID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		// tx forgot the dedup cache; the text stays pending.
		w.log.Error("store: indexing text for search", "err", err)
		p.retryAt = time.Now().Add(time.Second)
		if p.bytes > dropPendingText {
			*p = pendingText{}
			w.textPending.Store(false)
		}
		return
	}
	*p = pendingText{}
	w.textPending.Store(false)
}

// indexPending makes the writer index the pending text, waiting at most
// searchFreshness for it.
func (s *Store) indexPending(ctx context.Context) {
	if !s.w.textPending.Load() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, searchFreshness)
	defer cancel()
	_, _ = s.do(ctx, func(w *writer) (Commit, int64, error) {
		w.flushText(false)
		return Commit{}, 0, nil
	})
}

// recoverSearch indexes the traces a crash left in search_pending.
func (w *writer) recoverSearch(ctx context.Context) error {
	ids, err := w.selectIDs("SELECT trace_id FROM search_pending")
	if err != nil || len(ids) == 0 {
		return err
	}
	w.log.Info("store: indexing text left unindexed by the last run", "traces", len(ids))
	for _, id := range ids {
		var pieces []string
		add := func(s string, limit int) {
			if s != "" {
				pieces = append(pieces, truncateUTF8(s, limit))
			}
		}
		rows, err := w.conn.QueryContext(ctx, "SELECT name, data FROM spans WHERE trace_id = ?", id)
		if err != nil {
			return err
		}
		for rows.Next() {
			var sp model.Span
			var data []byte
			if err := rows.Scan(&sp.Name, &data); err != nil {
				rows.Close()
				return err
			}
			if decodeSpanData(data, &sp, nil) == nil {
				spanText(&sp, add)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		logs, err := w.conn.QueryContext(ctx, "SELECT text FROM logs WHERE trace_id = ?", id)
		if err != nil {
			return err
		}
		for logs.Next() {
			var text string
			if err := logs.Scan(&text); err != nil {
				logs.Close()
				return err
			}
			add(text, maxSearchLog)
		}
		logs.Close()
		if err := logs.Err(); err != nil {
			return err
		}
		w.queueText(id, pieces)
		if _, ok := w.pending.byTrace[id]; !ok { // nothing to index
			if _, err := w.exec("DELETE FROM search_pending WHERE trace_id = ?", id); err != nil {
				return err
			}
		}
		if w.pending.bytes >= maxPendingText {
			w.flushText(true)
		}
	}
	w.flushText(true)
	if w.pending.bytes > 0 {
		return fmt.Errorf("store: indexing text left unindexed by the last run failed")
	}
	return nil
}

// matchQuery turns free text into an FTS5 query: every word must occur;
// a word followed by '*' is a prefix ("weath*" finds "weather"). Words are
// what the index's tokenizer (unicode61) calls tokens: runs of letters and
// digits. Each is quoted, so nothing in the input is FTS5 syntax. Prefixes
// are opt-in because a short one expands to most of the index. "" means
// no search.
func matchQuery(text string) string {
	var b strings.Builder
	n := 0
	for _, field := range strings.Fields(text) {
		prefix := strings.HasSuffix(field, "*")
		words := strings.FieldsFunc(field, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsNumber(r)
		})
		for i, w := range words {
			if n == 32 { // enough to narrow anything down
				return b.String()
			}
			n++
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteByte('"')
			b.WriteString(w)
			b.WriteByte('"')
			if prefix && i == len(words)-1 {
				b.WriteByte('*')
			}
		}
	}
	return b.String()
}

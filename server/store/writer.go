package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/agentops-go/agentops/server/model"
)

// The writer goroutine owns the one write connection. It takes requests
// off the queue, coalesces consecutive batches into one transaction (up to
// Options.MaxBatchSpans spans), commits, tells OnCommit, and then answers
// every waiter: an acknowledged batch is in the WAL. Deletes come through
// the same queue, each in its own transaction.

// request is one queued piece of work: a batch, or an op.
type request struct {
	batch *prepared
	spans int
	op    func(w *writer) (Commit, int64, error)
	done  chan result // buffered: the writer never blocks on a waiter that left
}

type result struct {
	n   int64
	err error
}

// writer is the state of the writer goroutine; nothing else touches it
// once the goroutine runs.
type writer struct {
	conn     *sql.Conn
	st       writeStmts
	log      *slog.Logger
	now      func() time.Time
	onCommit func(Commit)
	maxSpans int
	totals   []int // totalsColumns()

	// resourceIDs caches resources.id by hash.
	resourceIDs map[[16]byte]int64
	// indexed remembers, per recent trace, which text pieces are already
	// in the search index (or pending): an LLM call repeats the whole
	// conversation, and without this each call would index it again.
	indexed map[string]map[uint64]struct{}
	seed    maphash.Seed
	pending pendingText
	// textPending is pending.bytes > 0, for readers on other goroutines.
	textPending atomic.Bool

	// walBytes counts what was committed since the checkpointer was last
	// woken.
	walBytes   int
	checkpoint chan<- struct{}
}

const (
	maxCachedResources = 4096
	maxIndexedTraces   = 4096
	maxIndexedPieces   = 1 << 16
)

func (w *writer) resetCaches() {
	clear(w.resourceIDs)
	clear(w.indexed)
}

func (w *writer) exec(query string, args ...any) (sql.Result, error) {
	return w.conn.ExecContext(context.Background(), query, args...)
}

// run serves the queue until it is closed and drained.
func (w *writer) run(queue <-chan *request, done chan<- struct{}) {
	defer close(done)
	var next *request
	group := make([]*request, 0, 64)
	idle := time.NewTimer(time.Hour)
	idle.Stop()
	for {
		req := next
		next = nil
		for req == nil {
			// Text waits for the index until the queue has been empty
			// for indexIdle (so a steady stream of small batches does not
			// pay a second transaction each), or for at most indexMaxDelay.
			var idleC <-chan time.Time
			if w.pending.bytes > 0 {
				idle.Reset(max(indexIdle, time.Until(w.pending.retryAt)))
				idleC = idle.C
			}
			var ok bool
			select {
			case req, ok = <-queue:
				if !ok {
					w.flushText(true)
					return
				}
			case <-idleC:
				w.flushText(false)
			}
		}
		idle.Stop()
		if req.op != nil {
			w.runOp(req)
			continue
		}
		group = append(group[:0], req)
		n := req.spans
	coalesce:
		for n < w.maxSpans {
			select {
			case r, ok := <-queue:
				if !ok {
					break coalesce
				}
				if r.op != nil || n+r.spans > w.maxSpans {
					next = r
					break coalesce
				}
				group = append(group, r)
				n += r.spans
			default:
				break coalesce
			}
		}
		w.commitGroup(group)
		clear(group)
		if w.pending.bytes >= maxPendingText || (w.pending.bytes > 0 && time.Since(w.pending.since) > indexMaxDelay) {
			w.flushText(false)
		}
	}
}

func (w *writer) runOp(req *request) {
	c, n, err := w.op(req.op)
	if err == nil {
		w.notify(c)
	}
	req.done <- result{n: n, err: err}
}

// op runs f, recovering a panic into an error: the writer must outlive any
// one request.
func (w *writer) op(f func(w *writer) (Commit, int64, error)) (c Commit, n int64, err error) {
	defer func() {
		if v := recover(); v != nil {
			w.log.Error("store: writer panicked", "panic", v)
			_, _ = w.exec("ROLLBACK")
			w.resetCaches()
			err = fmt.Errorf("store: internal error: %v", v)
		}
	}()
	return f(w)
}

// commitGroup commits the batches of group in one transaction. If that
// fails, each is tried alone, so one bad batch fails only its own waiter.
func (w *writer) commitGroup(group []*request) {
	c, _, err := w.op(func(w *writer) (Commit, int64, error) {
		c, err := w.applyBatches(group)
		return c, 0, err
	})
	if err != nil && len(group) > 1 {
		w.log.Warn("store: a coalesced write failed; retrying its batches one by one", "batches", len(group), "err", err)
		for _, r := range group {
			c, _, err := w.op(func(w *writer) (Commit, int64, error) {
				c, err := w.applyBatches([]*request{r})
				return c, 0, err
			})
			if err == nil {
				w.notify(c)
			}
			r.done <- result{err: err}
		}
		return
	}
	if err == nil {
		w.notify(c)
	} else {
		w.log.Error("store: write failed", "err", err)
	}
	for _, r := range group {
		r.done <- result{err: err}
	}
}

func (w *writer) notify(c Commit) {
	if w.onCommit == nil || (len(c.Sessions) == 0 && len(c.Deleted) == 0) {
		return
	}
	defer func() {
		if v := recover(); v != nil {
			w.log.Error("store: OnCommit panicked", "panic", v)
		}
	}()
	w.onCommit(c)
}

// tx runs f in a write transaction; a failure rolls back and forgets the
// caches, which may name rows the rollback removed.
func (w *writer) tx(f func() error) (err error) {
	if _, err := w.exec("BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer func() {
		if err != nil {
			if _, rerr := w.exec("ROLLBACK"); rerr != nil && !strings.Contains(rerr.Error(), "no transaction") {
				err = errors.Join(err, rerr)
			}
			w.resetCaches()
		}
	}()
	if err := f(); err != nil {
		return err
	}
	if _, err := w.exec("COMMIT"); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// touched is what one transaction did to one trace.
type touched struct {
	traceID  string
	spans    bool
	newSpans []*summary    // spans inserted for the first time
	replaced [][2]*summary // spans sent again: old and new version, in order
	logs     bool
	files    bool
	text     []string
}

type touchSet struct {
	byID map[string]*touched
	list []*touched
}

func (ts *touchSet) get(traceID string) *touched {
	t := ts.byID[traceID]
	if t == nil {
		t = &touched{traceID: traceID}
		ts.byID[traceID] = t
		ts.list = append(ts.list, t)
	}
	return t
}

// applyBatches writes the batches of reqs in one transaction and returns
// what changed.
func (w *writer) applyBatches(reqs []*request) (Commit, error) {
	var c Commit
	var texts []*touched
	err := w.tx(func() error {
		ts := &touchSet{byID: make(map[string]*touched)}
		for _, r := range reqs {
			if err := w.writeBatch(r.batch, ts); err != nil {
				return err
			}
		}
		now := w.now().UnixNano()
		var sums totals
		for _, t := range ts.list {
			ch, ok, err := w.updateSession(t, now, &sums)
			if err != nil {
				return err
			}
			if ok {
				c.Sessions = append(c.Sessions, ch)
			}
			if len(t.text) > 0 {
				if _, err := w.st.markPending.Exec(t.traceID); err != nil {
					return fmt.Errorf("store: %w", err)
				}
			}
		}
		texts = ts.list
		if !sums.zero() {
			if _, err := w.st.addTotals.Exec(sums.args()...); err != nil {
				return fmt.Errorf("store: totals: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return Commit{}, err
	}
	for _, t := range texts {
		if len(t.text) > 0 {
			w.queueText(t.traceID, t.text)
		}
	}
	n := 0
	for _, r := range reqs {
		n += r.batch.bytes
	}
	w.committed(n)
	return c, nil
}

func (w *writer) writeBatch(p *prepared, ts *touchSet) error {
	resIDs := make([]any, len(p.resources))
	for i := range p.resources {
		id, err := w.resourceID(&p.resources[i])
		if err != nil {
			return err
		}
		resIDs[i] = id
	}
	args := make([]any, spanArgs)
	for i := range p.spans {
		sp := &p.spans[i]
		var res any
		if sp.resource >= 0 {
			res = resIDs[sp.resource]
		}
		sp.fill(args, res)
		t := ts.get(sp.traceID)
		t.spans = true
		r, err := w.st.insertSpan.Exec(args...)
		if err != nil {
			return fmt.Errorf("store: inserting a span: %w", err)
		}
		if n, err := r.RowsAffected(); err != nil {
			return err
		} else if n == 1 {
			t.newSpans = append(t.newSpans, &sp.summary)
			continue
		}
		// A span sent again: mostly an export retried after a timeout,
		// the same span. Its old version tells the roll-up what to undo.
		var old summary
		if err := scanSummary(w.st.selectSpan.QueryRow(sp.traceID, sp.spanID), &old); err != nil {
			return err
		}
		if _, err := w.st.replaceSpan.Exec(args...); err != nil {
			return fmt.Errorf("store: replacing a span: %w", err)
		}
		t.replaced = append(t.replaced, [2]*summary{&old, &sp.summary})
	}
	for i := range p.logs {
		l := &p.logs[i]
		if _, err := w.st.insertLog.Exec(l.TraceID, unixNanos(l.Received), l.Text); err != nil {
			return fmt.Errorf("store: inserting a log: %w", err)
		}
		ts.get(l.TraceID).logs = true
	}
	for i := range p.files {
		f := &p.files[i]
		if _, err := w.st.insertFile.Exec(f.ID, f.TraceID, f.Path, f.size, f.sha, unixNanos(f.Received), f.Content); err != nil {
			return fmt.Errorf("store: inserting a file: %w", err)
		}
		if f.TraceID != "" {
			if _, err := w.st.linkFile.Exec(f.TraceID, f.Path, f.ID); err != nil {
				return fmt.Errorf("store: linking a file: %w", err)
			}
			ts.get(f.TraceID).files = true
		}
	}
	for _, ref := range p.refs {
		if _, err := w.st.linkFile.Exec(ref.TraceID, ref.Path, ref.FileID); err != nil {
			return fmt.Errorf("store: linking a file: %w", err)
		}
		ts.get(ref.TraceID).files = true
	}
	for i := range p.objects {
		o := &p.objects[i]
		if _, err := w.st.insertObject.Exec(o.ID, unixNanos(o.Received), o.Content); err != nil {
			return fmt.Errorf("store: inserting an object: %w", err)
		}
	}
	for traceID, set := range p.text {
		t := ts.get(traceID)
		t.text = append(t.text, set.parts...)
	}
	return nil
}

// spanArgs is the number of values of an insertSpan.
const spanArgs = 10

func (sp *spanRow) fill(a []any, resource any) {
	a[0], a[1], a[2], a[3], a[4] = sp.traceID, sp.spanID, sp.parentID, sp.name, sp.service
	a[5], a[6], a[7], a[8], a[9] = sp.startNS, sp.endNS, sp.statusCode, resource, sp.data
}

func (w *writer) resourceID(res *resourceRow) (int64, error) {
	if id, ok := w.resourceIDs[res.hash]; ok {
		return id, nil
	}
	var id int64
	err := w.st.insertResource.QueryRow(res.hash[:], res.body).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) { // already there
		err = w.st.selectResource.QueryRow(res.hash[:]).Scan(&id)
	}
	if err != nil {
		return 0, fmt.Errorf("store: storing a resource: %w", err)
	}
	if len(w.resourceIDs) >= maxCachedResources {
		clear(w.resourceIDs)
	}
	w.resourceIDs[res.hash] = id
	return id, nil
}

// updateSession brings t's session row up to date. ok is false for a
// trace without spans (logs or files that came first): it has no session
// yet.
func (w *writer) updateSession(t *touched, now int64, sums *totals) (SessionChange, bool, error) {
	before := &rollup{traceID: t.traceID}
	err := scanRollup(w.st.selectSession.QueryRow(t.traceID), before)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return SessionChange{}, false, fmt.Errorf("store: reading a session: %w", err)
	}
	if !before.exists && !t.spans {
		return SessionChange{}, false, nil
	}
	after := before.clone()
	for _, s := range t.newSpans {
		after.fold(s)
	}
	recompute := false
	for _, r := range t.replaced {
		if !after.replace(r[0], r[1]) {
			recompute = true
			break
		}
	}
	if recompute {
		after.reset()
		if err := w.foldAll(after); err != nil {
			return SessionChange{}, false, err
		}
	}
	if !before.exists || t.logs {
		var n int64
		if err := w.st.hasLogs.QueryRow(t.traceID).Scan(&n); err != nil {
			return SessionChange{}, false, fmt.Errorf("store: counting logs: %w", err)
		}
		after.hasLogs = n > 0
	}
	if !before.exists || t.files {
		if err := w.st.countFiles.QueryRow(t.traceID).Scan(&after.files); err != nil {
			return SessionChange{}, false, fmt.Errorf("store: counting files: %w", err)
		}
	}
	after.updatedNS = now
	after.exists = true
	args := after.args()
	if before.exists && before.startNS == after.startNS && before.service() == after.service() && before.status() == after.status() {
		light := make([]any, 0, len(w.totals)+1)
		for _, i := range w.totals {
			light = append(light, args[i])
		}
		args = append(light, t.traceID)
		_, err = w.st.updateSessionTotals.Exec(args...)
	} else {
		_, err = w.st.upsertSession.Exec(args...)
	}
	if err != nil {
		return SessionChange{}, false, fmt.Errorf("store: writing a session: %w", err)
	}
	sums.add(before, -1)
	sums.add(after, 1)
	if err := w.indexTagsAndModels(t.traceID, before, after, recompute); err != nil {
		return SessionChange{}, false, fmt.Errorf("store: indexing tags and models: %w", err)
	}
	return SessionChange{Session: after.session(), New: !before.exists, Ended: after.ended(before)}, true, nil
}

// indexTagsAndModels keeps session_tags and session_models in step with
// the roll-up, start included.
func (w *writer) indexTagsAndModels(traceID string, before, after *rollup, recomputed bool) error {
	moved := before.exists && before.startNS != after.startNS
	if !before.exists || !slices.Equal(before.tags(), after.tags()) {
		if _, err := w.st.deleteTags.Exec(traceID); err != nil {
			return err
		}
		for _, tag := range after.tags() {
			if _, err := w.st.insertTag.Exec(traceID, tag, after.startNS); err != nil {
				return err
			}
		}
	} else if moved {
		if _, err := w.st.moveTags.Exec(after.startNS, traceID); err != nil {
			return err
		}
	}
	if !slices.Equal(before.models, after.models) {
		if recomputed {
			if _, err := w.st.deleteModels.Exec(traceID); err != nil {
				return err
			}
		}
		for _, m := range after.models {
			if _, found := slices.BinarySearch(before.models, m); found && !recomputed {
				continue
			}
			if _, err := w.st.insertModel.Exec(traceID, m, after.startNS); err != nil {
				return err
			}
		}
	}
	if moved {
		if _, err := w.st.moveModels.Exec(after.startNS, traceID); err != nil {
			return err
		}
	}
	return nil
}

// foldAll folds every span of r's trace into r.
func (w *writer) foldAll(r *rollup) error {
	rows, err := w.st.traceSummaries.Query(r.traceID)
	if err != nil {
		return fmt.Errorf("store: reading spans: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s summary
		if err := scanSummary(rows, &s); err != nil {
			return err
		}
		r.fold(&s)
	}
	return rows.Err()
}

// scanSummary reads a span's roll-up inputs from its row: the columns,
// and the derived fields from its document (only a replaced span makes the
// writer read them back).
func scanSummary(sc scanner, s *summary) error {
	var data []byte
	if err := sc.Scan(&s.spanID, &s.parentID, &s.name, &s.service, &s.startNS, &s.endNS,
		&s.statusCode, &data); err != nil {
		return fmt.Errorf("store: reading spans: %w", err)
	}
	var sp model.Span
	if err := decodeSpanData(data, &sp, nil); err != nil {
		return fmt.Errorf("store: span %s: %w", s.spanID, err)
	}
	s.setDerived(&sp.Derived)
	return nil
}

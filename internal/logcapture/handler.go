package logcapture

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Handler is an slog.Handler that passes every record on to the handler it
// wraps, unchanged, and also captures it as a line for the session the
// record's context belongs to. While no session is open the capture side
// costs one atomic load and a second call to next.Enabled per record.
//
// A Handler is safe for concurrent use, as slog requires.
type Handler struct {
	next    slog.Handler
	reg     *Registry
	traceOf func(context.Context) (ID, bool)
	min     slog.Level

	attrs  []byte // " k=v" of every WithAttrs so far, formatted once
	prefix string // the open groups as "a.b."
}

var _ slog.Handler = (*Handler)(nil)

// NewHandler returns a Handler that passes records to next (nil means
// slog.DiscardHandler) and captures records at or above min while reg has
// an open session. traceOf tells which session a record's context belongs
// to; when it reports false (or is nil) the line goes to every open
// session. The Handler is safe for concurrent use.
func NewHandler(next slog.Handler, reg *Registry, traceOf func(context.Context) (ID, bool), min slog.Level) *Handler {
	if next == nil {
		next = slog.DiscardHandler
	}
	return &Handler{next: next, reg: reg, traceOf: traceOf, min: min}
}

// Enabled reports whether next wants records at l, or capture does: a
// session is open and l is at least the capture minimum. Safe for
// concurrent use.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l) || (l >= h.min && h.reg.Active())
}

// Handle passes r to next if next is enabled for its level, returning
// next's error, then captures r if a session is open. Capture never fails
// the call. Safe for concurrent use.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	var err error
	// Enabled said yes for either side; next must only see what it wants.
	if h.next.Enabled(ctx, r.Level) {
		err = h.next.Handle(ctx, r)
	}
	if r.Level >= h.min && h.reg.Active() {
		h.capture(ctx, r)
	}
	return err
}

func (h *Handler) capture(ctx context.Context, r slog.Record) {
	var id ID
	if h.traceOf != nil {
		if tid, ok := h.traceOf(ctx); ok {
			id = tid
		}
	}
	t := r.Time
	if t.IsZero() {
		t = time.Now()
	}

	bp := linePool.Get().(*[]byte)
	buf := AppendPrefix((*bp)[:0], t, LevelName(r.Level))
	buf = append(buf, r.Message...)
	buf = append(buf, h.attrs...)
	r.Attrs(func(a slog.Attr) bool {
		buf, _ = appendAttr(buf, h.prefix, a)
		return true
	})
	// Cut before copying, so one huge record costs no huge string; the
	// session's Buffer cuts again if its own limit is lower.
	buf = truncateBytes(buf, 0, defaultMaxLineBytes)
	line := string(buf)

	if cap(buf) <= maxPooledLine {
		*bp = buf
		linePool.Put(bp)
	}
	h.reg.Deliver(id, line)
}

const (
	defaultMaxLineBytes = 16 << 10 // DefaultLimits().MaxLineBytes
	maxPooledLine       = 64 << 10 // bigger scratch buffers are left to the GC
)

var linePool = sync.Pool{New: func() any {
	b := make([]byte, 0, 1024)
	return &b
}}

// WithAttrs returns a Handler whose next is next.WithAttrs(attrs) and whose
// captured lines carry attrs, formatted once here. Safe for concurrent use.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	h2 := *h
	h2.next = h.next.WithAttrs(attrs)
	pre := make([]byte, len(h.attrs), len(h.attrs)+32*len(attrs))
	copy(pre, h.attrs)
	for _, a := range attrs {
		pre, _ = appendAttr(pre, h.prefix, a)
	}
	h2.attrs = pre
	return &h2
}

// WithGroup returns a Handler whose next is next.WithGroup(name) and whose
// captured lines put later attributes under name ("name.key=value"). An
// empty name returns h, as slog requires. Safe for concurrent use.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := *h
	h2.next = h.next.WithGroup(name)
	h2.prefix = h.prefix + name + "."
	return &h2
}

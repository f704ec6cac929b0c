package logcapture

import (
	"io"
	"sync"
)

// NewWriter returns an io.Writer for the standard log package
// (log.SetOutput) or anything else that writes whole lines: every byte goes
// to next unchanged (when next is not nil), and every complete line is
// broadcast to the sessions open when it completes, prefixed with level
// ("INFO", "WARNING", ...). A partial line is kept until its newline, up to
// DefaultLimits().MaxLineBytes; the rest of an over-long line is counted
// and shown as cut. The Writer is safe for concurrent use.
//
// Write returns what next.Write returned; capture never fails a write.
func NewWriter(next io.Writer, reg *Registry, level string) io.Writer {
	return &writer{next: next, lines: newLineBroadcaster(reg, level)}
}

type writer struct {
	next io.Writer

	mu    sync.Mutex // serialises lines; the log package has its own lock, others may not
	lines *lineBroadcaster
}

func (w *writer) Write(p []byte) (int, error) {
	n, err := len(p), error(nil)
	if w.next != nil {
		n, err = w.next.Write(p)
	}
	w.mu.Lock()
	w.lines.write(p)
	w.mu.Unlock()
	return n, err
}

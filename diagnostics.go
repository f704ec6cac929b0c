package agentops

import (
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"
	"unicode"
)

// reportWindow is how long a failure of one kind stays quiet after it was
// logged: a backend that is down for an hour costs sixty lines, not one per
// batch.
const reportWindow = time.Minute

// diagnostics routes background failures (export, auth, upload) to the
// user's error handler when one is set, otherwise to the logger, each kind
// of failure at most once per reportWindow with a count of the repeats it
// held back. It is safe for concurrent use.
type diagnostics struct {
	logger  *slog.Logger
	handler func(error)
	now     func() time.Time

	mu   sync.Mutex
	seen map[string]*seenFailure
}

type seenFailure struct {
	logged     time.Time
	suppressed int
}

// maxSeen bounds the memory of failure kinds; past it the memory restarts.
const maxSeen = 128

func newDiagnostics(c config) *diagnostics {
	logger := c.logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: c.logLevel}))
	}
	return &diagnostics{logger: logger, handler: c.errorHandler, now: time.Now, seen: map[string]*seenFailure{}}
}

// report hands err on. Safe to call from any goroutine.
func (d *diagnostics) report(err error) {
	if err == nil {
		return
	}
	if d.handler != nil {
		d.handler(err)
		return
	}
	msg := err.Error()
	key := failureKind(msg)
	now := d.now()

	d.mu.Lock()
	f := d.seen[key]
	if f != nil && now.Sub(f.logged) < reportWindow {
		f.suppressed++
		d.mu.Unlock()
		return
	}
	repeats := 0
	if f != nil {
		repeats = f.suppressed
	}
	if len(d.seen) >= maxSeen {
		clear(d.seen)
	}
	d.seen[key] = &seenFailure{logged: now}
	d.mu.Unlock()

	if repeats > 0 {
		d.logger.Error(msg, "repeats_since_last_report", repeats)
	} else {
		d.logger.Error(msg)
	}
}

// failureKind is msg with each run of digits folded to one '#', so
// "3 spans" and "512 spans" count as the same failure.
func failureKind(msg string) string {
	var b strings.Builder
	inDigits := false
	for _, r := range msg {
		digit := unicode.IsDigit(r)
		if !digit {
			b.WriteRune(r)
		} else if !inDigits {
			b.WriteByte('#')
		}
		inDigits = digit
	}
	return b.String()
}

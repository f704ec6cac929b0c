package logcapture

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// Buffer is one session's captured lines, oldest first, bounded by Limits:
// past a cap the oldest lines go, because the end of a session (where it
// failed, what it returned) is usually what its reader wants.
//
// A Buffer is safe for concurrent use; lines appended from many goroutines
// keep the order in which Append took the lock.
type Buffer struct {
	limits  Limits
	lineMax int              // MaxLineBytes, but no more than MaxBytes: a line always fits
	now     func() time.Time // the marker's clock; tests replace it

	mu        sync.Mutex
	ring      []string // lines[i] is ring[(head+i)%len(ring)]
	head      int
	n         int
	bytes     int
	dropped   int
	firstDrop time.Time // when dropping started since the last Drain
}

// NewBuffer returns an empty Buffer bounded by l (zero fields take their
// DefaultLimits value). It is safe for concurrent use.
func NewBuffer(l Limits) *Buffer {
	l = l.withDefaults()
	return &Buffer{limits: l, lineMax: min(l.MaxLineBytes, l.MaxBytes), now: time.Now}
}

// Append adds one formatted line, given without its trailing newline. A
// line longer than MaxLineBytes (or MaxBytes, if lower) is cut, at a UTF-8 boundary, and ends with
// " ...[truncated N bytes]" so the cut is visible. Past MaxLines or
// MaxBytes the oldest lines are dropped and counted (see Dropped). Safe for
// concurrent use.
func (b *Buffer) Append(line string) {
	if len(line) > b.lineMax {
		line = truncateString(line, b.lineMax)
	}
	b.mu.Lock()
	b.push(line)
	for b.n > b.limits.MaxLines || b.bytes > b.limits.MaxBytes {
		b.popOldest()
	}
	b.mu.Unlock()
}

// push adds line at the tail, growing the ring by doubling (up to
// MaxLines+1 slots: push comes before the cap is enforced).
func (b *Buffer) push(line string) {
	if b.n == len(b.ring) {
		size := max(2*len(b.ring), 16)
		size = min(size, b.limits.MaxLines+1)
		grown := make([]string, size)
		for i := range b.n {
			grown[i] = b.ring[(b.head+i)%len(b.ring)]
		}
		b.ring, b.head = grown, 0
	}
	b.ring[(b.head+b.n)%len(b.ring)] = line
	b.n++
	b.bytes += len(line)
}

func (b *Buffer) popOldest() {
	line := b.ring[b.head]
	b.ring[b.head] = "" // let the string be collected
	b.head = (b.head + 1) % len(b.ring)
	b.n--
	b.bytes -= len(line)
	if b.dropped == 0 {
		b.firstDrop = b.now()
	}
	b.dropped++
}

// Drain returns every line, oldest first, joined by "\n" (no trailing
// newline), and empties the Buffer. When lines were dropped since the last
// Drain the text starts with one WARNING line in the same format, stamped
// with the time dropping started, saying how many and why. An empty Buffer
// with nothing dropped drains to "". Safe for concurrent use.
func (b *Buffer) Drain() string {
	b.mu.Lock()
	defer b.mu.Unlock()

	var marker []byte
	if b.dropped > 0 {
		marker = AppendPrefix(nil, b.firstDrop, "WARNING")
		marker = append(marker, "agentops: "...)
		marker = strconv.AppendInt(marker, int64(b.dropped), 10)
		marker = append(marker, " earlier log lines were dropped (per-session cap: "...)
		marker = strconv.AppendInt(marker, int64(b.limits.MaxLines), 10)
		marker = append(marker, " lines, "...)
		marker = strconv.AppendInt(marker, int64(b.limits.MaxBytes), 10)
		marker = append(marker, " bytes)"...)
	}

	var sb strings.Builder
	sb.Grow(len(marker) + 1 + b.bytes + b.n)
	sb.Write(marker)
	for i := range b.n {
		if i > 0 || len(marker) > 0 {
			sb.WriteByte('\n')
		}
		j := (b.head + i) % len(b.ring)
		sb.WriteString(b.ring[j])
	}

	// A fresh ring rather than clearing: the drained session is usually
	// over, and a long one should not pin its peak-sized ring.
	b.ring, b.head, b.n, b.bytes = nil, 0, 0, 0
	b.dropped, b.firstDrop = 0, time.Time{}
	return sb.String()
}

// Len returns how many lines the Buffer holds. Safe for concurrent use.
func (b *Buffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.n
}

// Dropped returns how many lines were dropped to stay within the limits
// since the last Drain. Safe for concurrent use.
func (b *Buffer) Dropped() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.dropped
}

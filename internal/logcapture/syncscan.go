package logcapture

import (
	"bytes"
	"strconv"
)

// Sync markers are written into the captured pipe behind the user's
// output; the reader knows everything before one has been passed on when
// it reaches it. The NULs make a collision with real output unlikely, and
// the counter tells one Sync from the next.
const (
	sentinelHead      = "\x00agentops-sync-"
	maxSentinelDigits = 20 // a uint64
)

func appendSentinel(dst []byte, n uint64) []byte {
	dst = append(dst, sentinelHead...)
	dst = strconv.AppendUint(dst, n, 10)
	return append(dst, 0)
}

type sentinelMatch int

const (
	sentinelNone    sentinelMatch = iota // b does not start with a sentinel
	sentinelPartial                      // b could be the start of one; wait for more bytes
	sentinelFound
)

// parseSentinel looks for a sentinel at the start of b.
func parseSentinel(b []byte) (n uint64, size int, m sentinelMatch) {
	k := min(len(b), len(sentinelHead))
	if string(b[:k]) != sentinelHead[:k] {
		return 0, 0, sentinelNone
	}
	if k < len(sentinelHead) {
		return 0, 0, sentinelPartial
	}
	j := len(sentinelHead)
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		if j-len(sentinelHead) >= maxSentinelDigits {
			return 0, 0, sentinelNone
		}
		j++
	}
	if j == len(b) {
		return 0, 0, sentinelPartial
	}
	if j == len(sentinelHead) || b[j] != 0 {
		return 0, 0, sentinelNone
	}
	n, err := strconv.ParseUint(string(b[len(sentinelHead):j]), 10, 64)
	if err != nil {
		return 0, 0, sentinelNone
	}
	return n, j + 1, sentinelFound
}

// syncScanner takes sync sentinels out of a byte stream, however the
// stream is cut into reads, and passes every other byte on in order. A
// tail that may be the start of a sentinel is held back until the next
// read settles it. Not safe for concurrent use: one reader owns it.
type syncScanner struct {
	out  func(p []byte) // the user's bytes
	mark func(n uint64) // sentinel n, after every byte before it went to out
	hold []byte         // held-back tail of the previous chunk
	work []byte         // hold + next chunk, when there is a hold
}

func (s *syncScanner) feed(chunk []byte) {
	data := chunk
	if len(s.hold) > 0 {
		s.work = append(append(s.work[:0], s.hold...), chunk...)
		s.hold = s.hold[:0]
		data = s.work
	}
	start, i := 0, 0
	for {
		j := bytes.IndexByte(data[i:], 0)
		if j < 0 {
			break
		}
		i += j
		n, size, m := parseSentinel(data[i:])
		switch m {
		case sentinelFound:
			s.emit(data[start:i])
			s.mark(n)
			i += size
			start = i
		case sentinelPartial:
			s.emit(data[start:i])
			s.hold = append(s.hold, data[i:]...)
			return
		default:
			i++
		}
	}
	s.emit(data[start:])
}

// finish passes on a held-back tail: the stream ended, so it was output.
func (s *syncScanner) finish() {
	s.emit(s.hold)
	s.hold = s.hold[:0]
}

func (s *syncScanner) emit(p []byte) {
	if len(p) > 0 {
		s.out(p)
	}
}

package logcapture

import (
	"bytes"
	"time"
)

// lineSplitter turns a byte stream into lines. An unfinished line is kept
// until its newline, but only its first max bytes: the rest is counted, so
// a writer that never ends its line costs bounded memory and still yields
// one visibly cut line. Not safe for concurrent use; its owner serialises.
type lineSplitter struct {
	max     int
	partial []byte // the kept head of the unfinished line
	cut     int    // bytes of the unfinished line not kept
}

// write calls emit for every line p completes, without its "\n" (or
// "\r\n"). The line passed to emit is only valid during the call; cut is
// how many of its bytes were not kept.
func (s *lineSplitter) write(p []byte, emit func(line []byte, cut int)) {
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			s.keep(p)
			return
		}
		if len(s.partial) == 0 && s.cut == 0 {
			emit(trimCR(p[:i]), 0) // the common case: no copy
		} else {
			s.keep(p[:i])
			emit(trimCR(s.partial), s.cut)
			s.partial, s.cut = s.partial[:0], 0
		}
		p = p[i+1:]
	}
}

func (s *lineSplitter) keep(p []byte) {
	room := max(s.max-len(s.partial), 0)
	if len(p) > room {
		s.cut += len(p) - room
		p = p[:room]
	}
	s.partial = append(s.partial, p...)
}

// flush emits the unfinished line, if any, as if it had ended.
func (s *lineSplitter) flush(emit func(line []byte, cut int)) {
	if len(s.partial) == 0 && s.cut == 0 {
		return
	}
	emit(trimCR(s.partial), s.cut)
	s.partial, s.cut = s.partial[:0], 0
}

func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}

// lineBroadcaster formats the lines of a byte stream (log output, stdout)
// and broadcasts them: such lines carry no context, so they go to every
// session open when they end. Not safe for concurrent use.
type lineBroadcaster struct {
	reg     *Registry
	level   string
	split   lineSplitter
	scratch []byte
	emitFn  func([]byte, int) // b.emit, bound once instead of per write
}

func newLineBroadcaster(reg *Registry, level string) *lineBroadcaster {
	b := &lineBroadcaster{
		reg:   reg,
		level: level,
		split: lineSplitter{max: defaultMaxLineBytes},
	}
	b.emitFn = b.emit
	return b
}

func (b *lineBroadcaster) write(p []byte) { b.split.write(p, b.emitFn) }
func (b *lineBroadcaster) flush()         { b.split.flush(b.emitFn) }

func (b *lineBroadcaster) emit(line []byte, cut int) {
	if !b.reg.Active() {
		return
	}
	buf := AppendPrefix(b.scratch[:0], time.Now(), b.level)
	buf = append(buf, line...)
	buf = truncateBytes(buf, cut, defaultMaxLineBytes)
	b.reg.Broadcast(string(buf))
	if cap(buf) <= maxPooledLine {
		b.scratch = buf
	}
}

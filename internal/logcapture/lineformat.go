package logcapture

import (
	"log/slog"
	"strconv"
	"time"
	"unicode/utf8"
)

// AppendPrefix appends the head of a captured line to dst and returns the
// extended slice: t in UTC as "2026-11-21 10:15:21,462", then
// " - LEVEL - ". This is the format the AgentOps log viewer parses (Python
// logging's default, comma before the milliseconds); lines that do not
// start with it are shown as continuations of the line before. It is safe
// for concurrent use.
func AppendPrefix(dst []byte, t time.Time, level string) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	if year < 0 || year > 9999 {
		dst = strconv.AppendInt(dst, int64(year), 10)
	} else {
		dst = append2(dst, year/100)
		dst = append2(dst, year%100)
	}
	ms := t.Nanosecond() / int(time.Millisecond)
	dst = append(dst, '-')
	dst = append2(dst, int(month))
	dst = append(dst, '-')
	dst = append2(dst, day)
	dst = append(dst, ' ')
	dst = append2(dst, hour)
	dst = append(dst, ':')
	dst = append2(dst, minute)
	dst = append(dst, ':')
	dst = append2(dst, sec)
	dst = append(dst, ',', byte('0'+ms/100))
	dst = append2(dst, ms%100)
	dst = append(dst, " - "...)
	dst = append(dst, level...)
	return append(dst, " - "...)
}

const twoDigits = "00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"

// append2 appends v (0..99) as two digits.
func append2(dst []byte, v int) []byte {
	return append(dst, twoDigits[2*v], twoDigits[2*v+1])
}

// LevelName maps an slog level to the Python logging level name the
// AgentOps viewer knows: below INFO "DEBUG", below WARN "INFO", below ERROR
// "WARNING", below ERROR+4 "ERROR", and "CRITICAL" above. It is safe for
// concurrent use.
func LevelName(l slog.Level) string {
	switch {
	case l < slog.LevelInfo:
		return "DEBUG"
	case l < slog.LevelWarn:
		return "INFO"
	case l < slog.LevelError:
		return "WARNING"
	case l < slog.LevelError+4:
		return "ERROR"
	default:
		return "CRITICAL"
	}
}

const (
	truncOpen  = " ...[truncated "
	truncClose = " bytes]"
)

// cutPoint returns how many bytes of s to keep so that s cut there, plus a
// marker for the bytes cut (cut more are already gone), fits in limit. It
// backs off to a UTF-8 boundary. ok is false when limit is too small to
// hold the marker; the caller then cuts hard at limit.
func cutPoint[S ~string | ~[]byte](s S, extra, limit int) (keep int, ok bool) {
	total := len(s) + extra
	room := len(truncOpen) + len(strconv.Itoa(total)) + len(truncClose)
	keep = limit - room
	if keep < 0 {
		return limit, false
	}
	keep = min(keep, len(s))
	for keep > 0 && keep < len(s) && !utf8.RuneStart(s[keep]) {
		keep--
	}
	return keep, true
}

// truncateString cuts a line longer than limit and marks the cut.
func truncateString(s string, limit int) string {
	keep, ok := cutPoint(s, 0, limit)
	if !ok {
		return s[:keep]
	}
	b := make([]byte, 0, limit)
	b = append(b, s[:keep]...)
	return string(appendTruncMarker(b, len(s)-keep))
}

// truncateBytes cuts line (of which extra more bytes were already dropped)
// to fit limit, marking the cut, in place.
func truncateBytes(line []byte, extra, limit int) []byte {
	if len(line) <= limit && extra == 0 {
		return line
	}
	keep, ok := cutPoint(line, extra, limit)
	if !ok {
		return line[:min(keep, len(line))]
	}
	return appendTruncMarker(line[:keep], len(line)+extra-keep)
}

func appendTruncMarker(dst []byte, n int) []byte {
	dst = append(dst, truncOpen...)
	dst = strconv.AppendInt(dst, int64(n), 10)
	return append(dst, truncClose...)
}

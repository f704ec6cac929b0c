package logcapture

// Limits bound what one session's Buffer holds, so that a chatty agent costs
// a known amount of memory and upload size however long it runs.
//
// A zero or negative field takes its value from DefaultLimits. Limits is a
// plain value: safe to copy and to read from many goroutines.
type Limits struct {
	MaxLines     int // per session; oldest lines are dropped past it
	MaxBytes     int // per session, sum of line lengths; oldest dropped past it
	MaxLineBytes int // one line; longer lines are cut with a visible marker
}

// DefaultLimits returns the limits the SDK uses unless told otherwise:
// 10000 lines, 4 MiB and 16 KiB per line. It is safe for concurrent use.
func DefaultLimits() Limits {
	return Limits{
		MaxLines:     10000,
		MaxBytes:     4 << 20,
		MaxLineBytes: 16 << 10,
	}
}

// withDefaults fills the fields the caller left unset.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxLines <= 0 {
		l.MaxLines = d.MaxLines
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxLineBytes <= 0 {
		l.MaxLineBytes = d.MaxLineBytes
	}
	return l
}

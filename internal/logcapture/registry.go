package logcapture

import (
	"sync"
	"sync/atomic"
)

// ID is a session's trace ID, the key of all per-session state.
type ID = [16]byte

// Registry holds the Buffers of the sessions open right now, keyed by trace
// ID, and routes captured lines to them. Many sessions may be open at once.
//
// A Registry is safe for concurrent use. Its read side (Active, Deliver,
// Broadcast) takes no lock, since it runs inside the user's logging calls.
type Registry struct {
	open    atomic.Int64 // number of entries in buffers
	buffers sync.Map     // ID -> *Buffer
}

// NewRegistry returns a Registry with no open session. It is safe for
// concurrent use.
func NewRegistry() *Registry { return &Registry{} }

// Open starts delivering id's lines (and lines without a session) to b.
// Opening an id that is already open replaces its Buffer. A nil b is
// ignored. Safe for concurrent use.
func (r *Registry) Open(id ID, b *Buffer) {
	if b == nil {
		return
	}
	if _, replaced := r.buffers.Swap(id, b); !replaced {
		r.open.Add(1)
	}
}

// Close stops delivering to id's Buffer and returns it, or nil if id is not
// open. A line being delivered concurrently may still land in the returned
// Buffer; drain it after Close, not before. Safe for concurrent use.
func (r *Registry) Close(id ID) *Buffer {
	v, ok := r.buffers.LoadAndDelete(id)
	if !ok {
		return nil
	}
	r.open.Add(-1)
	return v.(*Buffer)
}

// Active reports whether any session is open. It is one atomic load, so
// capture paths can call it before doing any work. Safe for concurrent use.
func (r *Registry) Active() bool { return r.open.Load() > 0 }

// Deliver appends line to id's Buffer if id is open. Otherwise (id unknown
// or zero) line goes to every open Buffer: lines logged without a session
// go to every session open at that moment. Safe for concurrent use.
func (r *Registry) Deliver(id ID, line string) {
	if id != (ID{}) {
		if v, ok := r.buffers.Load(id); ok {
			v.(*Buffer).Append(line)
			return
		}
	}
	r.Broadcast(line)
}

// Broadcast appends line to every open Buffer. The buffers share the one
// string; nothing is copied per session. Safe for concurrent use.
func (r *Registry) Broadcast(line string) {
	if !r.Active() {
		return
	}
	r.buffers.Range(func(_, v any) bool {
		v.(*Buffer).Append(line)
		return true
	})
}

package api

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync"

	"github.com/agentops-go/agentops/server/model"
)

// Event types the store publishes.
const (
	EventSessionNew     = "session.new"
	EventSessionUpdated = "session.updated"
	EventSessionEnded   = "session.ended"
	// EventReset tells a resuming client that events it missed are gone
	// from the history: it should reload, then apply what follows.
	EventReset = "reset"
)

// Event is one published event. ID grows by one per event, from 1, for
// the Hub's lifetime.
type Event struct {
	ID   uint64 `json:"id"`
	Type string `json:"type"`
	Data any    `json:"data"`
}

// defaultBuffer is how many events a stream may fall behind before it is
// disconnected.
const defaultBuffer = 256

// Hub fans events out to the event streams. Publish, Close and the streams
// are safe for concurrent use.
type Hub struct {
	mu      sync.Mutex
	last    uint64
	history []frame // ring of the last cap(history) events
	head    int     // index of the oldest when the ring is full
	subs    map[*subscriber]struct{}
	closed  bool
	buffer  int
}

// frame is an event ready for the wire. Its Data is the encoded
// json.RawMessage, so the publisher's value is neither kept nor shared.
type frame struct {
	Event
	sse []byte // "id: …\nevent: …\ndata: …\n\n"
}

type subscriber struct {
	// ch is closed by the Hub when the subscriber is dropped (too slow),
	// unsubscribes, or the Hub closes.
	ch chan frame
}

// NewHub returns a Hub keeping the last history events for clients that
// resume with Last-Event-ID.
func NewHub(history int) *Hub {
	return &Hub{
		history: make([]frame, 0, max(history, 0)),
		subs:    map[*subscriber]struct{}{},
		buffer:  defaultBuffer,
	}
}

// PublishSession publishes a session event (session.new, .updated or
// .ended) with the session in the shape the REST API gives it.
func (h *Hub) PublishSession(typ string, s model.Session) {
	fillSession(&s)
	h.Publish(typ, s)
}

// Publish sends an event to every stream. It never blocks: data is
// encoded here, once (so the caller may reuse it afterwards), and a stream
// whose buffer is full is dropped. After Close it does nothing.
func (h *Hub) Publish(typ string, data any) {
	payload, err := json.Marshal(data)
	if err != nil {
		payload, _ = json.Marshal(map[string]string{"error": "event data not encodable: " + err.Error()})
	}
	// The type goes on a line of its own: keep it to one.
	typ = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, typ)

	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.last++
	f := frame{Event{ID: h.last, Type: typ, Data: json.RawMessage(payload)}, encodeFrame(h.last, typ, payload)}
	switch {
	case cap(h.history) == 0:
	case len(h.history) < cap(h.history):
		h.history = append(h.history, f)
	default:
		h.history[h.head] = f
		h.head = (h.head + 1) % len(h.history)
	}
	for s := range h.subs {
		select {
		case s.ch <- f:
		default:
			delete(h.subs, s)
			close(s.ch)
		}
	}
}

func encodeFrame(id uint64, typ string, data []byte) []byte {
	b := make([]byte, 0, len(data)+len(typ)+32)
	if id > 0 {
		b = append(b, "id: "...)
		b = strconv.AppendUint(b, id, 10)
		b = append(b, '\n')
	}
	b = append(b, "event: "...)
	b = append(b, typ...)
	b = append(b, "\ndata: "...)
	b = append(b, data...) // JSON: no raw newlines
	return append(b, "\n\n"...)
}

// Close ends every stream and refuses new ones. It is idempotent.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	for s := range h.subs {
		delete(h.subs, s)
		close(s.ch)
	}
}

// subscribe registers a stream. With resume, the backlog is the kept
// events after lastID; when some of those are gone (or lastID is from
// before a restart), it is everything kept and reset is true. Taking the
// backlog and registering happen under one lock, so a stream neither
// misses nor repeats an event. A nil subscriber means the Hub is closed.
func (h *Hub) subscribe(lastID uint64, resume bool) (s *subscriber, backlog []frame, reset bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, nil, false
	}
	s = &subscriber{ch: make(chan frame, h.buffer)}
	h.subs[s] = struct{}{}
	if !resume || lastID == h.last {
		return s, nil, false
	}
	kept := h.kept()
	oldest := h.last + 1 - uint64(len(kept))
	if lastID > h.last || lastID+1 < oldest {
		return s, kept, true
	}
	return s, kept[lastID+1-oldest:], false
}

// kept returns the history, oldest first, as a new slice.
func (h *Hub) kept() []frame {
	out := make([]frame, 0, len(h.history))
	out = append(out, h.history[h.head:]...)
	return append(out, h.history[:h.head]...)
}

func (h *Hub) unsubscribe(s *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[s]; ok {
		delete(h.subs, s)
		close(s.ch)
	}
}

// streams is the number of connected streams.
func (h *Hub) streams() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"
)

// retryMS is the reconnection delay the stream asks EventSource for.
const retryMS = 2000

// maxBatch is how many queued events one write may carry.
const maxBatch = 64

// streamEvents serves GET /api/events: Server-Sent Events, one per
// published event (id, event type, JSON data), a comment every heartbeat,
// and on Last-Event-ID (header, or ?last_event_id= for clients that cannot
// set headers) the events missed since. The stream ends when the client
// goes, when it falls a buffer behind, when a write stalls past the write
// timeout, or when the Hub closes.
func (a *API) streamEvents(w http.ResponseWriter, r *http.Request) {
	if a.hub == nil {
		writeError(w, http.StatusServiceUnavailable, "this server has no event stream")
		return
	}
	lastID, resume, err := lastEventID(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	sub, backlog, reset := a.hub.subscribe(lastID, resume)
	if sub == nil {
		writeError(w, http.StatusServiceUnavailable, "the server is shutting down")
		return
	}
	defer a.hub.unsubscribe(sub)

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}

	s := &sseWriter{w: w, rc: http.NewResponseController(w), timeout: a.writeTimeout}
	defer s.rc.SetWriteDeadline(time.Time{}) // the connection may serve another request
	s.buf.WriteString("retry: " + strconv.Itoa(retryMS) + "\n\n")
	if reset {
		oldest := uint64(0)
		if len(backlog) > 0 {
			oldest = backlog[0].ID
		}
		data, _ := json.Marshal(map[string]uint64{"last_event_id": lastID, "oldest_id": oldest})
		s.buf.Write(encodeFrame(0, EventReset, data))
	}
	for _, f := range backlog {
		s.buf.Write(f.sse)
	}
	if s.flush() != nil {
		return
	}

	tick := time.NewTicker(a.heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case f, ok := <-sub.ch:
			if !ok {
				return // dropped, or the Hub closed
			}
			s.buf.Write(f.sse)
		batch:
			for range maxBatch - 1 {
				select {
				case f, ok := <-sub.ch:
					if !ok {
						break batch
					}
					s.buf.Write(f.sse)
				default:
					break batch
				}
			}
		case <-tick.C:
			s.buf.WriteString(": ping\n\n")
		}
		if s.flush() != nil {
			return
		}
	}
}

// sseWriter writes what is buffered in one write, under a deadline, and
// flushes it to the client.
type sseWriter struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
	buf     bytes.Buffer
}

func (s *sseWriter) flush() error {
	if err := s.rc.SetWriteDeadline(time.Now().Add(s.timeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	_, err := s.w.Write(s.buf.Bytes())
	s.buf.Reset()
	if err != nil {
		return err
	}
	return s.rc.Flush()
}

// lastEventID reads where a reconnecting client left off.
func lastEventID(r *http.Request) (id uint64, resume bool, err error) {
	v := r.Header.Get("Last-Event-ID")
	if v == "" {
		v = r.URL.Query().Get("last_event_id")
	}
	if v == "" {
		return 0, false, nil
	}
	id, err = strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, false, errors.New("bad Last-Event-ID: " + strconv.Quote(v) + " is not an event id")
	}
	return id, true, nil
}

package api

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sseFrame is one parsed block of an event stream.
type sseFrame struct {
	id, event, data, retry string
	comments               []string
}

// sseReader parses an event stream as a client would.
type sseReader struct{ r *bufio.Reader }

// next returns the next block, comments and retry-only ones included.
func (s *sseReader) next() (sseFrame, error) {
	var f sseFrame
	seen := false
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			return f, err
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			if seen {
				return f, nil
			}
			continue
		}
		seen = true
		if c, ok := strings.CutPrefix(line, ":"); ok {
			f.comments = append(f.comments, strings.TrimSpace(c))
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			f.id = value
		case "event":
			f.event = value
		case "data":
			if f.data != "" {
				f.data += "\n"
			}
			f.data += value
		case "retry":
			f.retry = value
		}
	}
}

// nextEvent skips comments and retry blocks.
func (s *sseReader) nextEvent() (sseFrame, error) {
	for {
		f, err := s.next()
		if err != nil || f.event != "" || f.data != "" {
			return f, err
		}
	}
}

type sseServer struct {
	hub *Hub
	srv *httptest.Server
}

func newSSEServer(t *testing.T, history int, cfg Config) *sseServer {
	t.Helper()
	hub := NewHub(history)
	cfg.Reader, cfg.Hub = newFakeReader(), hub
	mux := http.NewServeMux()
	New(cfg).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close) // runs last: it waits for the streams
	t.Cleanup(hub.Close)
	return &sseServer{hub: hub, srv: srv}
}

// open connects a client; the stream is closed when the test ends.
func (s *sseServer) open(t *testing.T, target string, header http.Header) (*http.Response, *sseReader, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	req, err := http.NewRequestWithContext(ctx, "GET", s.srv.URL+target, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := s.srv.Client().Do(req)
	require.NoError(t, err)
	t.Cleanup(func() {
		cancel()
		_ = resp.Body.Close()
	})
	return resp, &sseReader{r: bufio.NewReader(resp.Body)}, cancel
}

func (s *sseServer) waitStreams(t *testing.T, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return s.hub.streams() == n }, 5*time.Second, time.Millisecond)
}

func TestSSEStreamsPublishedEvents(t *testing.T) {
	s := newSSEServer(t, 16, Config{})
	resp, rd, _ := s.open(t, "/api/events", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	assert.Equal(t, "no-cache", resp.Header.Get("Cache-Control"))
	assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
	first, err := rd.next()
	require.NoError(t, err)
	assert.Equal(t, "2000", first.retry)

	s.waitStreams(t, 1)
	s.hub.Publish(EventSessionNew, map[string]string{"trace_id": traceA})
	s.hub.Publish(EventSessionUpdated, map[string]any{"trace_id": traceA, "spans": 3})
	s.hub.Publish(EventSessionEnded, map[string]string{"trace_id": traceA, "status": "success"})

	want := []struct{ id, event, data string }{
		{"1", EventSessionNew, `{"trace_id":"` + traceA + `"}`},
		{"2", EventSessionUpdated, `{"spans":3,"trace_id":"` + traceA + `"}`},
		{"3", EventSessionEnded, `{"status":"success","trace_id":"` + traceA + `"}`},
	}
	for _, w := range want {
		f, err := rd.nextEvent()
		require.NoError(t, err)
		assert.Equal(t, w.id, f.id)
		assert.Equal(t, w.event, f.event)
		assert.JSONEq(t, w.data, f.data)
	}
}

func TestSSEHeartbeat(t *testing.T) {
	s := newSSEServer(t, 16, Config{HeartbeatEvery: 20 * time.Millisecond})
	_, rd, _ := s.open(t, "/api/events", nil)
	pings := 0
	for pings < 3 {
		f, err := rd.next()
		require.NoError(t, err)
		if len(f.comments) > 0 {
			assert.Equal(t, []string{"ping"}, f.comments)
			assert.Empty(t, f.event, "a heartbeat is a comment, not an event")
			pings++
		}
	}
}

func TestSSEResume(t *testing.T) {
	s := newSSEServer(t, 16, Config{})
	for range 5 {
		s.hub.Publish(EventSessionUpdated, nil)
	}
	readIDs := func(rd *sseReader, n int) []string {
		var out []string
		for range n {
			f, err := rd.nextEvent()
			require.NoError(t, err)
			out = append(out, f.id)
		}
		return out
	}
	_, byHeader, _ := s.open(t, "/api/events", http.Header{"Last-Event-Id": {"2"}})
	assert.Equal(t, []string{"3", "4", "5"}, readIDs(byHeader, 3))
	_, byQuery, _ := s.open(t, "/api/events?last_event_id=4", nil)
	assert.Equal(t, []string{"5"}, readIDs(byQuery, 1))

	s.waitStreams(t, 2)
	s.hub.Publish(EventSessionEnded, nil)
	assert.Equal(t, []string{"6"}, readIDs(byHeader, 1), "then live, with no gap and no repeat")
	assert.Equal(t, []string{"6"}, readIDs(byQuery, 1))
}

func TestSSEResumeTooOldSendsReset(t *testing.T) {
	s := newSSEServer(t, 3, Config{})
	for range 6 {
		s.hub.Publish(EventSessionUpdated, nil)
	}
	_, rd, _ := s.open(t, "/api/events", http.Header{"Last-Event-Id": {"1"}})
	f, err := rd.nextEvent()
	require.NoError(t, err)
	assert.Equal(t, EventReset, f.event)
	assert.Empty(t, f.id, "the reset carries no id, so the client keeps resuming from real ones")
	assert.JSONEq(t, `{"last_event_id":1,"oldest_id":4}`, f.data)
	for _, id := range []string{"4", "5", "6"} {
		f, err = rd.nextEvent()
		require.NoError(t, err)
		assert.Equal(t, id, f.id)
	}
}

func TestSSEBadLastEventID(t *testing.T) {
	s := newSSEServer(t, 3, Config{})
	resp, _, _ := s.open(t, "/api/events", http.Header{"Last-Event-Id": {"abc"}})
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	var body map[string]string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	assert.Contains(t, body["error"], "Last-Event-ID")
}

// A client that stops reading is cut off; Publish never waits for it.
func TestSSESlowClientDropped(t *testing.T) {
	s := newSSEServer(t, 4, Config{WriteTimeout: 200 * time.Millisecond})
	s.hub.buffer = 4
	resp, rd, _ := s.open(t, "/api/events", nil) // and then read nothing
	require.Equal(t, http.StatusOK, resp.StatusCode)
	s.waitStreams(t, 1)

	const events = 150
	big := strings.Repeat("x", 64<<10) // enough to fill the socket buffers
	done := make(chan time.Duration)
	go func() {
		start := time.Now()
		for range events {
			s.hub.Publish(EventSessionUpdated, big)
		}
		done <- time.Since(start)
	}()
	select {
	case d := <-done:
		t.Logf("%d publishes of 64 KiB took %v", events, d)
	case <-time.After(20 * time.Second): // blocked, it would never return
		t.Fatal("Publish blocked on a client that does not read")
	}
	s.waitStreams(t, 0)

	got := 0
	for {
		f, err := rd.nextEvent()
		if err != nil {
			assert.True(t, errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "reset"), err)
			break
		}
		assert.Equal(t, EventSessionUpdated, f.event)
		got++
	}
	t.Logf("the client got %d events", got)
	assert.Less(t, got, events, "the stream ended before the client could catch up")
}

func TestSSEEndsOnHubCloseAndClientGone(t *testing.T) {
	s := newSSEServer(t, 4, Config{})
	_, stays, _ := s.open(t, "/api/events", nil)
	_, leaves, cancel := s.open(t, "/api/events", nil)
	_, err := leaves.next()
	require.NoError(t, err)
	s.waitStreams(t, 2)

	cancel()
	s.waitStreams(t, 1) // the handler saw the client go

	s.hub.Close()
	for {
		if _, err := stays.next(); err != nil {
			assert.ErrorIs(t, err, io.EOF, "the stream ended cleanly")
			break
		}
	}
	resp, _, _ := s.open(t, "/api/events", nil)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "no new stream once closed")
}

func TestSSEWithoutHub(t *testing.T) {
	mux := http.NewServeMux()
	New(Config{Reader: newFakeReader()}).Register(mux)
	rec := do(t, mux, "GET", "/api/events")
	requireJSON(t, rec, http.StatusServiceUnavailable)
}

func TestSSEHead(t *testing.T) {
	s := newSSEServer(t, 4, Config{})
	req, err := http.NewRequest("HEAD", s.srv.URL+"/api/events", nil)
	require.NoError(t, err)
	resp, err := s.srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	s.waitStreams(t, 0)
}

package api

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/server/model"
)

func ids(frames []frame) []uint64 {
	var out []uint64
	for _, f := range frames {
		out = append(out, f.ID)
	}
	return out
}

func TestHubPublishesToSubscribers(t *testing.T) {
	h := NewHub(8)
	defer h.Close()
	a, _, _ := h.subscribe(0, false)
	b, _, _ := h.subscribe(0, false)

	data := map[string]any{"trace_id": traceA, "n": 1}
	h.Publish(EventSessionNew, data)
	data["n"] = 2 // the publisher may reuse its value at once
	h.Publish("session.\nupdated\r", nil)

	for _, s := range []*subscriber{a, b} {
		f := <-s.ch
		assert.Equal(t, uint64(1), f.ID)
		assert.Equal(t, EventSessionNew, f.Type)
		assert.JSONEq(t, `{"trace_id":"`+traceA+`","n":1}`, string(f.Data.(json.RawMessage)))
		assert.Equal(t, "id: 1\nevent: session.new\ndata: {\"n\":1,\"trace_id\":\""+traceA+"\"}\n\n", string(f.sse))
		f = <-s.ch
		assert.Equal(t, "id: 2\nevent: session.updated\ndata: null\n\n", string(f.sse), "a type cannot break the frame")
	}
}

func TestHubUnencodableData(t *testing.T) {
	h := NewHub(1)
	defer h.Close()
	h.Publish(EventSessionUpdated, make(chan int))
	assert.Contains(t, string(h.kept()[0].sse), `data: {"error":"event data not encodable: json: unsupported type: chan int"}`)
}

func TestHubResume(t *testing.T) {
	h := NewHub(4)
	defer h.Close()
	for range 6 {
		h.Publish(EventSessionUpdated, nil)
	}
	// Kept: 3, 4, 5, 6.
	for _, c := range []struct {
		last    uint64
		resume  bool
		backlog []uint64
		reset   bool
	}{
		{0, false, nil, false},                 // a new client: live events only
		{6, true, nil, false},                  // up to date
		{4, true, []uint64{5, 6}, false},       // missed two
		{2, true, []uint64{3, 4, 5, 6}, false}, // missed 3..6, all kept
		{1, true, []uint64{3, 4, 5, 6}, true},  // 2 is gone
		{0, true, []uint64{3, 4, 5, 6}, true},
		{99, true, []uint64{3, 4, 5, 6}, true}, // an id from before a restart
	} {
		s, backlog, reset := h.subscribe(c.last, c.resume)
		assert.Equal(t, c.backlog, ids(backlog), "last %d", c.last)
		assert.Equal(t, c.reset, reset, "last %d", c.last)
		h.unsubscribe(s)
	}

	none := NewHub(0)
	defer none.Close()
	none.Publish(EventSessionNew, nil)
	_, backlog, reset := none.subscribe(0, true)
	assert.Empty(t, backlog)
	assert.True(t, reset, "without history every gap is a reset")
}

func TestHubDropsSlowSubscriberWithoutBlocking(t *testing.T) {
	h := NewHub(8)
	defer h.Close()
	fast, _, _ := h.subscribe(0, false) // room for all 100
	h.buffer = 4
	slow, _, _ := h.subscribe(0, false)

	var got []uint64
	var wg sync.WaitGroup
	wg.Go(func() {
		for f := range fast.ch {
			got = append(got, f.ID)
			if f.ID == 100 {
				return
			}
		}
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 100 {
			h.Publish(EventSessionUpdated, nil)
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Publish blocked on a subscriber that does not read")
	}
	wg.Wait()

	n := 0
	for range slow.ch { // closed once the buffer was full
		n++
	}
	assert.Equal(t, 4, n, "the slow subscriber got its buffer's worth, then was dropped")
	assert.Len(t, got, 100, "the reading subscriber got everything")
	assert.Equal(t, 1, h.streams())
	h.unsubscribe(slow) // a stream ending after being dropped is harmless
	h.unsubscribe(fast)
	assert.Equal(t, 0, h.streams())
}

func TestHubClose(t *testing.T) {
	h := NewHub(8)
	s, _, _ := h.subscribe(0, false)
	h.Close()
	_, open := <-s.ch
	assert.False(t, open)
	h.Close() // idempotent
	h.Publish(EventSessionNew, nil)
	assert.Empty(t, h.kept(), "nothing published after Close")
	s, _, _ = h.subscribe(0, false)
	assert.Nil(t, s, "no stream after Close")
	h.unsubscribe(nil)
}

func TestHubConcurrentUse(t *testing.T) {
	h := NewHub(32)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 200 {
				h.Publish(EventSessionUpdated, map[string]int{"x": 1})
			}
		})
		wg.Go(func() {
			for range 50 {
				s, backlog, _ := h.subscribe(3, true)
				assert.NotNil(t, s)
				for i := 1; i < len(backlog); i++ {
					assert.Equal(t, backlog[i-1].ID+1, backlog[i].ID)
				}
				h.unsubscribe(s)
			}
		})
	}
	wg.Wait()
	h.Close()
	assert.Equal(t, uint64(800), h.last)
}

// Session events carry the session as the REST API gives it: lists are
// [] rather than null, so a client handles both the same way.
func TestHubSessionEventsHaveNoNullLists(t *testing.T) {
	h := NewHub(8)
	defer h.Close()
	s, _, _ := h.subscribe(0, false)
	h.PublishSession(EventSessionNew, model.Session{TraceID: traceA})
	f := <-s.ch
	var got map[string]any
	require.NoError(t, json.Unmarshal(f.Data.(json.RawMessage), &got))
	assert.Equal(t, []any{}, got["tags"])
	assert.Equal(t, []any{}, got["models"])
}

package api

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/server/model"
)

// fakeReader is an in-memory Reader over hand-made sessions.
type fakeReader struct {
	mu       sync.Mutex
	sessions map[string]model.Session
	spans    map[string][]model.Span
	logs     map[string][]model.LogUpload
	files    map[string][]model.FileInfo
	uploads  map[string]model.FileUpload
	objects  map[string]model.Object
	stats    model.Stats
	ready    error
	err      error // when set, every read fails with it

	query         model.SessionQuery // the last ListSessions query
	deletedBefore time.Time
}

func newFakeReader() *fakeReader {
	return &fakeReader{
		sessions: map[string]model.Session{},
		spans:    map[string][]model.Span{},
		logs:     map[string][]model.LogUpload{},
		files:    map[string][]model.FileInfo{},
		uploads:  map[string]model.FileUpload{},
		objects:  map[string]model.Object{},
	}
}

func (f *fakeReader) add(s model.Session, spans ...model.Span) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sessions[s.TraceID] = s
	f.spans[s.TraceID] = spans
}

func (f *fakeReader) ListSessions(_ context.Context, q model.SessionQuery) (model.SessionPage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.query = q
	if f.err != nil {
		return model.SessionPage{}, f.err
	}
	var page model.SessionPage
	for _, s := range f.sessions {
		if q.Status != "" && s.Status != q.Status {
			continue
		}
		page.Sessions = append(page.Sessions, s)
	}
	slices.SortFunc(page.Sessions, func(a, b model.Session) int { return b.Start.Compare(a.Start) })
	return page, nil
}

func (f *fakeReader) Session(_ context.Context, id string) (model.Session, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return model.Session{}, f.err
	}
	s, ok := f.sessions[id]
	if !ok {
		return s, fmt.Errorf("session %s: %w", id, model.ErrNotFound)
	}
	return s, nil
}

// Spans answers ErrNotFound for a trace without spans, as server/store
// does.
func (f *fakeReader) Spans(_ context.Context, id string) ([]model.Span, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err == nil && len(f.spans[id]) == 0 {
		return nil, fmt.Errorf("spans of %s: %w", id, model.ErrNotFound)
	}
	return f.spans[id], f.err
}

func (f *fakeReader) Logs(_ context.Context, id string) ([]model.LogUpload, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.logs[id], f.err
}

func (f *fakeReader) Files(_ context.Context, id string) ([]model.FileInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.files[id], f.err
}

func (f *fakeReader) File(_ context.Context, id string) (model.FileUpload, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.uploads[id]
	if !ok {
		return u, fmt.Errorf("file %s: %w", id, model.ErrNotFound)
	}
	return u, f.err
}

func (f *fakeReader) Object(_ context.Context, id string) (model.Object, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.objects[id]
	if !ok {
		return o, fmt.Errorf("object %s: %w", id, model.ErrNotFound)
	}
	return o, f.err
}

func (f *fakeReader) DeleteSession(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.sessions[id]; !ok {
		return fmt.Errorf("session %s: %w", id, model.ErrNotFound)
	}
	delete(f.sessions, id)
	delete(f.spans, id)
	return nil
}

func (f *fakeReader) DeleteOlderThan(_ context.Context, t time.Time) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deletedBefore = t
	var n int64
	for id, s := range f.sessions {
		if s.Start.Before(t) {
			delete(f.sessions, id)
			n++
		}
	}
	return n, nil
}

func (f *fakeReader) Stats(context.Context) (model.Stats, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stats, f.err
}

func (f *fakeReader) Ready(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ready
}

// Fixture: one session, traceA, whose spans are made by hand.
const (
	traceA = "0af7651916cd43dd8448eb211c80319c"
	traceB = "00000000000000000000000000000010"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func at(msec int) time.Time { return t0.Add(time.Duration(msec) * time.Millisecond) }

// mk makes a span of traceA from start to end (ms after t0).
func mk(id, parent, name, class string, start, end int, opts ...func(*model.Span)) model.Span {
	s := model.Span{
		TraceID: traceA, SpanID: id, ParentSpanID: parent, Name: name, Kind: "internal",
		Start: at(start), End: at(end), StatusCode: "unset", Service: "svc", Scope: "agentops",
		Attributes: map[string]any{"agentops.span.kind": class},
		Resource:   map[string]any{"service.name": "svc", "host.name": "box"},
		Derived:    model.Derived{Class: class, Label: name},
	}
	for _, o := range opts {
		o(&s)
	}
	return s
}

func llm(name string, in, out int64, cost, ttft float64) func(*model.Span) {
	return func(s *model.Span) {
		s.Derived.Model, s.Derived.Label, s.Derived.Provider = name, name, "openai"
		s.Derived.InputTokens, s.Derived.OutputTokens, s.Derived.Cost, s.Derived.TTFT = in, out, cost, ttft
		s.Attributes["gen_ai.request.model"] = name
		s.Attributes["gen_ai.usage.input_tokens"] = in
	}
}

func tool(input string) func(*model.Span) {
	return func(s *model.Span) { s.Derived.Tool, s.Derived.Input = s.Name, input }
}

func failed(typ, msg string) func(*model.Span) {
	return func(s *model.Span) {
		s.StatusCode, s.StatusMessage = "error", msg
		s.Derived.Error, s.Derived.ErrorType = true, typ
		s.Events = append(s.Events, model.Event{Name: "exception", Time: s.End, Attributes: map[string]any{
			"exception.type": typ, "exception.message": msg,
		}})
	}
}

// fixtureSpans: a session with an agent, two LLM calls, two tools (one
// failing), and an orphan whose parent never arrived. Ordered by start.
func fixtureSpans() []model.Span {
	return []model.Span{
		mk("0000000000000001", "", "my-run", "session", 0, 1000, func(s *model.Span) {
			s.Derived.SessionName, s.Derived.Tags = "my-run", []string{"demo"}
			s.Events = []model.Event{{Name: "checkpoint", Time: at(5), Attributes: map[string]any{"n": int64(1)}}}
		}),
		mk("0000000000000002", "0000000000000001", "planner", "agent", 0, 900),
		mk("0000000000000003", "0000000000000002", "chat", "llm", 10, 310, llm("gpt-4o", 100, 50, 0.01, 0.1)),
		mk("0000000000000004", "0000000000000002", "web_search", "tool", 310, 410, tool(`{"q":"go"}`)),
		mk("0000000000000005", "0000000000000002", "chat", "llm", 410, 710, llm("gpt-4o", 200, 80, 0.02, 0.3), func(s *model.Span) {
			s.Derived.CacheReadTokens, s.Derived.ReasoningTokens = 20, 10
		}),
		mk("0000000000000006", "0000000000000002", "calculator", "tool", 710, 860, tool("1+1"), failed("timeout", "timed out after 150ms")),
		mk("0000000000000007", "00000000000000ff", "late", "tool", 950, 990, tool("x")),
	}
}

func fixtureSession() model.Session {
	return model.Session{
		TraceID: traceA, Name: "my-run", Service: "svc", Status: "error",
		Start: at(0), End: at(1000), DurationMS: 1000, Spans: 7, Errors: 1, LLMCalls: 2, ToolCalls: 3,
		InputTokens: 300, OutputTokens: 130, Cost: 0.03, Models: []string{"gpt-4o"}, HasLogs: true, Files: 1,
	}
}

// newTestAPI serves the fixture from an API with a Hub.
func newTestAPI(t *testing.T) (*fakeReader, *Hub, http.Handler) {
	t.Helper()
	r := newFakeReader()
	r.add(fixtureSession(), fixtureSpans()...)
	hub := NewHub(16)
	t.Cleanup(hub.Close)
	mux := http.NewServeMux()
	New(Config{Reader: r, Hub: hub}).Register(mux)
	return r, hub, mux
}

// do runs one request against h.
func do(t *testing.T, h http.Handler, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func requireJSON(t *testing.T, rec *httptest.ResponseRecorder, status int) {
	t.Helper()
	require.Equal(t, status, rec.Code, rec.Body.String())
	require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	require.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
}

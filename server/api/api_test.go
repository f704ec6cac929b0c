package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/server/auth"
	"github.com/agentops-go/agentops/server/model"
)

func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &v), rec.Body.String())
	return v
}

func errorOf(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	return decode[map[string]string](t, rec)["error"]
}

func TestListSessions(t *testing.T) {
	r, _, h := newTestAPI(t)
	r.add(model.Session{TraceID: traceB, Status: "success", Start: at(-5000)}) // nil tags and models

	rec := do(t, h, "GET", "/api/sessions")
	requireJSON(t, rec, http.StatusOK)
	page := decode[map[string][]map[string]any](t, rec)
	require.Len(t, page["sessions"], 2)
	assert.Equal(t, traceA, page["sessions"][0]["trace_id"], "newest first, as the store orders")
	assert.Equal(t, []any{}, page["sessions"][1]["tags"], "lists are never null")
	assert.Equal(t, []any{}, page["sessions"][1]["models"])

	rec = do(t, h, "GET", "/api/sessions?from=2025-03-01T11:00:00Z&to=1740830400&service=svc&tag=demo&status=Error&model=gpt-4o&q=hello+world&cursor=abc&limit=1000")
	requireJSON(t, rec, http.StatusOK)
	assert.Equal(t, model.SessionQuery{
		From: time.Date(2025, 3, 1, 11, 0, 0, 0, time.UTC), To: time.Unix(1740830400, 0).UTC(),
		Service: "svc", Tag: "demo", Status: "error", Model: "gpt-4o", Search: "hello world", Cursor: "abc", Limit: 500,
	}, r.query)
	assert.Len(t, decode[model.SessionPage](t, rec).Sessions, 1)

	r.sessions = map[string]model.Session{}
	rec = do(t, h, "GET", "/api/sessions")
	assert.JSONEq(t, `{"sessions":[]}`, rec.Body.String(), "an empty page is an empty list")
}

func TestListSessionsBadParams(t *testing.T) {
	_, _, h := newTestAPI(t)
	for query, names := range map[string]string{
		"from=yesterday":                 "from",
		"to=2025-13-01T00:00:00Z":        "to",
		"from=1740830400&to=1740830400":  "from must be before to",
		"status=done":                    "status",
		"limit=0":                        "limit",
		"limit=ten":                      "limit",
		"from=1e300":                     "from",
		"from=2025-03-01T00:00:00Z&to=x": "to",
	} {
		rec := do(t, h, "GET", "/api/sessions?"+query)
		requireJSON(t, rec, http.StatusBadRequest)
		assert.Contains(t, errorOf(t, rec), names, query)
	}
}

func TestGetSession(t *testing.T) {
	r, _, h := newTestAPI(t)
	rec := do(t, h, "GET", "/api/sessions/"+traceA)
	requireJSON(t, rec, http.StatusOK)
	got := decode[model.Session](t, rec)
	assert.Equal(t, fixtureSession().Name, got.Name)
	assert.Equal(t, []string{}, got.Tags)
	assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))

	rec = do(t, h, "GET", "/api/sessions/"+strings.ToUpper(traceA))
	requireJSON(t, rec, http.StatusOK)

	r.add(model.Session{TraceID: traceB, Name: "decimal"})
	rec = do(t, h, "GET", "/api/sessions/16") // 0x10: the Trace-Id header's form
	requireJSON(t, rec, http.StatusOK)
	assert.Equal(t, "decimal", decode[model.Session](t, rec).Name)

	rec = do(t, h, "GET", "/api/sessions/ffffffffffffffffffffffffffffffff")
	requireJSON(t, rec, http.StatusNotFound)
	assert.Contains(t, errorOf(t, rec), "not found")

	for _, bad := range []string{"xyz", "0", "1234567890123456789012345678901234567890", "340282366920938463463374607431768211456"} {
		rec = do(t, h, "GET", "/api/sessions/"+bad)
		requireJSON(t, rec, http.StatusBadRequest)
		assert.Contains(t, errorOf(t, rec), "trace id", bad)
	}
}

func TestSpansRoute(t *testing.T) {
	r, _, h := newTestAPI(t)
	rec := do(t, h, "GET", "/api/sessions/"+traceA+"/spans")
	requireJSON(t, rec, http.StatusOK)
	var roots []map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &roots))
	require.Len(t, roots, 2, "the session root and the orphan")
	assert.Equal(t, "0000000000000001", roots[0]["span_id"])
	assert.Equal(t, "0000000000000007", roots[1]["span_id"])
	assert.Equal(t, []any{}, roots[1]["children"])
	assert.Equal(t, "tool", roots[1]["derived"].(map[string]any)["class"], "span fields sit beside children")
	agent := roots[0]["children"].([]any)[0].(map[string]any)
	assert.Equal(t, "planner", agent["name"])
	var kids []string
	for _, c := range agent["children"].([]any) {
		kids = append(kids, c.(map[string]any)["span_id"].(string))
	}
	assert.Equal(t, []string{"0000000000000003", "0000000000000004", "0000000000000005", "0000000000000006"}, kids)

	// The flat list, ordered by start even if the store's was not.
	r.spans[traceA][0], r.spans[traceA][6] = r.spans[traceA][6], r.spans[traceA][0]
	rec = do(t, h, "GET", "/api/sessions/"+traceA+"/spans?flat=1")
	requireJSON(t, rec, http.StatusOK)
	flat := decode[[]model.Span](t, rec)
	require.Len(t, flat, 7)
	for i := 1; i < len(flat); i++ {
		assert.False(t, flat[i].Start.Before(flat[i-1].Start))
	}
	assert.Equal(t, "0000000000000007", r.spans[traceA][0].SpanID, "the store's slice is not reordered in place")

	rec = do(t, h, "GET", "/api/sessions/"+traceA+"/spans?flat=maybe")
	requireJSON(t, rec, http.StatusBadRequest)
	assert.Contains(t, errorOf(t, rec), "flat")

	rec = do(t, h, "GET", "/api/sessions/"+traceB+"/spans")
	requireJSON(t, rec, http.StatusNotFound)

	r.add(model.Session{TraceID: traceB})
	rec = do(t, h, "GET", "/api/sessions/"+traceB+"/spans")
	requireJSON(t, rec, http.StatusOK)
	assert.Equal(t, "[]\n", rec.Body.String(), "a known session without spans is an empty tree")
}

func TestSpanEventsRoute(t *testing.T) {
	_, _, h := newTestAPI(t)
	rec := do(t, h, "GET", "/api/sessions/"+traceA+"/events")
	requireJSON(t, rec, http.StatusOK)
	all := decode[[]SpanEvent](t, rec)
	require.Len(t, all, 2)
	assert.Equal(t, "checkpoint", all[0].Name, "ordered by time")
	assert.Equal(t, "exception", all[1].Name)

	rec = do(t, h, "GET", "/api/sessions/"+traceA+"/events?type=exception")
	requireJSON(t, rec, http.StatusOK)
	assert.JSONEq(t, `[{"span_id":"0000000000000006","span_name":"calculator","class":"tool","label":"calculator",
		"name":"exception","time":"2025-03-01T12:00:00.86Z",
		"attributes":{"exception.type":"timeout","exception.message":"timed out after 150ms"}}]`, rec.Body.String())

	for query, want := range map[string]int{
		"component=tool":                      1,
		"component=calculator":                1,
		"component=SESSION":                   1,
		"component=llm":                       0,
		"type=checkpoint&component=session":   1,
		"type=exception&component=web_search": 0,
	} {
		rec = do(t, h, "GET", "/api/sessions/"+traceA+"/events?"+query)
		requireJSON(t, rec, http.StatusOK)
		assert.Len(t, decode[[]SpanEvent](t, rec), want, query)
	}
	rec = do(t, h, "GET", "/api/sessions/"+traceA+"/events?component=nothing")
	assert.Equal(t, "[]\n", rec.Body.String())
}

func TestSummaryAndAnalysisRoutes(t *testing.T) {
	_, _, h := newTestAPI(t)
	rec := do(t, h, "GET", "/api/sessions/"+traceA+"/summary")
	requireJSON(t, rec, http.StatusOK)
	var sum map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &sum))
	for _, k := range []string{"trace_id", "duration_ms", "tokens", "cost", "models", "classes", "llm_calls", "tool_calls", "errors", "ttft"} {
		assert.Contains(t, sum, k)
	}
	assert.Equal(t, traceA, sum["trace_id"])

	rec = do(t, h, "GET", "/api/sessions/"+traceA+"/analysis")
	requireJSON(t, rec, http.StatusOK)
	var an map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &an))
	for _, k := range []string{"slowest", "critical_path", "bottlenecks", "errors", "repeated_tool_calls", "loops", "recommendations"} {
		assert.IsType(t, []any{}, an[k], k)
	}

	for _, p := range []string{"summary", "analysis", "events", "export"} {
		rec = do(t, h, "GET", "/api/sessions/"+traceB+"/"+p)
		requireJSON(t, rec, http.StatusNotFound)
	}
}

func TestLogsRoutes(t *testing.T) {
	r, _, h := newTestAPI(t)
	r.logs[traceA] = []model.LogUpload{{TraceID: traceA, Text: "\n2025-03-01 12:00:00,001 - INFO - start\n2025-03-01 12:00:00,900 - ERROR - boom\nTraceback:\n  line 1\n"}}

	rec := do(t, h, "GET", "/api/sessions/"+traceA+"/logs")
	requireJSON(t, rec, http.StatusOK)
	assert.JSONEq(t, `{"text":"\n2025-03-01 12:00:00,001 - INFO - start\n2025-03-01 12:00:00,900 - ERROR - boom\nTraceback:\n  line 1\n",
		"lines":[{"time":"2025-03-01 12:00:00,001","level":"INFO","message":"start"},
		         {"time":"2025-03-01 12:00:00,900","level":"ERROR","message":"boom\nTraceback:\n  line 1"}]}`, rec.Body.String())

	rec = do(t, h, "GET", "/api/logs/"+traceA)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "text/plain; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
	assert.Equal(t, r.logs[traceA][0].Text, rec.Body.String())

	// Logs may arrive before any span: served for an unknown session too,
	// and under the decimal id of the upload's Trace-Id header.
	r.logs[traceB] = []model.LogUpload{{Text: "a\n"}, {Text: "<script>b</script>"}}
	rec = do(t, h, "GET", "/api/logs/16")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "a\n<script>b</script>", rec.Body.String())
	rec = do(t, h, "GET", "/api/sessions/16/logs")
	requireJSON(t, rec, http.StatusOK)
	assert.NotContains(t, rec.Body.String(), "<script>", "JSON escapes markup")
	assert.Len(t, decode[Log](t, rec).Lines, 2)

	rec = do(t, h, "GET", "/api/logs/ffffffffffffffffffffffffffffffff")
	requireJSON(t, rec, http.StatusNotFound)
	rec = do(t, h, "GET", "/api/sessions/ffffffffffffffffffffffffffffffff/logs")
	requireJSON(t, rec, http.StatusNotFound)

	delete(r.logs, traceA)
	rec = do(t, h, "GET", "/api/sessions/"+traceA+"/logs")
	requireJSON(t, rec, http.StatusOK)
	assert.JSONEq(t, `{"text":"","lines":[]}`, rec.Body.String())
}

func TestFilesAndObjectsRoutes(t *testing.T) {
	r, _, h := newTestAPI(t)
	content := "package main\n\nfunc main() { println(\"<b>hi</b>\") }\n"
	id := model.FileID("main.go", content)
	r.files[traceA] = []model.FileInfo{{ID: id, Path: "main.go", Size: int64(len(content)), SHA256: "x", Received: at(0)}}
	r.uploads[id] = model.FileUpload{ID: id, TraceID: traceA, Path: "main.go", Content: content, Received: at(0)}
	oid := model.ObjectID("blob")
	r.objects[oid] = model.Object{ID: oid, Content: "blob", Received: at(0)}

	rec := do(t, h, "GET", "/api/sessions/"+traceA+"/files")
	requireJSON(t, rec, http.StatusOK)
	assert.Equal(t, r.files[traceA], decode[[]model.FileInfo](t, rec))

	r.add(model.Session{TraceID: traceB})
	rec = do(t, h, "GET", "/api/sessions/"+traceB+"/files")
	requireJSON(t, rec, http.StatusOK)
	assert.Equal(t, "[]\n", rec.Body.String())
	rec = do(t, h, "GET", "/api/sessions/ffffffffffffffffffffffffffffffff/files")
	requireJSON(t, rec, http.StatusNotFound)

	rec = do(t, h, "GET", "/api/files/"+id)
	requireJSON(t, rec, http.StatusOK)
	f := decode[map[string]any](t, rec)
	assert.Equal(t, "main.go", f["path"])
	assert.Equal(t, content, f["content"])
	assert.Equal(t, id, f["id"])

	rec = do(t, h, "GET", "/api/files/"+id+"?raw=1")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "text/plain; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
	assert.Contains(t, rec.Header().Get("Content-Security-Policy"), "sandbox")
	assert.Equal(t, content, rec.Body.String())

	rec = do(t, h, "GET", "/api/files/"+id+"?raw=yes-please")
	requireJSON(t, rec, http.StatusBadRequest)
	rec = do(t, h, "GET", "/api/files/nope")
	requireJSON(t, rec, http.StatusNotFound)
	rec = do(t, h, "GET", "/api/files/"+strings.Repeat("a", 200))
	requireJSON(t, rec, http.StatusBadRequest)

	rec = do(t, h, "GET", "/api/objects/"+oid)
	requireJSON(t, rec, http.StatusOK)
	assert.Equal(t, "blob", decode[model.Object](t, rec).Content)
	rec = do(t, h, "GET", "/api/objects/"+oid+"?raw=true")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "blob", rec.Body.String())
	rec = do(t, h, "GET", "/api/objects/nope")
	requireJSON(t, rec, http.StatusNotFound)
}

func TestExportRoute(t *testing.T) {
	_, _, h := newTestAPI(t)
	rec := do(t, h, "GET", "/api/sessions/"+traceA+"/export")
	requireJSON(t, rec, http.StatusOK)
	assert.Equal(t, `attachment; filename="session-`+traceA+`.otlp.json"`, rec.Header().Get("Content-Disposition"))
	assert.Contains(t, rec.Body.String(), `"resourceSpans"`)
}

func TestDeleteRoutes(t *testing.T) {
	r, hub, h := newTestAPI(t)
	sub, _, _ := hub.subscribe(0, false)
	defer hub.unsubscribe(sub)

	rec := do(t, h, "DELETE", "/api/sessions/"+traceA)
	require.Equal(t, http.StatusNoContent, rec.Code)
	assert.Empty(t, rec.Body.String())
	assert.Equal(t, EventSessionDeleted, (<-sub.ch).Type)
	requireJSON(t, do(t, h, "GET", "/api/sessions/"+traceA), http.StatusNotFound)
	requireJSON(t, do(t, h, "DELETE", "/api/sessions/"+traceA), http.StatusNotFound)
	requireJSON(t, do(t, h, "DELETE", "/api/sessions/zzz"), http.StatusBadRequest)

	r.add(model.Session{TraceID: traceA, Start: time.Now().Add(-1000 * time.Hour)})
	r.add(model.Session{TraceID: traceB, Start: time.Now()})
	rec = do(t, h, "DELETE", "/api/sessions?older_than=720h")
	requireJSON(t, rec, http.StatusOK)
	assert.Equal(t, int64(1), decode[deletedBody](t, rec).Deleted)
	assert.WithinDuration(t, time.Now().Add(-720*time.Hour), r.deletedBefore, time.Minute)
	f := <-sub.ch
	assert.Equal(t, EventSessionsDeleted, f.Type)
	assert.JSONEq(t, string(rec.Body.Bytes()), string(f.Data.(json.RawMessage)))

	for q, want := range map[string]time.Time{
		"older_than=30d":                  time.Now().Add(-30 * 24 * time.Hour),
		"older_than=2025-01-01T00:00:00Z": time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		"older_than=1735689600":           time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		rec = do(t, h, "DELETE", "/api/sessions?"+q)
		requireJSON(t, rec, http.StatusOK)
		assert.WithinDuration(t, want, r.deletedBefore, time.Minute, q)
	}
	for _, q := range []string{"", "older_than=", "older_than=-5h", "older_than=0d", "older_than=soon"} {
		rec = do(t, h, "DELETE", "/api/sessions?"+q)
		requireJSON(t, rec, http.StatusBadRequest)
		assert.Contains(t, errorOf(t, rec), "older_than", q)
	}
}

func TestStatsAndProbes(t *testing.T) {
	r, _, h := newTestAPI(t)
	r.stats = model.Stats{Sessions: 3, Spans: 40, Cost: 1.5, Oldest: at(0)}
	rec := do(t, h, "GET", "/api/stats")
	requireJSON(t, rec, http.StatusOK)
	assert.Equal(t, r.stats, decode[model.Stats](t, rec))

	rec = do(t, h, "GET", "/healthz")
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "ok\n", rec.Body.String())
	rec = do(t, h, "GET", "/readyz")
	assert.Equal(t, http.StatusOK, rec.Code)

	r.ready = model.ErrClosed
	rec = do(t, h, "GET", "/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Contains(t, rec.Body.String(), "store closed")
	assert.Equal(t, http.StatusOK, do(t, h, "GET", "/healthz").Code, "alive while not ready")
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	_, _, h := newTestAPI(t)
	rec := do(t, h, "GET", "/api/nothing/here")
	requireJSON(t, rec, http.StatusNotFound)
	assert.Contains(t, errorOf(t, rec), "/api/nothing/here")

	rec = do(t, h, "PUT", "/api/sessions")
	requireJSON(t, rec, http.StatusMethodNotAllowed)
	assert.Equal(t, "GET, HEAD, DELETE", rec.Header().Get("Allow"))
	rec = do(t, h, "POST", "/api/sessions/"+traceA+"/spans")
	requireJSON(t, rec, http.StatusMethodNotAllowed)
	assert.Equal(t, "GET, HEAD", rec.Header().Get("Allow"))

	rec = do(t, h, "HEAD", "/api/sessions/"+traceA)
	assert.Equal(t, http.StatusOK, rec.Code)
}

func TestStoreErrors(t *testing.T) {
	r, _, h := newTestAPI(t)
	r.err = model.ErrOverloaded
	rec := do(t, h, "GET", "/api/sessions")
	requireJSON(t, rec, http.StatusServiceUnavailable)
	assert.Equal(t, "1", rec.Header().Get("Retry-After"))

	r.err = errors.New("database disk image is malformed at /home/me/secret.db")
	for _, p := range []string{"/api/sessions", "/api/sessions/" + traceA, "/api/sessions/" + traceA + "/spans", "/api/stats", "/api/logs/" + traceA} {
		rec = do(t, h, "GET", p)
		requireJSON(t, rec, http.StatusInternalServerError)
		assert.Equal(t, "internal error", errorOf(t, rec), p)
	}
}

func TestAuthRequired(t *testing.T) {
	const key = "3f2b9c1e-8a4d-4e6f-9b7a-1c2d3e4f5a6b"
	a, err := auth.New(auth.NewSecret(), []string{key})
	require.NoError(t, err)
	r := newFakeReader()
	r.add(fixtureSession(), fixtureSpans()...)
	hub := NewHub(4)
	defer hub.Close()
	mux := http.NewServeMux()
	New(Config{Reader: r, Hub: hub, Auth: a}).Register(mux)

	for _, p := range []string{"/api/sessions", "/api/sessions/" + traceA + "/spans", "/api/stats", "/api/events", "/api/logs/" + traceA, "/api/nothing"} {
		rec := do(t, mux, "GET", p)
		requireJSON(t, rec, http.StatusUnauthorized)
		assert.Contains(t, errorOf(t, rec), "bearer token", p)
	}
	requireJSON(t, do(t, mux, "DELETE", "/api/sessions/"+traceA), http.StatusUnauthorized)
	assert.Contains(t, r.sessions, traceA, "nothing deleted without a token")
	assert.Equal(t, http.StatusOK, do(t, mux, "GET", "/healthz").Code)
	assert.Equal(t, http.StatusOK, do(t, mux, "GET", "/readyz").Code)

	token, _, err := a.Issue(key)
	require.NoError(t, err)
	req := httptest.NewRequest("GET", "/api/sessions/"+traceA, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	requireJSON(t, rec, http.StatusOK)
}

// A tree far bigger than the encoder's spill size goes out in pieces as it
// is encoded, and arrives whole: the same JSON encoding/json writes.
func TestSpansRouteStreamsABigTree(t *testing.T) {
	r, _, h := newTestAPI(t)
	spans := []model.Span{mk(sid(1), "", "s", "session", 0, 10000)}
	for i := 2; i <= 400; i++ {
		spans = append(spans, mk(sid(i), sid(1), fmt.Sprintf("step-%d", i), "task", i, i+1,
			func(s *model.Span) { s.Attributes["payload"] = strings.Repeat("<x>", 200) }))
	}
	r.spans[traceA] = spans
	rec := do(t, h, "GET", "/api/sessions/"+traceA+"/spans")
	requireJSON(t, rec, http.StatusOK)
	require.Greater(t, rec.Body.Len(), 4*spillAt, "big enough to be spilled several times")

	want, err := json.Marshal(BuildTree(spans))
	require.NoError(t, err)
	assert.JSONEq(t, string(want), rec.Body.String())
}

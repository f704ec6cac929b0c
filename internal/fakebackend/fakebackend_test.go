package fakebackend

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	collectorpb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"go.uber.org/goleak"
	"google.golang.org/protobuf/proto"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	key1 = "11111111-2222-4333-8444-555555555555"
	key2 = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
)

// newClient returns a client with its own transport, closed at test end.
func newClient(t *testing.T) *http.Client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// tb is what the request helpers need: a *testing.T, or the *assert.CollectT
// of an EventuallyWithT condition (which runs off the test goroutine, where
// a *testing.T must not FailNow).
type tb interface {
	require.TestingT
	Helper()
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func do(t tb, c *http.Client, req *http.Request) response {
	t.Helper()
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{resp.StatusCode, resp.Header, body}
}

func postOTLP(t tb, c *http.Client, b *Backend, msg *collectorpb.ExportTraceServiceRequest, token string) response {
	t.Helper()
	raw, err := proto.Marshal(msg)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, b.URL+"/v1/traces", bytes.NewReader(raw))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-protobuf")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(t, c, req)
}

func getToken(t tb, c *http.Client, b *Backend, key string) (response, map[string]string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.URL+"/v3/auth/token", strings.NewReader(`{"api_key":"`+key+`"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp := do(t, c, req)
	var out map[string]string
	require.NoError(t, json.Unmarshal(resp.body, &out), "body %q", resp.body)
	return resp, out
}

func verifyToken(t tb, c *http.Client, b *Backend, token string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.URL+"/v3/auth/token", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	return do(t, c, req).status
}

func strAttr(k, v string) *commonpb.KeyValue {
	return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v}}}
}

var (
	traceID = []byte{0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f, 0x60, 0x71, 0x82, 0x93, 0xa4, 0xb5, 0xc6, 0xd7, 0xe8, 0xf9}
	rootID  = []byte{1, 2, 3, 4, 5, 6, 7, 8}
	childID = []byte{0xf1, 0xe2, 0xd3, 0xc4, 0xb5, 0xa6, 0x97, 0x88}
	t0      = time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.UTC)
)

func ns(t time.Time) uint64 { return uint64(t.UnixNano()) }

// twoSpans builds a request with a root span and an erroring child span.
func twoSpans() *collectorpb.ExportTraceServiceRequest {
	return &collectorpb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
		Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{strAttr("service.name", "agentops")}},
		ScopeSpans: []*tracepb.ScopeSpans{{
			Scope: &commonpb.InstrumentationScope{Name: "agentops-go", Version: "0.1.0"},
			Spans: []*tracepb.Span{
				{
					TraceId: traceID, SpanId: rootID, Name: "session",
					Kind:              tracepb.Span_SPAN_KIND_INTERNAL,
					StartTimeUnixNano: ns(t0), EndTimeUnixNano: ns(t0.Add(3 * time.Second)),
					Status: &tracepb.Status{Code: tracepb.Status_STATUS_CODE_OK},
				},
				{
					TraceId: traceID, SpanId: childID, ParentSpanId: rootID, Name: "openai.chat",
					Kind:              tracepb.Span_SPAN_KIND_CLIENT,
					StartTimeUnixNano: ns(t0.Add(time.Second)), EndTimeUnixNano: ns(t0.Add(2 * time.Second)),
					Attributes: []*commonpb.KeyValue{
						strAttr("gen_ai.request.model", "gpt-4o"),
						{Key: "gen_ai.usage.prompt_tokens", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: 42}}},
						{Key: "gen_ai.request.streaming", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_BoolValue{BoolValue: true}}},
						{Key: "temperature", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_DoubleValue{DoubleValue: 0.5}}},
						{Key: "agentops.tags", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_ArrayValue{ArrayValue: &commonpb.ArrayValue{
							Values: []*commonpb.AnyValue{
								{Value: &commonpb.AnyValue_StringValue{StringValue: "a"}},
								{Value: &commonpb.AnyValue_StringValue{StringValue: "b"}},
							},
						}}}},
					},
					Events: []*tracepb.Span_Event{{
						Name: "exception", TimeUnixNano: ns(t0.Add(1500 * time.Millisecond)),
						Attributes: []*commonpb.KeyValue{strAttr("exception.message", "boom")},
					}},
					Links:  []*tracepb.Span_Link{{TraceId: traceID, SpanId: rootID}},
					Status: &tracepb.Status{Code: tracepb.Status_STATUS_CODE_ERROR, Message: "boom"},
				},
			},
		}},
	}}}
}

func TestOTLPProtobufGzip(t *testing.T) {
	b := New(t)
	c := newClient(t)

	raw, err := proto.Marshal(twoSpans())
	require.NoError(t, err)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, err = zw.Write(raw)
	require.NoError(t, err)
	require.NoError(t, zw.Close())

	req, err := http.NewRequest(http.MethodPost, b.URL+"/v1/traces", &gz)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-protobuf")
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("User-Agent", "agentops-go/test")
	resp := do(t, c, req)
	require.Equal(t, http.StatusOK, resp.status, "body %q", resp.body)
	assert.Equal(t, "application/x-protobuf", resp.header.Get("Content-Type"))
	require.NoError(t, proto.Unmarshal(resp.body, &collectorpb.ExportTraceServiceResponse{}))

	spans := b.WaitForSpans(t, 2, time.Second)
	require.Len(t, spans, 2)
	root, child := spans[0], spans[1]

	assert.Equal(t, "session", root.Name)
	assert.Equal(t, "0a1b2c3d4e5f60718293a4b5c6d7e8f9", root.TraceID)
	assert.Equal(t, "0102030405060708", root.SpanID)
	assert.Equal(t, "", root.ParentSpanID)
	assert.Equal(t, "internal", root.Kind)
	assert.Equal(t, Status{Code: "ok"}, root.Status)
	assert.True(t, root.StartTime.Equal(t0), "start %v", root.StartTime)
	assert.True(t, root.EndTime.Equal(t0.Add(3*time.Second)), "end %v", root.EndTime)
	assert.Empty(t, root.Attrs)

	assert.Equal(t, "openai.chat", child.Name)
	assert.Equal(t, root.TraceID, child.TraceID)
	assert.Equal(t, "f1e2d3c4b5a69788", child.SpanID)
	assert.Equal(t, root.SpanID, child.ParentSpanID)
	assert.Equal(t, "client", child.Kind)
	assert.Equal(t, map[string]any{
		"gen_ai.request.model":       "gpt-4o",
		"gen_ai.usage.prompt_tokens": int64(42),
		"gen_ai.request.streaming":   true,
		"temperature":                0.5,
		"agentops.tags":              []string{"a", "b"},
	}, child.Attrs)
	assert.Equal(t, Status{Code: "error", Message: "boom"}, child.Status)
	require.Len(t, child.Events, 1)
	assert.Equal(t, "exception", child.Events[0].Name)
	assert.True(t, child.Events[0].Time.Equal(t0.Add(1500*time.Millisecond)))
	assert.Equal(t, map[string]any{"exception.message": "boom"}, child.Events[0].Attrs)
	require.Len(t, child.Links, 1)
	assert.Equal(t, root.TraceID, child.Links[0].TraceID)
	assert.Equal(t, root.SpanID, child.Links[0].SpanID)

	for _, s := range spans {
		assert.Equal(t, map[string]any{"service.name": "agentops"}, s.Resource)
		assert.Equal(t, "agentops-go", s.Scope)
		assert.Equal(t, "0.1.0", s.ScopeVersion)
	}

	got, ok := b.SpanNamed("openai.chat")
	require.True(t, ok)
	assert.Equal(t, child.SpanID, got.SpanID)
	_, ok = b.SpanNamed("nope")
	assert.False(t, ok, "SpanNamed(nope) found a span")

	reqs := b.OTLPRequests()
	require.Len(t, reqs, 1)
	assert.Equal(t, 2, reqs[0].SpanCount)
	assert.Equal(t, http.StatusOK, reqs[0].Status)
	assert.Equal(t, "agentops-go/test", reqs[0].Header.Get("User-Agent"))
	assert.Equal(t, 0, b.AuthRequests())
}

func TestOTLPJSONHexIDs(t *testing.T) {
	b := New(t)
	c := newClient(t)
	body := `{"resourceSpans":[{"scopeSpans":[{"scope":{"name":"js"},"spans":[{
		"traceId":"0a1b2c3d4e5f60718293a4b5c6d7e8f9","spanId":"f1e2d3c4b5a69788","parentSpanId":"0102030405060708",
		"name":"j","kind":3,"startTimeUnixNano":"1741064767123456789",
		"attributes":[{"key":"n","value":{"intValue":"7"}}],
		"status":{"code":2}}]}]}]}`
	req, err := http.NewRequest(http.MethodPost, b.URL+"/v1/traces", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp := do(t, c, req)
	require.Equal(t, http.StatusOK, resp.status, "body %q", resp.body)
	assert.Equal(t, "application/json", resp.header.Get("Content-Type"))

	s, ok := b.SpanNamed("j")
	require.True(t, ok)
	assert.Equal(t, "0a1b2c3d4e5f60718293a4b5c6d7e8f9", s.TraceID)
	assert.Equal(t, "f1e2d3c4b5a69788", s.SpanID)
	assert.Equal(t, "0102030405060708", s.ParentSpanID)
	assert.Equal(t, "client", s.Kind)
	assert.Equal(t, int64(1741064767123456789), s.StartTime.UnixNano())
	assert.Equal(t, int64(7), s.Attrs["n"])
	assert.Equal(t, "error", s.Status.Code)
}

func TestOTLPErrors(t *testing.T) {
	b := New(t)
	c := newClient(t)

	get, err := http.NewRequest(http.MethodGet, b.URL+"/v1/traces", nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusMethodNotAllowed, do(t, c, get).status)

	other, err := http.NewRequest(http.MethodPost, b.URL+"/v2/whatever", nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, do(t, c, other).status)

	garbage, err := http.NewRequest(http.MethodPost, b.URL+"/v1/traces", strings.NewReader("\xff\xff\xff not protobuf"))
	require.NoError(t, err)
	garbage.Header.Set("Content-Type", "application/x-protobuf")
	assert.Equal(t, http.StatusBadRequest, do(t, c, garbage).status)

	b.SetOTLPStatus(http.StatusServiceUnavailable)
	resp := postOTLP(t, c, b, twoSpans(), "")
	assert.Equal(t, http.StatusServiceUnavailable, resp.status)
	b.SetOTLPStatus(0)
	assert.Equal(t, http.StatusOK, postOTLP(t, c, b, twoSpans(), "").status)

	assert.Len(t, b.Spans(), 2, "only the last request records spans")
	var statuses []int
	for _, r := range b.OTLPRequests() {
		statuses = append(statuses, r.Status)
	}
	assert.Equal(t, []int{400, 503, 200}, statuses, "GET is not a recorded OTLP request")
}

func TestAuthIssuesJWT(t *testing.T) {
	b := New(t)
	c := newClient(t)

	resp, out := getToken(t, c, b, key1)
	require.Equal(t, http.StatusOK, resp.status, "body %q", resp.body)
	assert.Equal(t, b.ProjectID(), out["project_id"])
	assert.Regexp(t, uuidRE, out["project_id"])
	assert.Equal(t, "free", out["project_prem_status"])

	token := out["token"]
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3, "token %q", token)
	header, err := base64.RawURLEncoding.DecodeString(parts[0])
	require.NoError(t, err)
	assert.Equal(t, `{"alg":"HS256","typ":"JWT"}`, string(header))
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var claims struct {
		ProjectID string `json:"project_id"`
		APIKey    string `json:"api_key"`
		Aud       string `json:"aud"`
		Exp       int64  `json:"exp"`
	}
	require.NoError(t, json.Unmarshal(payload, &claims))
	assert.Equal(t, b.ProjectID(), claims.ProjectID)
	assert.Equal(t, key1, claims.APIKey)
	assert.Equal(t, "authenticated", claims.Aud)
	want := time.Now().Add(30 * 24 * time.Hour).Unix()
	assert.Greater(t, claims.Exp, want-60, "exp should be ~30 days ahead")
	assert.Less(t, claims.Exp, want+60, "exp should be ~30 days ahead")
	_, err = base64.RawURLEncoding.DecodeString(parts[2])
	require.NoError(t, err)

	assert.Equal(t, http.StatusOK, verifyToken(t, c, b, token))
	assert.Equal(t, http.StatusUnauthorized, verifyToken(t, c, b, token+"x"))

	_, again := getToken(t, c, b, key1)
	assert.NotEqual(t, token, again["token"], "tokens must be unique per issue")

	b.SetTokenTTL(time.Second)
	_, short := getToken(t, c, b, key1)
	assert.Equal(t, http.StatusOK, verifyToken(t, c, b, short["token"]))
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		assert.Equal(ct, http.StatusUnauthorized, verifyToken(ct, c, b, short["token"]))
	}, 3*time.Second, 10*time.Millisecond, "expired token should be rejected")
	assert.Equal(t, 3, b.AuthRequests())
}

func TestAuthRejectsKeys(t *testing.T) {
	b := New(t)
	c := newClient(t)

	resp, out := getToken(t, c, b, "not-a-uuid")
	assert.Equal(t, http.StatusBadRequest, resp.status)
	assert.Equal(t, map[string]string{"error": "Invalid API key format"}, out)

	b.SetValidKeys(key1)
	resp, out = getToken(t, c, b, key2)
	assert.Equal(t, http.StatusForbidden, resp.status)
	assert.Equal(t, map[string]string{"error": "Invalid API key"}, out)

	resp, out = getToken(t, c, b, key1)
	assert.Equal(t, http.StatusOK, resp.status)
	assert.NotEmpty(t, out["token"], "no token")

	b.SetAuthStatus(http.StatusInternalServerError)
	resp, _ = getToken(t, c, b, key1)
	assert.Equal(t, http.StatusInternalServerError, resp.status)

	assert.Equal(t, 4, b.AuthRequests())
}

func TestRequireAuthAndRevoke(t *testing.T) {
	b := New(t)
	c := newClient(t)
	b.SetRequireAuth(true)

	assert.Equal(t, http.StatusUnauthorized, postOTLP(t, c, b, twoSpans(), "").status)
	assert.Equal(t, http.StatusUnauthorized, postOTLP(t, c, b, twoSpans(), "made.up.token").status)
	assert.Empty(t, b.Spans())

	_, out := getToken(t, c, b, key1)
	token := out["token"]
	assert.Equal(t, http.StatusOK, postOTLP(t, c, b, twoSpans(), token).status)
	assert.Len(t, b.Spans(), 2)

	b.RevokeTokens()
	assert.Equal(t, http.StatusUnauthorized, postOTLP(t, c, b, twoSpans(), token).status)
	assert.Equal(t, http.StatusUnauthorized, verifyToken(t, c, b, token))
	assert.Len(t, b.Spans(), 2, "spans of a rejected request must not be recorded")

	_, out = getToken(t, c, b, key1)
	assert.Equal(t, http.StatusOK, postOTLP(t, c, b, twoSpans(), out["token"]).status)
	assert.Len(t, b.Spans(), 4)

	var got []string
	for _, r := range b.OTLPRequests() {
		got = append(got, fmt.Sprintf("%d/%d", r.Status, r.SpanCount))
	}
	assert.Equal(t, []string{"401/0", "401/0", "200/2", "401/0", "200/2"}, got)
}

func TestHangUnblocksWhenClientCancels(t *testing.T) {
	b := New(t)
	c := newClient(t)
	b.SetHang(true)

	for _, path := range []string{"/v1/traces", "/v3/auth/token"} {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.URL+path, strings.NewReader(`{}`))
		require.NoError(t, err)
		start := time.Now()
		_, err = c.Do(req)
		cancel()
		require.ErrorIs(t, err, context.DeadlineExceeded, path)
		assert.Less(t, time.Since(start), 2*time.Second, path)
	}

	// The hung handler itself must return once the client went away.
	require.Eventually(t, func() bool {
		r := b.OTLPRequests()
		return len(r) == 1 && r[0].Status == http.StatusServiceUnavailable
	}, 2*time.Second, 10*time.Millisecond, "hung handler did not return")
	assert.Equal(t, 1, b.AuthRequests())
}

func TestHangReleasedByCleanup(t *testing.T) {
	done := make(chan int, 1)
	c := newClient(t)
	t.Run("inner", func(t *testing.T) {
		b := New(t)
		b.SetHang(true)
		go func() {
			req, _ := http.NewRequest(http.MethodPost, b.URL+"/v1/traces", nil)
			resp, err := c.Do(req)
			if err != nil {
				done <- -1
				return
			}
			resp.Body.Close()
			done <- resp.StatusCode
		}()
		require.Eventually(t, func() bool { return len(b.OTLPRequests()) == 1 }, 2*time.Second, 10*time.Millisecond,
			"request did not arrive")
		// Returning runs the cleanup, which must not block on the hung handler.
	})
	select {
	case code := <-done:
		assert.Equal(t, http.StatusServiceUnavailable, code)
	case <-time.After(5 * time.Second):
		t.Fatal("hung request was not released by cleanup")
	}
}

func TestAuthDelay(t *testing.T) {
	b := New(t)
	c := newClient(t)
	b.SetAuthDelay(200 * time.Millisecond)
	start := time.Now()
	resp, _ := getToken(t, c, b, key1)
	assert.Equal(t, http.StatusOK, resp.status)
	assert.GreaterOrEqual(t, time.Since(start), 200*time.Millisecond)
}

// fakeTB captures Fatalf so the failure path of WaitForSpans can be tested.
type fakeTB struct {
	testing.TB
	msg string
}

func (f *fakeTB) Helper()                        {}
func (f *fakeTB) Fatalf(format string, a ...any) { f.msg = fmt.Sprintf(format, a...) }

func TestWaitForSpansTimeout(t *testing.T) {
	b := New(t)
	c := newClient(t)
	require.Equal(t, http.StatusOK, postOTLP(t, c, b, twoSpans(), "").status)

	ftb := &fakeTB{TB: t}
	assert.Nil(t, b.WaitForSpans(ftb, 3, 50*time.Millisecond), "want nil on timeout")
	assert.Contains(t, ftb.msg, "got 2")
	assert.Contains(t, ftb.msg, `"openai.chat"`)
	assert.Contains(t, ftb.msg, "[200]")

	ftb.msg = ""
	assert.Len(t, b.WaitForSpans(ftb, 2, 50*time.Millisecond), 2)
	assert.Empty(t, ftb.msg)
}

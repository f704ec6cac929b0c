// Package fakebackend is an in-process fake of the AgentOps backend for tests.
//
// It serves the endpoints the SDK talks to (see docs/WIRE.md sections 1 to
// 6) on a loopback httptest server:
//
//   - POST/GET /v3/auth/token: API key to JWT, and token verification.
//   - POST /v1/traces: OTLP/HTTP traces (protobuf or JSON, optionally gzip),
//     decoded into plain [Span] values the tests can assert on.
//   - POST /v1/metrics: OTLP/HTTP metrics; histogram points are kept as
//     [HistogramPoint] values.
//   - POST /v4/logs/upload/, /v4/scripts/upload/ and /v4/objects/upload/
//     (also without the trailing slash): text uploads, as a JSON
//     {"body": "<text>"} envelope or a raw text/plain body, recorded as
//     [Upload] values. Logs and scripts need a Trace-Id header (decimal or
//     32 hex digits), scripts also a relative Filename header. Success
//     answers {"url": URL+"/v4/stored/<kind>/<n>", "size": <text bytes>};
//     the stored URLs are not served.
//
// Every method of [Backend] is safe for concurrent use, including while the
// server is handling requests.
package fakebackend

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Backend is a running fake AgentOps backend. Create it with [New]; it is
// shut down automatically when the test that created it finishes.
// All methods are safe for concurrent use.
type Backend struct {
	// URL is the base URL, e.g. http://127.0.0.1:PORT. OTLP is at
	// URL+"/v1/traces", authentication at URL+"/v3/auth/token" and uploads
	// at URL+"/v4/{logs,scripts,objects}/upload/".
	URL string

	srv       *httptest.Server
	secret    []byte        // HMAC key for token signatures
	projectID string        // returned with every token
	release   chan struct{} // closed on cleanup: unblocks hung handlers
	closeOnce sync.Once

	mu sync.Mutex
	// configuration
	authDelay   time.Duration
	authStatus  int
	validKeys   map[string]bool // nil: every UUID-shaped key is valid
	requireAuth bool
	hang        bool
	otlpStatus  int
	tokenTTL    time.Duration
	// upload configuration
	uploadCap       int64
	scriptsNotFound bool
	uploadStatuses  []int // forced statuses of the next upload requests
	// state
	tokens       map[string]time.Time // issued, unrevoked token -> expiry
	tokenSeq     int
	authRequests int
	otlpRequests []Request
	spans        []Span
	histograms   []HistogramPoint
	uploads      []Upload
	uploadSeq    map[string]int // kind -> last stored number
}

// Request is one POST /v1/traces request as the backend saw it.
type Request struct {
	Header    http.Header // a copy of the request headers
	SpanCount int         // spans in the body (0 when rejected before decoding)
	Status    int         // the status code the backend answered
}

// Span is one decoded OTLP span. Ids are lowercase hex.
type Span struct {
	Name         string
	TraceID      string // 32 lowercase hex
	SpanID       string // 16 lowercase hex
	ParentSpanID string // 16 lowercase hex, "" for a root
	Kind         string // "internal", "server", "client", "producer", "consumer", "unspecified"
	StartTime    time.Time
	EndTime      time.Time
	// Attrs holds string, bool, int64, float64, []string (string arrays,
	// including empty arrays), []any for other arrays, []byte for bytes and
	// map[string]any for key-value lists.
	Attrs        map[string]any
	Status       Status
	Events       []Event
	Links        []Link
	Resource     map[string]any // resource attributes, same value types as Attrs
	Scope        string         // instrumentation scope name
	ScopeVersion string
	TraceState   string
}

// Status is a span status. Code is "unset", "ok" or "error".
type Status struct {
	Code    string
	Message string
}

// Event is a span event.
type Event struct {
	Name  string
	Time  time.Time
	Attrs map[string]any
}

// Link is a span link; ids are lowercase hex.
type Link struct {
	TraceID, SpanID string
	Attrs           map[string]any
}

// New starts the fake backend on loopback and registers a t.Cleanup that
// first releases every hung handler, then closes the server.
func New(t testing.TB) *Backend {
	t.Helper()
	b := &Backend{
		secret:    randomBytes(32),
		projectID: newUUID(),
		release:   make(chan struct{}),
		tokenTTL:  30 * 24 * time.Hour,
		tokens:    map[string]time.Time{},
		uploadCap: DefaultUploadCap,
		uploadSeq: map[string]int{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/traces", b.handleTraces)
	mux.HandleFunc("/v1/metrics", b.handleMetrics)
	mux.HandleFunc("/v3/auth/token", b.handleAuth)
	for _, kind := range []string{kindLogs, kindScripts, kindObjects} {
		h := b.handleUpload(kind)
		mux.HandleFunc("/v4/"+kind+"/upload", h)
		mux.HandleFunc("/v4/"+kind+"/upload/{$}", h)
	}
	// URL is set before the server starts: handlers read it.
	b.srv = httptest.NewUnstartedServer(mux)
	b.URL = "http://" + b.srv.Listener.Addr().String()
	b.srv.Start()
	t.Cleanup(b.close)
	return b
}

func (b *Backend) close() {
	b.closeOnce.Do(func() {
		close(b.release)
		b.srv.Close()
	})
}

// ProjectID returns the project id handed out with every token.
// It is safe for concurrent use.
func (b *Backend) ProjectID() string { return b.projectID }

// SetAuthDelay makes POST /v3/auth/token wait d before answering (it gives
// up early when the request context is done). It is safe for concurrent use.
func (b *Backend) SetAuthDelay(d time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.authDelay = d
}

// SetAuthStatus makes POST /v3/auth/token answer code with a JSON error body
// instead of a token; 0 restores normal behaviour. It is safe for concurrent use.
func (b *Backend) SetAuthStatus(code int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.authStatus = code
}

// SetValidKeys restricts which API keys get a token: other UUID-shaped keys
// get 403 {"error":"Invalid API key"}. By default any UUID-shaped key is
// valid; calling it with no keys rejects every key. A non-UUID key always
// gets 400 {"error":"Invalid API key format"}. It is safe for concurrent use.
func (b *Backend) SetValidKeys(keys ...string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.validKeys = make(map[string]bool, len(keys))
	for _, k := range keys {
		b.validKeys[k] = true
	}
}

// SetRequireAuth turns bearer authentication of POST /v1/traces and of the
// /v4/*/upload/ endpoints on or off (default off). When on, a request
// without "Authorization: Bearer <token>" naming a token issued by this
// backend, not revoked and not expired, gets 401 and its spans or upload are
// not stored (the request itself is still listed by [Backend.OTLPRequests]
// or [Backend.Uploads]). It is safe for concurrent use.
func (b *Backend) SetRequireAuth(on bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.requireAuth = on
}

// RevokeTokens invalidates every token issued so far; tokens issued later
// are valid. It is safe for concurrent use.
func (b *Backend) RevokeTokens() {
	b.mu.Lock()
	defer b.mu.Unlock()
	clear(b.tokens)
}

// SetTokenTTL sets the lifetime (the exp claim) of tokens issued from now
// on; the default is 30 days. Tokens are rejected once expired.
// It is safe for concurrent use.
func (b *Backend) SetTokenTTL(d time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tokenTTL = d
}

// SetHang makes the /v1/traces, /v3/auth/token and /v4/*/upload/ handlers
// block until the request context is done or the backend is cleaned up (they
// then answer 503). Requests are still counted. It is safe for concurrent use.
func (b *Backend) SetHang(on bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.hang = on
}

// SetOTLPStatus makes POST /v1/traces answer code (with a short text body)
// and record nothing; 0 restores normal behaviour. It is safe for concurrent use.
func (b *Backend) SetOTLPStatus(code int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.otlpStatus = code
}

// Spans returns a copy of every span received so far, in arrival order.
// It is safe for concurrent use.
func (b *Backend) Spans() []Span {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Span(nil), b.spans...)
}

// SpanNamed returns the first received span with the given name.
// It is safe for concurrent use.
func (b *Backend) SpanNamed(name string) (Span, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range b.spans {
		if s.Name == name {
			return s, true
		}
	}
	return Span{}, false
}

// WaitForSpans polls until at least n spans have arrived and returns them
// all. On timeout it calls t.Fatalf saying what did arrive.
// It is safe for concurrent use.
func (b *Backend) WaitForSpans(t testing.TB, n int, timeout time.Duration) []Span {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		spans := b.Spans()
		if len(spans) >= n {
			return spans
		}
		if time.Now().After(deadline) {
			names := make([]string, len(spans))
			for i, s := range spans {
				names[i] = s.Name
			}
			var statuses []string
			for _, r := range b.OTLPRequests() {
				statuses = append(statuses, fmt.Sprint(r.Status))
			}
			t.Fatalf("fakebackend: waited %v for %d spans, got %d %q; OTLP request statuses: [%s]; auth requests: %d",
				timeout, n, len(spans), names, strings.Join(statuses, " "), b.AuthRequests())
			return nil
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// AuthRequests returns how many POST /v3/auth/token requests arrived,
// including rejected ones. It is safe for concurrent use.
func (b *Backend) AuthRequests() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.authRequests
}

// OTLPRequests returns every POST /v1/traces request received so far,
// including rejected ones, in arrival order. A request still being handled
// has Status 0. It is safe for concurrent use.
func (b *Backend) OTLPRequests() []Request {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Request, len(b.otlpRequests))
	for i, r := range b.otlpRequests {
		r.Header = r.Header.Clone()
		out[i] = r
	}
	return out
}

// waitIfHung blocks while hanging is on, until the request is cancelled or the
// backend is cleaned up. It reports whether the handler was hung.
func (b *Backend) waitIfHung(r *http.Request) bool {
	b.mu.Lock()
	hang := b.hang
	b.mu.Unlock()
	if !hang {
		return false
	}
	// net/http notices a vanished client (and cancels the request context)
	// only once the body has been read to EOF, so drain it first.
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxBody))
	select {
	case <-r.Context().Done():
	case <-b.release:
	}
	return true
}

func randomBytes(n int) []byte {
	p := make([]byte, n)
	if _, err := rand.Read(p); err != nil {
		panic(err)
	}
	return p
}

func newUUID() string {
	p := randomBytes(16)
	p[6] = p[6]&0x0f | 0x40
	p[8] = p[8]&0x3f | 0x80
	h := hex.EncodeToString(p)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

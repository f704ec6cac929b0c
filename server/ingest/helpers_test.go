package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/agentops-go/agentops/server/auth"
	"github.com/agentops-go/agentops/server/model"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	testKey  = "11111111-2222-4333-8444-555555555555"
	otherKey = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
)

// memWriter is an in-memory Writer. Err, when set, is returned instead of
// storing. It is safe for concurrent use.
type memWriter struct {
	mu      sync.Mutex
	batches []model.Batch
	err     error
}

func (m *memWriter) Write(_ context.Context, b *model.Batch) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return m.err
	}
	m.batches = append(m.batches, *b)
	return nil
}

func (m *memWriter) setErr(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.err = err
}

func (m *memWriter) all() []model.Batch {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]model.Batch(nil), m.batches...)
}

func (m *memWriter) spans() []model.Span {
	var out []model.Span
	for _, b := range m.all() {
		out = append(out, b.Spans...)
	}
	return out
}

// labelNormalizer is the trivial Normalizer: every span is "other",
// labelled with its name.
type labelNormalizer struct{}

func (labelNormalizer) Span(s *model.Span) {
	s.Derived.Class = "other"
	s.Derived.Label = s.Name
}

// testServer is a Handler on a loopback server.
type testServer struct {
	*httptest.Server
	w      *memWriter
	h      *Handler
	auth   *auth.Auth
	client *http.Client
}

// newServer starts the handlers with cfg; Writer, Normalizer and Auth
// default to a memWriter, labelNormalizer and an open Auth.
func newServer(t *testing.T, cfg Config, keys ...string) *testServer {
	t.Helper()
	w := &memWriter{}
	if cfg.Writer == nil {
		cfg.Writer = w
	}
	if cfg.Normalizer == nil {
		cfg.Normalizer = labelNormalizer{}
	}
	if cfg.Auth == nil {
		a, err := auth.New(auth.NewSecret(), keys)
		require.NoError(t, err)
		cfg.Auth = a
	}
	h := New(cfg)
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	tr := &http.Transport{}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		srv.Close()
	})
	return &testServer{Server: srv, w: w, h: h, auth: cfg.Auth, client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// post sends body to path with the given headers (key, value pairs).
func (s *testServer) post(t testing.TB, path string, body []byte, headers ...string) response {
	t.Helper()
	return s.do(t, http.MethodPost, path, bytes.NewReader(body), headers...)
}

func (s *testServer) do(t testing.TB, method, path string, body io.Reader, headers ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, body)
	require.NoError(t, err)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	resp, err := s.client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{resp.StatusCode, resp.Header, raw}
}

func (s *testServer) token(t testing.TB, key string) string {
	t.Helper()
	tok, _, err := s.auth.Issue(key)
	require.NoError(t, err)
	return tok
}

func gzipBytes(t testing.TB, raw []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, err := zw.Write(raw)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.Bytes()
}

func nan() float64         { return math.NaN() }
func inf(sign int) float64 { return math.Inf(sign) }

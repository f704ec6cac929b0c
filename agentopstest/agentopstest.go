// Package agentopstest runs the agentops local backend in-process, for a
// program's own tests: point the SDK at Server.URL, run the code under
// test, and assert on the sessions, spans, logs and source files the
// backend received, as the real `agentops serve` stores them.
//
//	srv := agentopstest.NewServer(t)
//	client, _ := agentops.Init(ctx, agentops.WithEndpoint(srv.URL))
//	runAgent(ctx)
//	client.Shutdown(ctx)
//	spans := srv.WaitForSpans(t, 3, 5*time.Second)
//
// Every method is safe for concurrent use.
package agentopstest

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentops-go/agentops/server"
	"github.com/agentops-go/agentops/server/model"
)

// Server is a local backend on a loopback port with its data in a
// temporary directory, stopped when the test ends.
type Server struct {
	// URL is the base URL to give the SDK (agentops.WithEndpoint).
	URL string

	srv  *server.Server
	http *httptest.Server
}

// Option configures NewServer.
type Option func(*server.Config)

// WithAPIKeys starts the server in closed mode: only these keys get a
// token, and every request needs one.
func WithAPIKeys(keys ...string) Option {
	return func(c *server.Config) { c.APIKeys = keys }
}

// NewServer starts a server for the test; it is closed, and its data
// removed, when the test ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg := server.Config{
		DataDir: t.TempDir(),
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := server.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("agentopstest: starting the server: %v", err)
	}
	hs := httptest.NewServer(srv.Handler())
	s := &Server{URL: hs.URL, srv: srv, http: hs}
	t.Cleanup(func() {
		hs.CloseClientConnections()
		hs.Close()
		if err := srv.Close(); err != nil {
			t.Errorf("agentopstest: closing the server: %v", err)
		}
	})
	return s
}

// Sessions returns every session received, newest first.
func (s *Server) Sessions() []model.Session {
	var out []model.Session
	q := model.SessionQuery{Limit: 500}
	for {
		page, err := s.srv.Store().ListSessions(context.Background(), q)
		if err != nil {
			return out
		}
		out = append(out, page.Sessions...)
		if page.NextCursor == "" {
			return out
		}
		q.Cursor = page.NextCursor
	}
}

// Spans returns every span received, each session's in start order.
func (s *Server) Spans() []model.Span {
	var out []model.Span
	for _, sess := range s.Sessions() {
		out = append(out, s.SpansOf(sess.TraceID)...)
	}
	return out
}

// SpansOf returns the spans of one trace (32 hex digits), in start order.
func (s *Server) SpansOf(traceID string) []model.Span {
	spans, _ := s.srv.Store().Spans(context.Background(), strings.ToLower(traceID))
	return spans
}

// Logs returns the log text uploaded for a trace (several uploads joined).
func (s *Server) Logs(traceID string) string {
	logs, _ := s.srv.Store().Logs(context.Background(), strings.ToLower(traceID))
	var b strings.Builder
	for _, l := range logs {
		b.WriteString(l.Text)
	}
	return b.String()
}

// Files returns the source files of a trace (uploaded with it or referred
// to by it), with their content, sorted by path.
func (s *Server) Files(traceID string) []model.FileUpload {
	infos, _ := s.srv.Store().Files(context.Background(), strings.ToLower(traceID))
	out := make([]model.FileUpload, 0, len(infos))
	for _, fi := range infos {
		if f, err := s.srv.Store().File(context.Background(), fi.ID); err == nil {
			f.Path = fi.Path
			out = append(out, f)
		}
	}
	return out
}

// WaitForSpans waits until at least n spans have arrived and returns them;
// it fails the test, naming what did arrive, if they do not within timeout.
func (s *Server) WaitForSpans(t testing.TB, n int, timeout time.Duration) []model.Span {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		spans := s.Spans()
		if len(spans) >= n {
			return spans
		}
		if time.Now().After(deadline) {
			names := make([]string, len(spans))
			for i, sp := range spans {
				names[i] = sp.Name
			}
			slices.Sort(names)
			t.Fatalf("agentopstest: waited %s for %d spans, got %d: %q", timeout, n, len(spans), names)
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Token returns a bearer token for key, as POST /v3/auth/token would.
func (s *Server) Token(key string) (string, error) {
	tok, _, err := s.srv.Auth().Issue(key)
	return tok, err
}

// Package server is the local backend of agentops, `agentops serve`: one
// HTTP port that accepts OTLP traces and metrics and the AgentOps v3/v4 API
// (ingest), keeps everything in SQLite (store), and answers a REST API and
// a live event stream (api), for the dashboard (ui) and for users' own
// tools.
//
// It depends on the SDK only through the wire format: any AgentOps or
// OpenTelemetry SDK can send to it.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/agentops-go/agentops/server/api"
	"github.com/agentops-go/agentops/server/auth"
	"github.com/agentops-go/agentops/server/ingest"
	"github.com/agentops-go/agentops/server/normalize"
	"github.com/agentops-go/agentops/server/pricing"
	"github.com/agentops-go/agentops/server/store"
	"github.com/agentops-go/agentops/server/ui"
)

// DefaultAddr is where the server listens unless told otherwise: loopback,
// on the port the SDK sends to when nothing is configured. It does not
// clash with the OTel Collector's 4317 and 4318.
const DefaultAddr = "127.0.0.1:7318"

// Config configures a Server.
type Config struct {
	// DataDir holds the database and the token signing secret.
	DataDir string
	// APIKeys, when any, are the only keys that get a token, and every
	// ingest and read then needs one. None: open, for a laptop's loopback.
	APIKeys []string
	// Retention deletes sessions older than this (0: keep them), and
	// MaxDBBytes the oldest sessions while the database is larger (0: no
	// limit); checked at start and every RetentionEvery.
	Retention      time.Duration
	MaxDBBytes     int64
	RetentionEvery time.Duration // default 10 minutes
	// PricesFile overrides and extends the embedded price table.
	PricesFile string
	// PublicURL is the base URL clients reach the server at, used in the
	// URLs of upload answers; default: from each request's Host.
	PublicURL string
	Logger    *slog.Logger
	// HeartbeatEvery is the live stream's heartbeat interval (tests
	// shorten it); 0 means the api package's default.
	HeartbeatEvery time.Duration
}

// Server is a running local backend. It is safe for concurrent use.
type Server struct {
	cfg     Config
	log     *slog.Logger
	store   *store.Store
	hub     *api.Hub
	auth    *auth.Auth
	handler http.Handler
	cancel  context.CancelFunc
	done    chan struct{} // closed when the retention loop ends
}

// New opens (or creates) the data directory and returns a Server ready to
// serve. Close releases it.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	if cfg.RetentionEvery <= 0 {
		cfg.RetentionEvery = 10 * time.Minute
	}
	if cfg.DataDir == "" {
		return nil, errors.New("server: a data directory is required")
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("server: data directory: %w", err)
	}
	secret, err := loadSecret(filepath.Join(cfg.DataDir, "secret"))
	if err != nil {
		return nil, err
	}
	a, err := auth.New(secret, cfg.APIKeys)
	if err != nil {
		return nil, err
	}
	prices := pricing.Default()
	if cfg.PricesFile != "" {
		if prices, err = pricing.Load(cfg.PricesFile); err != nil {
			return nil, fmt.Errorf("server: prices: %w", err)
		}
	}
	s := &Server{cfg: cfg, log: cfg.Logger, hub: api.NewHub(1000), auth: a, done: make(chan struct{})}
	s.store, err = store.Open(ctx, filepath.Join(cfg.DataDir, "agentops.db"), store.Options{
		OnCommit: s.publish,
		Logger:   cfg.Logger,
	})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	ingest.New(ingest.Config{
		Writer:     s.store,
		Normalizer: normalize.New(prices),
		Auth:       a,
		PublicURL:  s.publicURL,
		Logger:     cfg.Logger,
	}).Register(mux)
	api.New(api.Config{Reader: s.store, Hub: s.hub, Auth: a, Logger: cfg.Logger, HeartbeatEvery: cfg.HeartbeatEvery}).Register(mux)
	// The dashboard: / and /sessions (the SDK's session links,
	// /sessions?trace_id=...), and its assets under /ui/.
	ui.New().Register(mux)
	s.handler = recoverPanics(s.log, securityHeaders(mux))

	loopCtx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go s.retentionLoop(loopCtx)
	return s, nil
}

// Handler is the server's whole HTTP surface.
func (s *Server) Handler() http.Handler { return s.handler }

// Auth is the server's token issuer and checker (agentopstest issues
// tokens with it).
func (s *Server) Auth() *auth.Auth { return s.auth }

// Store is the server's storage, for in-process readers (agentopstest).
func (s *Server) Store() *store.Store { return s.store }

// Serve answers on ln until ctx ends, then shuts down gracefully (in-flight
// requests get up to 10 s) and closes the Server.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		// No WriteTimeout: the event stream stays open.
	}
	if !isLoopback(ln.Addr()) && !s.auth.Required() {
		s.log.Warn("agentops serve: listening beyond loopback with no --api-key: anyone who reaches this port can read and write every session",
			"addr", ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return errors.Join(err, s.Close())
	case <-ctx.Done():
	}
	s.hub.Close() // event streams would hold Shutdown until its deadline
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := hs.Shutdown(shutdownCtx)
	<-errc
	return errors.Join(err, s.Close())
}

// Close stops the retention loop and the event streams and closes the
// database, after the queued writes are committed.
func (s *Server) Close() error {
	s.cancel()
	<-s.done
	s.hub.Close()
	return s.store.Close()
}

// publish turns a commit into live events.
func (s *Server) publish(c store.Commit) {
	for _, ch := range c.Sessions {
		typ := "session.updated"
		switch {
		case ch.New:
			typ = "session.new"
		case ch.Ended:
			typ = "session.ended"
		}
		s.hub.PublishSession(typ, ch.Session)
	}
}

func (s *Server) publicURL(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return s.cfg.PublicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) retentionLoop(ctx context.Context) {
	defer close(s.done)
	if s.cfg.Retention <= 0 && s.cfg.MaxDBBytes <= 0 {
		return
	}
	t := time.NewTicker(s.cfg.RetentionEvery)
	defer t.Stop()
	for {
		n, err := s.store.EnforceRetention(ctx, s.cfg.Retention, s.cfg.MaxDBBytes)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Error("agentops serve: retention", "err", err)
		case n > 0:
			s.log.Info("agentops serve: retention deleted sessions", "count", n)
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
	}
}

// loadSecret reads the token signing secret, creating it on first start:
// tokens survive restarts.
func loadSecret(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil && len(b) >= 32 {
		return b, nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("server: reading the signing secret: %w", err)
	}
	b = auth.NewSecret()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return nil, fmt.Errorf("server: writing the signing secret: %w", err)
	}
	return b, nil
}

func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// recoverPanics answers 500 instead of dropping the connection when a
// handler panics, and logs it: the server keeps serving.
func recoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("agentops serve: handler panicked", "path", r.URL.Path, "panic", v)
				http.Error(w, `{"error":"internal error"}`, http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

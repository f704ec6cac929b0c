package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/agentops-go/agentops/server/auth"
	"github.com/agentops-go/agentops/server/model"
)

// Reader is what the API reads and deletes through; server/store implements
// it. Implementations must be safe for concurrent use: every request calls
// it from its own goroutine.
type Reader interface {
	ListSessions(ctx context.Context, q model.SessionQuery) (model.SessionPage, error)
	// Session returns model.ErrNotFound (possibly wrapped) for an unknown
	// trace.
	Session(ctx context.Context, traceID string) (model.Session, error)
	// Spans returns the trace's spans ordered by start.
	Spans(ctx context.Context, traceID string) ([]model.Span, error)
	Logs(ctx context.Context, traceID string) ([]model.LogUpload, error)
	Files(ctx context.Context, traceID string) ([]model.FileInfo, error)
	File(ctx context.Context, id string) (model.FileUpload, error)
	Object(ctx context.Context, id string) (model.Object, error)
	DeleteSession(ctx context.Context, traceID string) error
	DeleteOlderThan(ctx context.Context, t time.Time) (int64, error)
	Stats(ctx context.Context) (model.Stats, error)
	// Ready returns nil when the store can serve reads.
	Ready(ctx context.Context) error
}

// Defaults of the event stream.
const (
	DefaultHeartbeat    = 15 * time.Second
	DefaultWriteTimeout = 10 * time.Second
)

// Config is what New needs. Reader is required; the rest may be nil.
type Config struct {
	Reader Reader
	// Hub feeds /api/events; without one the stream answers 503.
	Hub *Hub
	// Auth guards every /api/ route when it requires tokens; nil means
	// open.
	Auth *auth.Auth
	// Logger gets the errors a client is only told are internal; nil
	// discards them.
	Logger *slog.Logger
	// HeartbeatEvery is how often an idle event stream sends a comment, so
	// proxies and clients see the connection is alive; 0 means
	// DefaultHeartbeat.
	HeartbeatEvery time.Duration
	// WriteTimeout bounds each write to an event stream: a client whose
	// connection accepts nothing for this long is disconnected. 0 means
	// DefaultWriteTimeout.
	WriteTimeout time.Duration
}

// API serves the REST routes and the event stream. It is safe for
// concurrent use.
type API struct {
	r            Reader
	hub          *Hub
	auth         *auth.Auth
	log          *slog.Logger
	heartbeat    time.Duration
	writeTimeout time.Duration
	// routes mirrors the patterns Register adds, so the /api/ fallback can
	// tell an unknown path (404) from a wrong method (405).
	routes *http.ServeMux
}

// New returns the API over c.Reader.
func New(c Config) *API {
	a := &API{
		r:            c.Reader,
		hub:          c.Hub,
		auth:         c.Auth,
		log:          c.Logger,
		heartbeat:    c.HeartbeatEvery,
		writeTimeout: c.WriteTimeout,
		routes:       http.NewServeMux(),
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.heartbeat <= 0 {
		a.heartbeat = DefaultHeartbeat
	}
	if a.writeTimeout <= 0 {
		a.writeTimeout = DefaultWriteTimeout
	}
	return a
}

// Register adds the API's routes to mux. Routes under /api/ need a token
// when a.Auth requires one; /healthz and /readyz never do. Any other path
// under /api/ gets a JSON 404 (or 405 with Allow for a known path).
func (a *API) Register(mux *http.ServeMux) {
	route := func(pattern string, h http.HandlerFunc) {
		a.routes.Handle(pattern, http.NotFoundHandler())
		mux.Handle(pattern, a.guard(h))
	}
	route("GET /api/sessions", a.listSessions)
	route("DELETE /api/sessions", a.deleteOlderThan)
	route("GET /api/sessions/{id}", a.getSession)
	route("DELETE /api/sessions/{id}", a.deleteSession)
	route("GET /api/sessions/{id}/spans", a.getSpans)
	route("GET /api/sessions/{id}/events", a.getSpanEvents)
	route("GET /api/sessions/{id}/summary", a.getSummary)
	route("GET /api/sessions/{id}/analysis", a.getAnalysis)
	route("GET /api/sessions/{id}/logs", a.getSessionLogs)
	route("GET /api/sessions/{id}/files", a.getSessionFiles)
	route("GET /api/sessions/{id}/export", a.getExport)
	route("GET /api/files/{id}", a.getFile)
	route("GET /api/objects/{id}", a.getObject)
	route("GET /api/logs/{traceID}", a.getRawLogs)
	route("GET /api/stats", a.getStats)
	route("GET /api/events", a.streamEvents)
	mux.Handle("/api/", a.guard(a.fallback))

	mux.HandleFunc("GET /healthz", a.healthz)
	mux.HandleFunc("GET /readyz", a.readyz)
}

// guard puts h behind the bearer check (a no-op in open mode) and sets the
// headers every API answer carries, the 401 included.
func (a *API) guard(h http.HandlerFunc) http.Handler {
	var next http.Handler = h
	if a.auth != nil {
		next = a.auth.Require(next)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// fallback answers /api/ paths no route matched.
func (a *API) fallback(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := a.routes.Handler(probe); pattern != "" {
			allow = append(allow, m)
			if m == http.MethodGet {
				allow = append(allow, http.MethodHead)
			}
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed on "+r.URL.Path)
		return
	}
	writeError(w, http.StatusNotFound, "no API route "+r.URL.Path)
}

func (a *API) healthz(w http.ResponseWriter, _ *http.Request) {
	writeText(w, http.StatusOK, "ok\n")
}

func (a *API) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := a.r.Ready(ctx); err != nil {
		writeText(w, http.StatusServiceUnavailable, "not ready: "+err.Error()+"\n")
		return
	}
	writeText(w, http.StatusOK, "ok\n")
}

func (a *API) getStats(w http.ResponseWriter, r *http.Request) {
	st, err := a.r.Stats(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

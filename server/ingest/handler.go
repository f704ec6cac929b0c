package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"runtime"
	"strings"

	"github.com/agentops-go/agentops/server/auth"
	"github.com/agentops-go/agentops/server/model"
)

// Defaults of a [Config].
const (
	// DefaultMaxOTLPBytes caps an OTLP request body, before and again
	// after decompression.
	DefaultMaxOTLPBytes = 32 << 20
	// DefaultMaxUploadBytes caps an upload request body, as AgentOps does
	// (docs/WIRE.md section 3).
	DefaultMaxUploadBytes = 25_000_000
)

// Writer stores a batch. Write returns once the batch is committed; an
// error wrapping [model.ErrOverloaded] or [model.ErrClosed] means "try
// again later" and is answered 503. It must be safe for concurrent use.
type Writer interface {
	Write(ctx context.Context, b *model.Batch) error
}

// Normalizer fills a span's Derived fields from its attributes. It must be
// safe for concurrent use and must treat s.Resource as read-only: the spans
// of one OTLP resource share that map.
type Normalizer interface {
	Span(s *model.Span)
}

// Config configures a [Handler]. Writer is required.
type Config struct {
	Writer     Writer
	Normalizer Normalizer // nil: spans are stored with empty Derived fields
	// Auth issues and checks tokens; nil means open mode with a random
	// signing secret.
	Auth *auth.Auth
	// PublicURL returns the base URL clients reach this server at, for the
	// URLs in upload answers (e.g. "http://127.0.0.1:7318"); default:
	// http(s)://<the request's Host>.
	PublicURL func(r *http.Request) string
	// MaxOTLPBytes caps an OTLP body, before and after gzip decompression;
	// default DefaultMaxOTLPBytes.
	MaxOTLPBytes int64
	// MaxUploadBytes caps an upload request body (the envelope included);
	// default DefaultMaxUploadBytes.
	MaxUploadBytes int64
	// MaxConcurrentDecodes is how many OTLP and upload requests may be read
	// and decoded at once; more get 503 with Retry-After at once. Default
	// 2*GOMAXPROCS+2.
	MaxConcurrentDecodes int
	Logger               *slog.Logger // nil: discard
}

// Handler serves the ingest routes. Create it with [New]; it is safe for
// concurrent use.
type Handler struct {
	cfg   Config
	log   *slog.Logger
	auth  *auth.Auth
	slots chan struct{} // one token per request being decoded
	// maxNodes bounds the messages (objects) of one OTLP request: the
	// decoder's memory grows with their number, not with the body's bytes.
	maxNodes int
}

// New returns a Handler for c. It panics when c.Writer is nil: that is a
// wiring mistake, not a runtime condition.
func New(c Config) *Handler {
	if c.Writer == nil {
		panic("ingest: Config.Writer is required")
	}
	if c.Auth == nil {
		a, err := auth.New(auth.NewSecret(), nil)
		if err != nil {
			panic("ingest: " + err.Error()) // cannot happen: the secret is 32 bytes
		}
		c.Auth = a
	}
	if c.PublicURL == nil {
		c.PublicURL = hostURL
	}
	if c.MaxOTLPBytes <= 0 {
		c.MaxOTLPBytes = DefaultMaxOTLPBytes
	}
	if c.MaxUploadBytes <= 0 {
		c.MaxUploadBytes = DefaultMaxUploadBytes
	}
	if c.MaxConcurrentDecodes <= 0 {
		c.MaxConcurrentDecodes = 2*runtime.GOMAXPROCS(0) + 2
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{
		cfg:      c,
		log:      c.Logger,
		auth:     c.Auth,
		slots:    make(chan struct{}, c.MaxConcurrentDecodes),
		maxNodes: int(max(c.MaxOTLPBytes/16, 1<<16)),
	}
}

// Register adds the ingest routes to mux; call it once per mux, before
// serving. Each route is registered without a method so that its handler
// answers other methods itself: 405 with Allow and a JSON body, where
// ServeMux would answer in plain text.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("/v1/traces", h.serveTraces)
	mux.HandleFunc("/v1/metrics", h.serveMetrics)
	mux.HandleFunc("/v3/auth/token", h.serveToken)
	for _, kind := range []uploadKind{uploadLogs, uploadScripts, uploadObjects} {
		serve := h.uploadHandler(kind)
		// Both spellings: with only one, ServeMux would redirect the other,
		// and a redirected POST loses its body.
		mux.HandleFunc("/v4/"+string(kind)+"/upload", serve)
		mux.HandleFunc("/v4/"+string(kind)+"/upload/{$}", serve)
	}
}

// hostURL is the default PublicURL: the scheme and Host the request came
// with.
func hostURL(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// publicURL is the configured base URL without a trailing slash.
func (h *Handler) publicURL(r *http.Request) string {
	return strings.TrimRight(h.cfg.PublicURL(r), "/")
}

// tryAcquire takes a decode slot without waiting.
func (h *Handler) tryAcquire() bool {
	select {
	case h.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

func (h *Handler) release() { <-h.slots }

// allowPost answers 405 unless r is a POST.
func allowPost(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodPost {
		return true
	}
	w.Header().Set("Allow", http.MethodPost)
	writeJSONError(w, http.StatusMethodNotAllowed, r.Method+" is not supported here: send a POST")
	return false
}

// authorized answers 401 when tokens are required and r has no valid one.
func (h *Handler) authorized(w http.ResponseWriter, r *http.Request) bool {
	if err := h.auth.Check(r); err != nil {
		unauthorized(w, err)
		return false
	}
	return true
}

func unauthorized(w http.ResponseWriter, err error) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="agentops"`)
	writeJSONError(w, http.StatusUnauthorized, err.Error())
}

// isRetryable reports whether a Writer error means "try again later".
func isRetryable(err error) bool {
	return errors.Is(err, model.ErrOverloaded) || errors.Is(err, model.ErrClosed) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// retryAfterSeconds is the Retry-After of every 503.
const retryAfterSeconds = "1"

func writeJSONError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

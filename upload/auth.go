package upload

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

var (
	// ErrAPIKeyRejected means the backend refused the API key (400 or 403 at
	// /v3/auth/token). It is final: nothing is retried until the program is
	// restarted with another key.
	ErrAPIKeyRejected = errors.New("API key rejected")
	// ErrNoAuthEndpoint means the API base has no /v3/auth/token (404): the
	// endpoint is most likely not an AgentOps API.
	ErrNoAuthEndpoint = errors.New("no /v3/auth/token at this endpoint")
	// ErrClosed is returned by calls made after Close.
	ErrClosed = errors.New("upload: closed")
)

const (
	tokenPath = "/v3/auth/token"
	// maxAuthResponse bounds what is read of an auth answer; a token is a
	// few hundred bytes.
	maxAuthResponse = 1 << 20
	retryMin        = 500 * time.Millisecond
	retryMax        = 30 * time.Second
	// refreshShare is how much of a token's lifetime passes before it is
	// renewed in the background; the old token stays in use meanwhile.
	refreshShare = 0.8
)

// AuthConfig configures an [Auth].
type AuthConfig struct {
	// Endpoint is the API base URL, e.g. https://api.agentops.ai.
	Endpoint string
	// APIKey is the AgentOps project API key (a UUID).
	APIKey string
	// HTTPClient sends the token requests; nil means http.DefaultClient.
	HTTPClient *http.Client
	// UserAgent is sent with every token request.
	UserAgent string
	// ErrorHandler receives background failures: an unreachable backend
	// (each failed attempt) and a rejected key (once). nil drops them.
	ErrorHandler func(error)
}

// Auth holds the JWT that the AgentOps API issues for an API key. It is safe
// for concurrent use.
type Auth struct {
	cfg    AuthConfig
	client *http.Client
	now    func() time.Time

	ctx    context.Context // ends at Close; bounds the background fetch
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	token     string
	projectID string
	expiresAt time.Time
	refreshAt time.Time
	fetching  chan struct{} // closed when the running fetch ends; nil when none runs
	lastErr   error         // of the latest failed attempt, for waiters' messages
	final     error         // ErrAPIKeyRejected, ErrNoAuthEndpoint or ErrClosed
}

// NewAuth returns an Auth that has not contacted the backend yet; call
// [Auth.Start] to fetch the first token in the background.
func NewAuth(cfg AuthConfig) *Auth {
	client := cfg.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Auth{cfg: cfg, client: client, now: time.Now, ctx: ctx, cancel: cancel}
}

// Start begins fetching the first token in the background. It never blocks.
func (a *Auth) Start() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.fetchLocked()
}

// Token returns a valid token, waiting for one to arrive if none is held.
// The wait ends with ctx; the error then says what the last attempt met.
// Once the key has been rejected Token fails at once with an error wrapping
// [ErrAPIKeyRejected].
func (a *Auth) Token(ctx context.Context) (string, error) {
	for {
		a.mu.Lock()
		if a.final != nil {
			err := a.final
			a.mu.Unlock()
			return "", err
		}
		if now := a.now(); a.token != "" && now.Before(a.expiresAt) {
			if !now.Before(a.refreshAt) {
				a.fetchLocked()
			}
			tok := a.token
			a.mu.Unlock()
			return tok, nil
		}
		done := a.fetchLocked()
		a.mu.Unlock()

		select {
		case <-done:
		case <-ctx.Done():
			a.mu.Lock()
			last := a.lastErr
			a.mu.Unlock()
			if last == nil {
				last = errors.New("no answer yet")
			}
			return "", fmt.Errorf("agentops: waited for an auth token from %s until %w; last attempt: %w",
				a.cfg.Endpoint+tokenPath, context.Cause(ctx), last)
		}
	}
}

// Invalidate drops token if it is still the one held, so that the next
// [Auth.Token] call fetches a new one. Callers pass the token a 401 refused,
// which keeps many concurrent 401s from causing many re-authentications.
func (a *Auth) Invalidate(token string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.token == token {
		a.token = ""
	}
}

// ProjectID returns the project the key belongs to, once a token arrived.
func (a *Auth) ProjectID() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.projectID
}

// Close stops any background fetch and waits for it to end. Later calls to
// Token fail with [ErrClosed].
func (a *Auth) Close() {
	a.mu.Lock()
	if a.final == nil {
		a.final = ErrClosed
	}
	a.mu.Unlock()
	a.cancel()
	a.wg.Wait()
}

// String describes the Auth without revealing the key or the token.
func (a *Auth) String() string {
	return fmt.Sprintf("upload.Auth{endpoint: %s, key: %s}", a.cfg.Endpoint, RedactKey(a.cfg.APIKey))
}

// fetchLocked starts a background fetch unless one runs, and returns the
// channel closed when it ends. a.mu must be held.
func (a *Auth) fetchLocked() chan struct{} {
	if a.fetching != nil {
		return a.fetching
	}
	done := make(chan struct{})
	if a.final != nil {
		close(done)
		return done
	}
	a.fetching = done
	a.wg.Add(1)
	go a.fetch(done)
	return done
}

// fetch asks for a token until one arrives, the key is refused, or Close.
// Transient failures (network, 429, 5xx) are retried with backoff and
// Retry-After, reported each time so a down backend is visible.
func (a *Auth) fetch(done chan struct{}) {
	defer a.wg.Done()
	for attempt := 0; ; attempt++ {
		res, wait, err := a.request()
		a.mu.Lock()
		switch {
		case err == nil:
			a.token, a.projectID, a.lastErr = res.Token, res.ProjectID, nil
			a.setExpiryLocked(res.Token)
		case errors.Is(err, ErrAPIKeyRejected) || errors.Is(err, ErrNoAuthEndpoint):
			a.final, a.lastErr = err, err
		default:
			a.lastErr = err
		}
		retry := err != nil && a.final == nil && a.ctx.Err() == nil
		if !retry {
			a.fetching = nil
		}
		a.mu.Unlock()
		// Reported before the waiters are released: by the time Token
		// fails, the error handler has heard why.
		if err != nil && a.cfg.ErrorHandler != nil && a.ctx.Err() == nil {
			a.cfg.ErrorHandler(err)
		}
		if !retry {
			close(done)
			return
		}
		pause(a.ctx, wait, attempt) // a.ctx ending is seen by the next attempt
	}
}

// setExpiryLocked reads the JWT's exp claim (the token is not verified: it
// is the server's to check) and schedules a renewal well before it.
func (a *Auth) setExpiryLocked(token string) {
	now := a.now()
	exp, ok := jwtExpiry(token)
	if !ok || !exp.After(now) {
		// Unknown lifetime: keep it until a 401 says otherwise.
		a.expiresAt, a.refreshAt = now.Add(100*365*24*time.Hour), now.Add(100*365*24*time.Hour)
		return
	}
	a.expiresAt = exp
	a.refreshAt = now.Add(time.Duration(float64(exp.Sub(now)) * refreshShare))
}

type tokenResponse struct {
	Token     string `json:"token"`
	ProjectID string `json:"project_id"`
	Error     string `json:"error"`
}

// request makes one token request. wait is the server's Retry-After, if any.
func (a *Auth) request() (res tokenResponse, wait time.Duration, err error) {
	body, _ := json.Marshal(map[string]string{"api_key": a.cfg.APIKey})
	url := a.cfg.Endpoint + tokenPath
	req, err := http.NewRequestWithContext(a.ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return res, 0, fmt.Errorf("agentops: building the auth request for %s: %w", url, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if a.cfg.UserAgent != "" {
		req.Header.Set("User-Agent", a.cfg.UserAgent)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return res, 0, fmt.Errorf("agentops: could not reach %s to authenticate (retrying; is AGENTOPS_API_ENDPOINT right and the backend up?): %w",
			url, redactErr(err, a.cfg.APIKey))
	}
	defer drainClose(resp.Body)
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxAuthResponse))
	_ = json.Unmarshal(raw, &res)

	switch code := resp.StatusCode; {
	case code == http.StatusOK && res.Token != "":
		return res, 0, nil
	case code == http.StatusOK:
		return res, 0, fmt.Errorf("agentops: %s answered 200 without a token (retrying)", url)
	case code == http.StatusBadRequest || code == http.StatusUnauthorized || code == http.StatusForbidden:
		return res, 0, fmt.Errorf("agentops: %w by %s (%d %s) for the key %s: spans and uploads will not be sent; check AGENTOPS_API_KEY or WithAPIKey",
			ErrAPIKeyRejected, url, code, reason(res.Error, raw), RedactKey(a.cfg.APIKey))
	case code == http.StatusNotFound:
		return res, 0, fmt.Errorf("agentops: %w: %s answered 404; is AGENTOPS_API_ENDPOINT an AgentOps API (or `agentops serve`)?",
			ErrNoAuthEndpoint, url)
	default:
		wait, _ = retryAfter(resp.Header, a.now())
		return res, wait, fmt.Errorf("agentops: %s answered %d %s while authenticating (retrying)", url, code, reason(res.Error, raw))
	}
}

// reason picks the most readable explanation out of an error answer.
func reason(field string, raw []byte) string {
	if field != "" {
		return field
	}
	s := strings.TrimSpace(string(raw))
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	if s == "" {
		return "(empty body)"
	}
	return s
}

// jwtExpiry reads the exp claim of a JWT without verifying it.
func jwtExpiry(token string) (time.Time, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}, false
	}
	var claims struct {
		Exp float64 `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Exp <= 0 {
		return time.Time{}, false
	}
	return time.Unix(int64(claims.Exp), 0), true
}

// drainClose reads what is left of a body (bounded) so the connection can
// be reused, then closes it.
func drainClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, maxAuthResponse))
	_ = body.Close()
}

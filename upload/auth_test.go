package upload

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/agentops-go/agentops/internal/fakebackend"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const key = "3f2b9c1e-8a4d-4e6f-9b7a-1c2d3e4f5a6b"

func newAuth(t *testing.T, endpoint string, handler func(error)) *Auth {
	a := NewAuth(AuthConfig{Endpoint: endpoint, APIKey: key, UserAgent: "agentops-go/test", ErrorHandler: handler})
	t.Cleanup(a.Close)
	return a
}

func TestTokenWaitsForTheAnswerAndFetchesOnce(t *testing.T) {
	b := fakebackend.New(t)
	b.SetAuthDelay(300 * time.Millisecond)
	a := newAuth(t, b.URL, nil)
	a.Start()

	var wg sync.WaitGroup
	tokens := make([]string, 8)
	for i := range tokens {
		wg.Go(func() {
			tok, err := a.Token(context.Background())
			assert.NoError(t, err)
			tokens[i] = tok
		})
	}
	wg.Wait()
	for _, tok := range tokens {
		assert.Equal(t, tokens[0], tok)
	}
	assert.Equal(t, 3, len(strings.Split(tokens[0], ".")), "a JWT")
	assert.Equal(t, 1, b.AuthRequests(), "concurrent callers share one request")
	assert.Equal(t, b.ProjectID(), a.ProjectID())
}

func TestTokenWaitIsBoundedByContext(t *testing.T) {
	b := fakebackend.New(t)
	b.SetAuthStatus(http.StatusBadGateway)
	a := newAuth(t, b.URL, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := a.Token(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), b.URL+"/v3/auth/token")
	assert.Contains(t, err.Error(), "502", "the message says what the last attempt met")
}

func TestRejectedKeyIsFinalAndReportedOnce(t *testing.T) {
	b := fakebackend.New(t)
	b.SetValidKeys("00000000-0000-0000-0000-000000000000")
	var reports []error
	var mu sync.Mutex
	a := newAuth(t, b.URL, func(err error) { mu.Lock(); reports = append(reports, err); mu.Unlock() })
	for range 3 {
		_, err := a.Token(context.Background())
		require.ErrorIs(t, err, ErrAPIKeyRejected)
		assert.NotContains(t, err.Error(), key)
		assert.Contains(t, err.Error(), "403")
	}
	assert.Equal(t, 1, b.AuthRequests())
	mu.Lock()
	defer mu.Unlock()
	assert.Len(t, reports, 1)
}

func TestNotAnAgentOpsEndpoint(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	a := newAuth(t, srv.URL, nil)
	_, err := a.Token(context.Background())
	require.ErrorIs(t, err, ErrNoAuthEndpoint)
	assert.Contains(t, err.Error(), "AGENTOPS_API_ENDPOINT")
}

func TestRetryAfterIsHonoured(t *testing.T) {
	var calls atomic.Int32
	var times []time.Time
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		times = append(times, time.Now())
		mu.Unlock()
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"token": "a.b.c"})
	}))
	defer srv.Close()
	a := newAuth(t, srv.URL, nil)
	tok, err := a.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "a.b.c", tok)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, times, 2)
	assert.GreaterOrEqual(t, times[1].Sub(times[0]), 900*time.Millisecond, "waited as Retry-After asked")
}

func TestRefreshBeforeExpiry(t *testing.T) {
	b := fakebackend.New(t)
	b.SetTokenTTL(time.Hour)
	a := newAuth(t, b.URL, nil)
	first, err := a.Token(context.Background())
	require.NoError(t, err)

	// 50 minutes later the token is still valid, but due for renewal: it is
	// still handed out while a new one is fetched in the background.
	later := time.Now().Add(50 * time.Minute)
	a.mu.Lock()
	a.now = func() time.Time { return later }
	a.mu.Unlock()
	again, err := a.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, first, again, "no caller waits for a renewal")
	require.Eventually(t, func() bool {
		tok, _ := a.Token(context.Background())
		return tok != first
	}, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, 2, b.AuthRequests())
}

func TestInvalidateOnlyDropsTheNamedToken(t *testing.T) {
	b := fakebackend.New(t)
	a := newAuth(t, b.URL, nil)
	first, err := a.Token(context.Background())
	require.NoError(t, err)
	a.Invalidate("some-older-token")
	same, _ := a.Token(context.Background())
	assert.Equal(t, first, same, "a 401 for an old token does not cost a re-authentication")
	a.Invalidate(first)
	fresh, err := a.Token(context.Background())
	require.NoError(t, err)
	assert.NotEqual(t, first, fresh)
	assert.Equal(t, 2, b.AuthRequests())
}

func TestCloseStopsRetrying(t *testing.T) {
	b := fakebackend.New(t)
	b.SetAuthStatus(http.StatusServiceUnavailable)
	a := NewAuth(AuthConfig{Endpoint: b.URL, APIKey: key})
	a.Start()
	require.Eventually(t, func() bool { return b.AuthRequests() >= 1 }, 5*time.Second, 5*time.Millisecond)
	a.Close()
	n := b.AuthRequests()
	_, err := a.Token(context.Background())
	require.ErrorIs(t, err, ErrClosed)
	time.Sleep(700 * time.Millisecond) // past the first backoff
	assert.Equal(t, n, b.AuthRequests(), "no request after Close")
}

func TestStringNeverShowsTheKey(t *testing.T) {
	a := NewAuth(AuthConfig{Endpoint: "https://api.example", APIKey: key})
	defer a.Close()
	s := a.String()
	assert.NotContains(t, s, key)
	assert.Contains(t, s, "****5a6b")
	assert.Equal(t, "****", RedactKey("short"))
	assert.Equal(t, "(none)", RedactKey(""))
}

func TestJWTExpiry(t *testing.T) {
	seg := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	exp, ok := jwtExpiry("h." + seg(map[string]any{"exp": 1900000000}) + ".s")
	require.True(t, ok)
	assert.Equal(t, int64(1900000000), exp.Unix())
	for _, bad := range []string{"", "a.b", "h.!!!.s", "h." + seg(map[string]any{"sub": "x"}) + ".s"} {
		_, ok := jwtExpiry(bad)
		assert.False(t, ok, bad)
	}
}

func TestBackoffAndRetryAfter(t *testing.T) {
	for attempt := range 10 {
		d := backoff(time.Second, 8*time.Second, attempt)
		ceiling := min(time.Second<<attempt, 8*time.Second)
		assert.GreaterOrEqual(t, d, ceiling/2, "attempt %d", attempt)
		assert.LessOrEqual(t, d, ceiling, "attempt %d", attempt)
	}
	now := time.Now()
	d, ok := retryAfter(http.Header{"Retry-After": {"3"}}, now)
	assert.True(t, ok)
	assert.Equal(t, 3*time.Second, d)
	d, ok = retryAfter(http.Header{"Retry-After": {now.Add(10 * time.Second).UTC().Format(http.TimeFormat)}}, now)
	assert.True(t, ok)
	assert.InDelta(t, 10*time.Second, d, float64(time.Second))
	_, ok = retryAfter(http.Header{"Retry-After": {"soon"}}, now)
	assert.False(t, ok)
}

func TestTransportRetriesOnceWithFreshTokenAndReplaysBody(t *testing.T) {
	b := fakebackend.New(t)
	a := newAuth(t, b.URL, nil)
	stale, err := a.Token(context.Background())
	require.NoError(t, err)

	var bodies []string
	var auths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(body))
		auths = append(auths, r.Header.Get("Authorization"))
		if r.Header.Get("Authorization") == "Bearer "+stale {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		assert.Equal(t, "agentops-go/test Go-http-client/1.1", r.Header.Get("User-Agent"))
	}))
	defer srv.Close()

	client := &http.Client{Transport: &Transport{Auth: a, UserAgent: "agentops-go/test"}}
	req, err := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("payload"))
	require.NoError(t, err)
	req.Header.Set("User-Agent", "Go-http-client/1.1")
	resp, err := client.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()

	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, []string{"payload", "payload"}, bodies, "the body was sent again")
	require.Len(t, auths, 2)
	assert.NotEqual(t, auths[0], auths[1])
	assert.Empty(t, req.Header.Get("Authorization"), "the caller's request is not mutated")
	assert.Equal(t, 2, b.AuthRequests())
}

func TestTransportGivesUpAfterOneRetry(t *testing.T) {
	b := fakebackend.New(t)
	a := newAuth(t, b.URL, nil)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	resp, err := (&http.Client{Transport: &Transport{Auth: a}}).Get(srv.URL)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, int32(2), hits.Load(), "one retry, not a loop")
}

func TestTransportWithoutAuth(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Empty(t, r.Header.Get("Authorization"))
		assert.True(t, strings.HasPrefix(r.Header.Get("User-Agent"), "agentops-go/test"))
	}))
	defer srv.Close()
	resp, err := (&http.Client{Transport: &Transport{UserAgent: "agentops-go/test"}}).Get(srv.URL)
	require.NoError(t, err)
	_ = resp.Body.Close()
}

func TestTransportFailsClearlyWithoutToken(t *testing.T) {
	b := fakebackend.New(t)
	b.SetValidKeys()
	a := newAuth(t, b.URL, nil)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	_, err := (&http.Client{Transport: &Transport{Auth: a}}).Post(srv.URL, "text/plain", strings.NewReader("x"))
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrAPIKeyRejected), "%v", err)
	assert.Zero(t, hits.Load(), "nothing is sent without a token")
}

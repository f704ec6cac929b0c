package agentops

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/internal/fakebackend"
)

func endOneSession(name string) {
	ctx, s := StartSession(context.Background(), name)
	_, span := StartSpan(ctx, KindTool, name+"-tool")
	span.End(nil)
	s.End(Success)
}

func TestOTLPCarriesBearerToken(t *testing.T) {
	b := fakebackend.New(t)
	b.SetRequireAuth(true)
	c := newTestClient(t, b, WithAPIKey(testKey))
	endOneSession("authed")
	flush(t, c)

	b.WaitForSpans(t, 2, 5*time.Second)
	reqs := b.OTLPRequests()
	require.NotEmpty(t, reqs)
	for _, r := range reqs {
		assert.Equal(t, 200, r.Status)
		auth := r.Header.Get("Authorization")
		assert.True(t, strings.HasPrefix(auth, "Bearer ey"), "bearer JWT, got %q", auth)
		assert.True(t, strings.HasPrefix(r.Header.Get("User-Agent"), "agentops-go/"+Version), r.Header.Get("User-Agent"))
		assert.Equal(t, "application/x-protobuf", r.Header.Get("Content-Type"))
		assert.Equal(t, "gzip", r.Header.Get("Content-Encoding"), "compressed by default")
	}
	assert.Equal(t, 1, b.AuthRequests())
}

func TestNoKeyNoAuthorization(t *testing.T) {
	b := fakebackend.New(t)
	c := newTestClient(t, b)
	endOneSession("open")
	flush(t, c)
	b.WaitForSpans(t, 2, 5*time.Second)
	for _, r := range b.OTLPRequests() {
		assert.Empty(t, r.Header.Get("Authorization"))
	}
	assert.Zero(t, b.AuthRequests(), "no key, no token request")
}

// The AgentOps Python SDK exports before its token arrives and loses the
// first spans to 401s. Here the exporter waits for the token.
func TestNoSpanLostWhileTokenIsDelayed(t *testing.T) {
	b := fakebackend.New(t)
	b.SetRequireAuth(true)
	b.SetAuthDelay(3 * time.Second)
	start := time.Now()
	c := newTestClient(t, b, WithAPIKey(testKey))
	require.Less(t, time.Since(start), time.Second, "Init does not wait for the network")

	for _, name := range []string{"early1", "early2", "early3"} {
		endOneSession(name)
	}
	flush(t, c)

	spans := b.WaitForSpans(t, 6, 5*time.Second)
	assert.Len(t, spans, 6)
	assert.GreaterOrEqual(t, time.Since(start), 3*time.Second, "the export waited for the token")
	for _, r := range b.OTLPRequests() {
		assert.Equal(t, 200, r.Status, "no request was sent without a token")
	}
	assert.Equal(t, 1, b.AuthRequests())
}

func TestReauthenticatesOnceAfter401(t *testing.T) {
	b := fakebackend.New(t)
	b.SetRequireAuth(true)
	c := newTestClient(t, b, WithAPIKey(testKey))
	endOneSession("before")
	flush(t, c)
	b.WaitForSpans(t, 2, 5*time.Second)

	b.RevokeTokens() // e.g. the backend rotated its signing secret
	endOneSession("after")
	flush(t, c)

	spans := byName(t, b.WaitForSpans(t, 4, 5*time.Second))
	assert.Contains(t, spans, "after.session")
	assert.Equal(t, 2, b.AuthRequests(), "one re-authentication")
	var statuses []int
	for _, r := range b.OTLPRequests() {
		statuses = append(statuses, r.Status)
	}
	assert.Equal(t, 1, countOf(statuses, 401), "one refused request, then the retry: %v", statuses)
}

func TestRejectedKeyLogsOnce(t *testing.T) {
	b := fakebackend.New(t)
	b.SetValidKeys("00000000-0000-0000-0000-000000000000")
	logs := &logBuffer{}
	c := newTestClient(t, b, WithAPIKey(testKey), WithLogger(logs.logger()))

	var flushErr error
	for range 5 {
		endOneSession("rejected")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := c.ForceFlush(ctx); err != nil {
			flushErr = err
		}
		cancel()
	}
	require.Error(t, flushErr, "ForceFlush says the spans were not exported")
	assert.True(t, errors.Is(flushErr, ErrAPIKeyRejected), "%v", flushErr)

	out := logs.String()
	assert.Equal(t, 1, strings.Count(out, "API key rejected"), "one message, not one per batch:\n%s", out)
	assert.Contains(t, out, "AGENTOPS_API_KEY", "the message says what to check")
	assert.NotContains(t, out, testKey, "the key is never logged")
	assert.Contains(t, out, testKey[len(testKey)-4:], "its last four characters tell keys apart")
	assert.Equal(t, 1, b.AuthRequests(), "a rejected key is not retried")
	assert.Empty(t, b.Spans())
}

func TestAuthRetriesWhileBackendFails(t *testing.T) {
	b := fakebackend.New(t)
	b.SetRequireAuth(true)
	b.SetAuthStatus(503)
	c := newTestClient(t, b, WithAPIKey(testKey))
	endOneSession("patient")
	time.AfterFunc(700*time.Millisecond, func() { b.SetAuthStatus(0) })
	flush(t, c)

	b.WaitForSpans(t, 2, 5*time.Second)
	assert.GreaterOrEqual(t, b.AuthRequests(), 2)
}

func countOf[T comparable](xs []T, x T) int {
	n := 0
	for _, v := range xs {
		if v == x {
			n++
		}
	}
	return n
}

package upload

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/internal/fakebackend"
)

var traceTen = [16]byte{15: 10} // 0000…000a: "10" in decimal

func newUploader(t *testing.T, b *fakebackend.Backend, cfg Config) *Client {
	a := newAuth(t, b.URL, nil)
	cfg.Endpoint = b.URL
	cfg.HTTPClient = &http.Client{Transport: &Transport{Auth: a, UserAgent: "agentops-go/test"}}
	return NewClient(cfg)
}

func TestTraceIDDecimal(t *testing.T) {
	assert.Equal(t, "10", TraceIDDecimal(traceTen))
	assert.Equal(t, "0", TraceIDDecimal([16]byte{}))
	var max [16]byte
	for i := range max {
		max[i] = 0xff
	}
	assert.Equal(t, "340282366920938463463374607431768211455", TraceIDDecimal(max))
}

func TestUploadLogsWireFormat(t *testing.T) {
	b := fakebackend.New(t)
	b.SetRequireAuth(true)
	c := newUploader(t, b, Config{})
	res, err := c.UploadLogs(context.Background(), traceTen, "2026-11-21 10:00:00,000 - INFO - hello")
	require.NoError(t, err)
	assert.Equal(t, "logs", res.Kind)
	assert.NotEmpty(t, res.URL)

	ups := b.WaitForUploads(t, 1, 5*time.Second)
	up := ups[0]
	assert.Equal(t, "logs", up.Kind)
	assert.Equal(t, "10", up.Header.Get("Trace-Id"), "decimal, as the AgentOps dashboard looks it up")
	assert.Equal(t, "0000000000000000000000000000000a", up.TraceID)
	assert.Equal(t, "\n2026-11-21 10:00:00,000 - INFO - hello", up.Body, "starts with a newline: the viewer drops the first line")
	assert.True(t, strings.HasPrefix(up.Header.Get("Authorization"), "Bearer "))
	assert.Equal(t, "application/json", up.Header.Get("Content-Type"))
	assert.Equal(t, int64(len(up.Body)), res.Size)
}

func TestScriptsFallBackToObjectsOn404(t *testing.T) {
	b := fakebackend.New(t)
	b.SetScriptsNotFound(true)
	c := newUploader(t, b, Config{})
	res, err := c.UploadScript(context.Background(), traceTen, "cmd/agent/main.go", "package main")
	require.NoError(t, err)
	assert.Equal(t, "objects", res.Kind)
	res, err = c.UploadScript(context.Background(), traceTen, "go.mod", "module x")
	require.NoError(t, err)
	assert.Equal(t, "objects", res.Kind)

	var kinds []string
	for _, u := range b.Uploads() {
		kinds = append(kinds, u.Kind+":"+itoa(u.Status))
	}
	assert.Equal(t, []string{"scripts:404", "objects:200", "objects:200"}, kinds, "404 once, then straight to objects")
}

func TestScriptUploadCarriesFilename(t *testing.T) {
	b := fakebackend.New(t)
	c := newUploader(t, b, Config{})
	res, err := c.UploadScript(context.Background(), traceTen, "internal/tools/search.go", "package tools")
	require.NoError(t, err)
	assert.Equal(t, "scripts", res.Kind)
	up := b.WaitForUploads(t, 1, 5*time.Second)[0]
	assert.Equal(t, "internal/tools/search.go", up.Header.Get("Filename"))
	assert.Equal(t, "10", up.Header.Get("Trace-Id"))
	assert.Equal(t, "package tools", up.Body)
}

func TestTraversalIsRefusedBeforeSending(t *testing.T) {
	b := fakebackend.New(t)
	c := newUploader(t, b, Config{})
	for _, name := range []string{"../etc/passwd", "/etc/passwd", "a/../../b", `a\b`, "a\x00b", "", "./x", "a//b"} {
		_, err := c.UploadScript(context.Background(), traceTen, name, "x")
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), "refusing", name)
	}
	assert.Empty(t, b.Uploads(), "nothing was sent")
}

func TestRetriesUntilTheBackendRecovers(t *testing.T) {
	b := fakebackend.New(t)
	b.SetUploadStatuses(503, 503)
	c := newUploader(t, b, Config{})
	_, err := c.UploadObject(context.Background(), "payload")
	require.NoError(t, err)
	var statuses []int
	for _, u := range b.Uploads() {
		statuses = append(statuses, u.Status)
	}
	assert.Equal(t, []int{503, 503, 200}, statuses)
	assert.Len(t, b.WaitForUploads(t, 1, time.Second), 1, "received once")
}

func TestNonRetryableFailsAtOnce(t *testing.T) {
	b := fakebackend.New(t)
	b.SetUploadStatuses(400)
	c := newUploader(t, b, Config{})
	_, err := c.UploadObject(context.Background(), "payload")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "400")
	assert.Len(t, b.Uploads(), 1, "no retry for a 400")
}

func TestGivesUpWithinBounds(t *testing.T) {
	b := fakebackend.New(t)
	b.SetUploadStatuses(503, 503, 503, 503, 503, 503, 503, 503, 503, 503)
	c := newUploader(t, b, Config{MaxElapsed: 2 * time.Second, MaxAttempts: 3})
	start := time.Now()
	_, err := c.UploadObject(context.Background(), "x")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "gave up after 3 attempts")
	assert.Contains(t, err.Error(), "503", "the message says what the last attempt met")
	assert.Less(t, time.Since(start), 3*time.Second)
	assert.Len(t, b.Uploads(), 3)

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	c = newUploader(t, b, Config{MaxAttempts: 100})
	start = time.Now()
	_, err = c.UploadObject(ctx, "x")
	require.ErrorIs(t, err, context.DeadlineExceeded, "stops when ctx ends")
	assert.Less(t, time.Since(start), time.Second)
}

// A refused connection means no backend: one attempt, and a message that
// says what to check, so Shutdown does not spend its deadline retrying.
func TestRefusedConnectionIsNotRetried(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close()) // nothing listens: connection refused

	c := NewClient(Config{Endpoint: "http://" + addr, MaxAttempts: 100})
	start := time.Now()
	_, err = c.UploadObject(context.Background(), "x")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "connection refused")
	assert.Contains(t, err.Error(), "agentops serve")
	assert.NotContains(t, err.Error(), "gave up after", "no retries")
	assert.Less(t, time.Since(start), time.Second)
}

func TestOversizedBodyIsCutWithMarker(t *testing.T) {
	b := fakebackend.New(t)
	c := newUploader(t, b, Config{MaxBody: 10_000})
	var text strings.Builder
	for i := 0; text.Len() < 50_000; i++ {
		text.WriteString("line " + itoa(i) + ` with "quotes" and <html> & unicode é` + "\n")
	}
	res, err := c.UploadObject(context.Background(), text.String())
	require.NoError(t, err)
	assert.True(t, res.Truncated)
	up := b.WaitForUploads(t, 1, 5*time.Second)[0]
	assert.Contains(t, up.Body, "[agentops: truncated:")
	assert.True(t, strings.HasPrefix(text.String(), strings.SplitN(up.Body, "\n[agentops", 2)[0]), "the start is kept as it was, cut at a line end")

	body, cut := envelope(text.String(), 10_000)
	assert.True(t, cut)
	assert.LessOrEqual(t, len(body), 10_000)
	var env struct{ Body string }
	require.NoError(t, json.Unmarshal(body, &env), "still valid JSON")

	small, cut := envelope("fits", 10_000)
	assert.False(t, cut)
	assert.JSONEq(t, `{"body":"fits"}`, string(small))
}

func TestClientStringHasNoSecret(t *testing.T) {
	c := NewClient(Config{Endpoint: "https://api.example/"})
	assert.Equal(t, "upload.Client{endpoint: https://api.example}", c.String())
}

func itoa(i int) string { return strconv.Itoa(i) }

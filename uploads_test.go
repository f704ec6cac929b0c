package agentops

import (
	"context"
	"errors"
	"log"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/internal/fakebackend"
	"github.com/agentops-go/agentops/internal/sources"
	"github.com/agentops-go/agentops/upload"
)

var lineRE = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - (DEBUG|INFO|WARNING|ERROR|CRITICAL) - `)

// uploadsOf returns the successful uploads of kind.
func uploadsOf(b *fakebackend.Backend, kind string) []fakebackend.Upload {
	var out []fakebackend.Upload
	for _, u := range b.Uploads() {
		if u.Kind == kind && u.Status == 200 {
			out = append(out, u)
		}
	}
	return out
}

func TestConcurrentSessionsGetTheirOwnLogLines(t *testing.T) {
	b := fakebackend.New(t)
	b.SetRequireAuth(true)
	c := newTestClient(t, b, WithAPIKey(testKey))
	logger := slog.New(NewSlogHandler(slog.NewTextHandler(&logBuffer{}, nil)))

	ctxA, a := StartSession(context.Background(), "alpha")
	ctxB, bb := StartSession(context.Background(), "beta")
	var wg sync.WaitGroup
	for _, s := range []struct {
		ctx  context.Context
		name string
	}{{ctxA, "alpha"}, {ctxB, "beta"}} {
		wg.Go(func() {
			for i := range 20 {
				spanCtx, span := StartSpan(s.ctx, KindTool, "step")
				logger.InfoContext(spanCtx, "working", "session", s.name, "i", i)
				span.End(nil)
			}
		})
	}
	wg.Wait()
	logger.Warn("no session in this context")
	a.End(Success)
	bb.End(Success)
	flush(t, c)

	logs := uploadsOf(b, "logs")
	require.Len(t, logs, 2)
	byTrace := map[string]string{}
	for _, u := range logs {
		byTrace[u.TraceID] = u.Body
		assert.True(t, strings.HasPrefix(u.Body, "\n"), "the text starts with a newline")
		assert.True(t, strings.HasPrefix(u.Header.Get("Authorization"), "Bearer "))
	}
	for _, s := range []*Session{a, bb} {
		body, ok := byTrace[s.TraceID().String()]
		require.True(t, ok, "an upload for %s", s.Name())
		lines := strings.Split(strings.TrimPrefix(body, "\n"), "\n")
		require.Len(t, lines, 21, "its 20 lines and the session-less one:\n%s", body)
		for _, l := range lines[:20] {
			assert.Regexp(t, lineRE, l)
			assert.Contains(t, l, "INFO - working session="+s.Name()+" i=", "only its own lines")
		}
		assert.Regexp(t, lineRE, lines[20])
		assert.Contains(t, lines[20], "WARNING - no session in this context")
	}
	for _, u := range logs {
		var want string
		for _, s := range []*Session{a, bb} {
			if s.TraceID().String() == u.TraceID {
				want = upload.TraceIDDecimal(s.TraceID())
			}
		}
		assert.Equal(t, want, u.Header.Get("Trace-Id"), "Trace-Id is the decimal form of its own trace id")
	}
	assert.False(t, capturedLogs.Active(), "no buffer outlives its session")
}

func TestLogCapIsVisible(t *testing.T) {
	b := fakebackend.New(t)
	c := newTestClient(t, b, WithLogLimits(3, 1<<20))
	logger := slog.New(NewSlogHandler(slog.DiscardHandler))
	ctx, s := StartSession(context.Background(), "chatty")
	for i := range 5 {
		logger.InfoContext(ctx, "line", "n", i)
	}
	s.End(Success)
	flush(t, c)
	logs := uploadsOf(b, "logs")
	require.Len(t, logs, 1)
	body := logs[0].Body
	assert.Contains(t, body, "2 earlier log lines were dropped")
	assert.NotContains(t, body, "n=1")
	assert.Contains(t, body, "n=4")
}

func TestStandardLogWriter(t *testing.T) {
	b := fakebackend.New(t)
	c := newTestClient(t, b)
	var out logBuffer
	std := log.New(LogWriter(&out), "", 0)
	_, s := StartSession(context.Background(), "stdlog")
	std.Print("from the log package")
	s.End(Success)
	flush(t, c)
	assert.Equal(t, "from the log package\n", out.String(), "the writer passes everything on")
	logs := uploadsOf(b, "logs")
	require.Len(t, logs, 1)
	assert.Contains(t, logs[0].Body, " - INFO - from the log package")
}

func TestLogCaptureOff(t *testing.T) {
	b := fakebackend.New(t)
	t.Setenv("AGENTOPS_CAPTURE_LOGS", "false")
	c := newTestClient(t, b)
	logger := slog.New(NewSlogHandler(slog.DiscardHandler))
	ctx, s := StartSession(context.Background(), "quiet")
	logger.InfoContext(ctx, "not captured")
	s.End(Success)
	flush(t, c)
	b.WaitForSpans(t, 1, 5*time.Second)
	assert.Empty(t, uploadsOf(b, "logs"))
}

// The planted secrets never leave the process.
func sourceBundle() fstest.MapFS {
	return fstest.MapFS{
		"go.mod":                {Data: []byte("module example.com/agent\n")},
		"main.go":               {Data: []byte("package main\n\nconst key = \"sk-proj-abcdefghijklmnopqrstuvwx\"\n")},
		"internal/tools/web.go": {Data: []byte("package tools\n")},
		"main_test.go":          {Data: []byte("package main\n")},
		".env":                  {Data: []byte("OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwx\n")},
		"certs/server.key":      {Data: []byte("-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n")},
		"testdata/fixture.go":   {Data: []byte("package fixture\n")},
		"secrets.go":            {Data: []byte("package main\n")},
	}
}

func TestSourcesUploadedOnceFilteredAndRedacted(t *testing.T) {
	b := fakebackend.New(t)
	c := newTestClient(t, b, WithSourceCapture(true), WithSourceFS(sourceBundle()))
	for _, name := range []string{"first", "second"} {
		_, s := StartSession(context.Background(), name)
		s.End(Success)
		flush(t, c)
	}

	scripts := uploadsOf(b, "scripts")
	var names []string
	for _, u := range scripts {
		names = append(names, u.Filename)
		assert.NotContains(t, u.Body, "sk-proj-", "%s arrives redacted", u.Filename)
	}
	assert.ElementsMatch(t, []string{"go.mod", "main.go", "internal/tools/web.go"}, names,
		"no .env, key, testdata, secrets-named or test file; each file once per process")
	for _, u := range scripts {
		if u.Filename == "main.go" {
			assert.Contains(t, u.Body, `const key = "[REDACTED]"`)
		}
	}

	spans := b.WaitForSpans(t, 4, 5*time.Second)
	var manifests []fakebackend.Span
	roots := map[string]fakebackend.Span{}
	for _, s := range spans {
		if s.Name == "agentops.sources" {
			manifests = append(manifests, s)
		}
		if s.ParentSpanID == "" {
			roots[s.TraceID] = s
		}
	}
	require.Len(t, manifests, 2, "every session records which files ran")
	for _, m := range manifests {
		root := roots[m.TraceID]
		assert.Equal(t, root.SpanID, m.ParentSpanID, "under its session's root")
		assert.Equal(t, []string{"go.mod", "internal/tools/web.go", "main.go"}, m.Attrs["agentops.sources.files"])
		urls := m.Attrs["agentops.sources.urls"].([]string)
		assert.Len(t, urls, 3)
		for _, u := range urls {
			assert.True(t, strings.HasPrefix(u, b.URL+"/v4/stored/scripts/"), u)
		}
		assert.Equal(t, "scripts", m.Attrs["agentops.sources.endpoint"])
		assert.Contains(t, m.Attrs["agentops.sources.skipped"], ".env: excluded: environment file",
			"what was left out, and why")
	}
	assert.Equal(t, manifests[0].Attrs["agentops.sources.urls"], manifests[1].Attrs["agentops.sources.urls"],
		"the second session refers to the files the first uploaded")
}

func TestSourcesFallBackToObjects(t *testing.T) {
	b := fakebackend.New(t)
	b.SetScriptsNotFound(true)
	c := newTestClient(t, b, WithSourceCapture(true), WithSourceFS(sourceBundle()))
	_, s := StartSession(context.Background(), "cloud-like")
	s.End(Success)
	flush(t, c)

	assert.Len(t, uploadsOf(b, "objects"), 3)
	m, ok := b.SpanNamed("agentops.sources")
	require.True(t, ok)
	assert.Equal(t, "objects", m.Attrs["agentops.sources.endpoint"])
	for _, u := range m.Attrs["agentops.sources.urls"].([]string) {
		assert.True(t, strings.HasPrefix(u, b.URL+"/v4/stored/objects/"), u)
	}
}

func TestSourcesDiscoveredFromTheRunningProgram(t *testing.T) {
	b := fakebackend.New(t)
	c := newTestClient(t, b, WithSourceCapture(true))
	_, s := StartSession(context.Background(), "self")
	s.End(Success)
	flush(t, c)

	names := map[string]bool{}
	for _, u := range uploadsOf(b, "scripts") {
		names[u.Filename] = true
	}
	assert.True(t, names["agentops.go"], "this module's own files: %v", names)
	assert.True(t, names["go.mod"])
	assert.True(t, names["upload/client.go"])
	for n := range names {
		assert.False(t, strings.HasSuffix(n, "_test.go"), n)
		assert.NotContains(t, n, "testdata/")
	}
	m, ok := b.SpanNamed("agentops.sources")
	require.True(t, ok)
	assert.Equal(t, "github.com/agentops-go/agentops", m.Attrs["agentops.build.module"])
}

func TestUploadRetriedThroughServerErrors(t *testing.T) {
	b := fakebackend.New(t)
	b.SetUploadStatuses(503, 503)
	c := newTestClient(t, b)
	ctx, s := StartSession(context.Background(), "flaky")
	slog.New(NewSlogHandler(slog.DiscardHandler)).InfoContext(ctx, "hello")
	s.End(Success)
	flush(t, c)

	var statuses []int
	for _, u := range b.Uploads() {
		statuses = append(statuses, u.Status)
	}
	assert.Equal(t, []int{503, 503, 200}, statuses)
	assert.Len(t, uploadsOf(b, "logs"), 1, "received once")
}

func TestShutdownWithUploadBackendDown(t *testing.T) {
	var mu sync.Mutex
	var reported []error
	c, err := Init(context.Background(), WithEndpoint(closedPortURL(t)), WithBatchTimeout(time.Hour),
		WithSourceCapture(false), WithErrorHandler(func(err error) { mu.Lock(); reported = append(reported, err); mu.Unlock() }))
	require.NoError(t, err)
	ctx, s := StartSession(context.Background(), "unlucky")
	slog.New(NewSlogHandler(slog.DiscardHandler)).InfoContext(ctx, "this log cannot be delivered")
	s.End(Success)

	sctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	start := time.Now()
	_ = c.Shutdown(sctx) // what failed goes to the error handler
	assert.Less(t, time.Since(start), 500*time.Millisecond,
		"a refused connection is not retried: Shutdown does not spend its deadline on a backend that is not there")

	mu.Lock()
	defer mu.Unlock()
	var msgs []string
	for _, e := range reported {
		msgs = append(msgs, e.Error())
	}
	all := strings.Join(msgs, "\n")
	assert.Contains(t, all, `the log of session "unlucky"`, "the handler heard which upload failed")
	assert.Contains(t, all, "connection refused", "and why")
	assert.False(t, capturedLogs.Active())
}

func TestSourceLoadFailureReportedOnce(t *testing.T) {
	b := fakebackend.New(t)
	var reported []error
	var mu sync.Mutex
	c := newTestClient(t, b, WithSourceCapture(true), WithSourceFS(fstest.MapFS{}),
		WithErrorHandler(func(err error) { mu.Lock(); reported = append(reported, err); mu.Unlock() }))
	for range 3 {
		_, s := StartSession(context.Background(), "no-sources")
		s.End(Success)
	}
	flush(t, c)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, reported, 1, "%v", reported)
	assert.True(t, errors.Is(reported[0], sources.ErrNoSource), "%v", reported[0])
}

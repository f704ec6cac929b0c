package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops"
	"github.com/agentops-go/agentops/agentopstest"
	"github.com/agentops-go/agentops/server/model"
)

const apiKey = "3f2b9c1e-8a4d-4e6f-9b7a-1c2d3e4f5a6b"

func getJSON(t *testing.T, url, token string, out any) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode == http.StatusOK {
		require.NoError(t, json.Unmarshal(body, out), string(body))
	}
	return resp.StatusCode
}

// runAgent is a small instrumented agent: a session with a tool, an LLM
// call with usage and messages, a failed step, logs and source files.
func runAgent(t *testing.T, opts ...agentops.Option) *agentops.Session {
	t.Helper()
	base := []agentops.Option{
		agentops.WithLogger(slog.New(slog.DiscardHandler)),
		agentops.WithSourceFS(fstest.MapFS{
			"go.mod":  {Data: []byte("module example.com/agent\n")},
			"main.go": {Data: []byte("package main\n\nfunc main() {}\n")},
		}),
	}
	c, err := agentops.Init(context.Background(), append(base, opts...)...)
	require.NoError(t, err)
	logger := slog.New(agentops.NewSlogHandler(slog.DiscardHandler))

	ctx, sess := agentops.StartSession(context.Background(), "research", agentops.WithTags("e2e", "v1"))
	_, err = agentops.Run(ctx, agentops.KindTool, "web_search", func(ctx context.Context) (string, error) {
		logger.InfoContext(ctx, "searching", "q", "otel")
		return "3 results", nil
	}, agentops.WithInput(map[string]string{"q": "otel"}))
	require.NoError(t, err)
	_, call := agentops.StartLLM(ctx, agentops.LLMRequest{Provider: "openai", Model: "gpt-4o-mini",
		Messages: []agentops.Message{{Role: "user", Content: "Summarise the results"}}})
	call.End(agentops.LLMResponse{Model: "gpt-4o-mini-2024-07-18",
		Choices: []agentops.Choice{{Message: agentops.Message{Role: "assistant", Content: "OTel is a standard."}, FinishReason: "stop"}},
		Usage:   &agentops.Usage{InputTokens: 1000, OutputTokens: 200, TotalTokens: 1200}}, nil)
	_ = agentops.Do(ctx, agentops.KindTask, "publish", func(context.Context) error { return assert.AnError })
	sess.End(agentops.Success)
	require.NoError(t, c.Shutdown(context.Background()))
	return sess
}

// The SDK against the real local backend: the session, its roll-up, its
// spans with normalised fields, its log and its files.
func TestSDKEndToEnd(t *testing.T) {
	srv := agentopstest.NewServer(t)
	sess := runAgent(t, agentops.WithEndpoint(srv.URL))
	id := sess.TraceID().String()

	var got model.Session
	require.Equal(t, 200, getJSON(t, srv.URL+"/api/sessions/"+id, "", &got))
	assert.Equal(t, "research", got.Name)
	assert.Equal(t, "success", got.Status)
	assert.Equal(t, []string{"e2e", "v1"}, got.Tags)
	assert.EqualValues(t, 1, got.LLMCalls)
	assert.EqualValues(t, 1, got.ToolCalls)
	assert.EqualValues(t, 1, got.Errors)
	assert.EqualValues(t, 1000, got.InputTokens)
	assert.EqualValues(t, 200, got.OutputTokens)
	assert.Greater(t, got.Cost, 0.0, "priced from the embedded table")
	assert.Contains(t, got.Models, "gpt-4o-mini-2024-07-18")
	assert.True(t, got.HasLogs)

	spans := srv.SpansOf(id)
	classes := map[string]model.Span{}
	for _, s := range spans {
		classes[s.Derived.Class] = s
	}
	require.Contains(t, classes, "llm")
	llm := classes["llm"].Derived
	assert.Equal(t, "openai", llm.Provider)
	require.Len(t, llm.Messages, 2)
	assert.Equal(t, "Summarise the results", llm.Messages[0].Content)
	assert.Equal(t, "OTel is a standard.", llm.Messages[1].Content)
	assert.Equal(t, "web_search", classes["tool"].Derived.Tool)

	assert.Contains(t, srv.Logs(id), "INFO - searching q=otel")
	var paths []string
	for _, f := range srv.Files(id) {
		paths = append(paths, f.Path)
	}
	assert.Equal(t, []string{"go.mod", "main.go"}, paths)

	// The session link the SDK prints opens the dashboard's session page
	// (server/ui tests what the page then shows).
	resp, err := http.Get(sess.URL())
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Equal(t, "/sessions?trace_id="+id, resp.Request.URL.RequestURI())
}

// Files uploaded by the first session of a process are listed for the
// second too, through its agentops.sources span.
func TestLaterSessionsReferToUploadedFiles(t *testing.T) {
	srv := agentopstest.NewServer(t)
	c, err := agentops.Init(context.Background(), agentops.WithEndpoint(srv.URL),
		agentops.WithLogger(slog.New(slog.DiscardHandler)),
		agentops.WithSourceFS(fstest.MapFS{"main.go": {Data: []byte("package main\n")}}))
	require.NoError(t, err)
	var ids []string
	for _, name := range []string{"first", "second"} {
		_, s := agentops.StartSession(context.Background(), name)
		s.End(agentops.Success)
		require.NoError(t, c.ForceFlush(context.Background()))
		ids = append(ids, s.TraceID().String())
	}
	require.NoError(t, c.Shutdown(context.Background()))
	for _, id := range ids {
		files := srv.Files(id)
		require.Len(t, files, 1, "session %s", id)
		assert.Equal(t, "package main\n", files[0].Content)
	}
}

func TestClosedModeEndToEnd(t *testing.T) {
	srv := agentopstest.NewServer(t, agentopstest.WithAPIKeys(apiKey))
	sess := runAgent(t, agentops.WithEndpoint(srv.URL), agentops.WithAPIKey(apiKey))
	id := sess.TraceID().String()

	assert.Equal(t, http.StatusUnauthorized, getJSON(t, srv.URL+"/api/sessions/"+id, "", nil), "reads need a token")
	tok, err := srv.Token(apiKey)
	require.NoError(t, err)
	var got model.Session
	require.Equal(t, 200, getJSON(t, srv.URL+"/api/sessions/"+id, tok, &got))
	assert.Equal(t, "research", got.Name, "the SDK authenticated and everything arrived")
	assert.True(t, got.HasLogs)

	resp, err := http.Post(srv.URL+"/v1/traces", "application/x-protobuf", strings.NewReader(""))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "ingest without a token")
	assert.Contains(t, string(body), "bearer token", "the answer says why")

	_, err = srv.Token("00000000-0000-0000-0000-000000000000")
	assert.Error(t, err, "only the configured keys get a token")
}

// Reads while spans keep arriving: run with -race.
func TestReadsDuringContinuousIngest(t *testing.T) {
	srv := agentopstest.NewServer(t)
	c, err := agentops.Init(context.Background(), agentops.WithEndpoint(srv.URL),
		agentops.WithLogger(slog.New(slog.DiscardHandler)), agentops.WithSourceCapture(false),
		agentops.WithBatchTimeout(5*time.Millisecond))
	require.NoError(t, err)
	defer c.Shutdown(context.Background())

	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			ctx, s := agentops.StartSession(context.Background(), "busy")
			for range 5 {
				_, sp := agentops.StartSpan(ctx, agentops.KindTool, "step")
				sp.End(nil)
			}
			s.End(agentops.Success)
		}
	}()
	deadline := time.Now().Add(2 * time.Second)
	reads := 0
	for time.Now().Before(deadline) {
		var page model.SessionPage
		require.Equal(t, 200, getJSON(t, srv.URL+"/api/sessions?limit=20", "", &page))
		for _, s := range page.Sessions {
			var tree []map[string]any
			status := getJSON(t, srv.URL+"/api/sessions/"+s.TraceID+"/spans", "", &tree)
			require.Contains(t, []int{200, 404}, status)
			reads++
		}
	}
	close(stop)
	<-done
	require.NoError(t, c.ForceFlush(context.Background()))
	assert.Greater(t, reads, 0)
	assert.NotEmpty(t, srv.Sessions())
}

// A malformed request to the server gets a clear 4xx and the server keeps
// serving.
func TestBadRequestsGetClearErrors(t *testing.T) {
	srv := agentopstest.NewServer(t)
	var body map[string]string
	for _, tc := range []struct {
		url  string
		code int
		says string
	}{
		{"/api/sessions?cursor=not-a-cursor", 400, "cursor"},
		{"/api/sessions?limit=-1", 400, "limit"},
		{"/api/sessions/zzz", 400, ""},
		{"/api/sessions/0000000000000000000000000000000a", 404, ""},
	} {
		resp, err := http.Get(srv.URL + tc.url)
		require.NoError(t, err)
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&body), tc.url)
		resp.Body.Close()
		assert.Equal(t, tc.code, resp.StatusCode, tc.url)
		assert.Contains(t, body["error"], tc.says, tc.url)
	}
	resp, err := http.Post(srv.URL+"/v1/traces", "application/x-protobuf", strings.NewReader("\x0a\xff\xff\xff\xff\x0f"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "an undecodable OTLP body")
	resp, err = http.Post(srv.URL+"/v1/traces", "text/csv", strings.NewReader("a,b"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnsupportedMediaType, resp.StatusCode)
	assert.Equal(t, 200, getJSON(t, srv.URL+"/api/stats", "", nil), "still serving")
}

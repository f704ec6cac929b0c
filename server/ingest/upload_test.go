package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/server/model"
	"github.com/agentops-go/agentops/upload"
)

const trace10 = "0000000000000000000000000000000a"

func answer(t *testing.T, r response) uploadAnswer {
	t.Helper()
	require.Equal(t, http.StatusOK, r.status, "body %q", r.body)
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))
	var a uploadAnswer
	require.NoError(t, json.Unmarshal(r.body, &a))
	return a
}

func errorOf(t *testing.T, r response) string {
	t.Helper()
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))
	var e struct {
		Error string `json:"error"`
	}
	require.NoError(t, json.Unmarshal(r.body, &e), "body %q", r.body)
	require.NotEmpty(t, e.Error)
	return e.Error
}

// The calls below are the AgentOps wire calls exactly as docs/WIRE.md
// sections 3 to 5 describe them.

func TestGoldenLogsUpload(t *testing.T) {
	s := newServer(t, Config{})
	text := "\n2025-03-04 05:06:07,123 - INFO - hello\n2025-03-04 05:06:08,000 - ERROR - boom\n"
	body, _ := json.Marshal(map[string]string{"body": text})
	a := answer(t, s.post(t, "/v4/logs/upload/", body, "Content-Type", "application/json", "Trace-Id", "10"))
	assert.Equal(t, uploadAnswer{URL: s.URL + "/api/logs/" + trace10, Size: len(text)}, a)

	batches := s.w.all()
	require.Len(t, batches, 1)
	require.Len(t, batches[0].Logs, 1)
	got := batches[0].Logs[0]
	assert.Equal(t, trace10, got.TraceID)
	assert.Equal(t, text, got.Text, "stored as received, leading newline included")
	assert.False(t, got.Received.IsZero())
	assert.Empty(t, batches[0].Spans)
}

func TestGoldenTextPlainUpload(t *testing.T) {
	s := newServer(t, Config{})
	text := "\nline 1\nline 2 {\"not\": \"an envelope\"}\n"
	a := answer(t, s.post(t, "/v4/logs/upload", []byte(text), "Content-Type", "text/plain; charset=utf-8", "Trace-Id", trace10))
	assert.Equal(t, len(text), a.Size)
	assert.Equal(t, text, s.w.all()[0].Logs[0].Text)
}

func TestGoldenScriptsUpload(t *testing.T) {
	s := newServer(t, Config{PublicURL: func(*http.Request) string { return "http://127.0.0.1:7318/" }})
	src := "package main\n\nfunc main() { println(\"<héllo>\") }\n"
	body, _ := json.Marshal(map[string]string{"body": src})
	a := answer(t, s.post(t, "/v4/scripts/upload/", body,
		"Content-Type", "application/json", "Trace-Id", "340282366920938463463374607431768211455", "Filename", "cmd/agent/main.go"))
	id := model.FileID("cmd/agent/main.go", src)
	assert.Equal(t, uploadAnswer{URL: "http://127.0.0.1:7318/api/files/" + id, Size: len(src)}, a)

	files := s.w.all()[0].Files
	require.Len(t, files, 1)
	assert.Equal(t, model.FileUpload{ID: id, TraceID: strings.Repeat("f", 32), Path: "cmd/agent/main.go", Content: src, Received: files[0].Received}, files[0])
}

func TestGoldenObjectsUpload(t *testing.T) {
	s := newServer(t, Config{})
	body := []byte(`{"body": "any text at all"}`)
	a := answer(t, s.post(t, "/v4/objects/upload/", body, "Content-Type", "application/json"))
	id := model.ObjectID("any text at all")
	assert.Equal(t, uploadAnswer{URL: s.URL + "/api/objects/" + id, Size: len("any text at all")}, a)
	objs := s.w.all()[0].Objects
	require.Len(t, objs, 1)
	assert.Equal(t, id, objs[0].ID)
	assert.Equal(t, "any text at all", objs[0].Content)

	// Without the trailing slash, and a Trace-Id that objects ignore.
	a = answer(t, s.post(t, "/v4/objects/upload", body, "Content-Type", "application/json", "Trace-Id", "not checked"))
	assert.Equal(t, s.URL+"/api/objects/"+id, a.URL)
}

// TestSDKUploadClient drives the handlers with the SDK's own upload client,
// token fetching included, against a server in closed mode.
func TestSDKUploadClient(t *testing.T) {
	s := newServer(t, Config{}, testKey)
	a := upload.NewAuth(upload.AuthConfig{Endpoint: s.URL, APIKey: testKey, HTTPClient: s.client})
	t.Cleanup(a.Close)
	a.Start()
	c := upload.NewClient(upload.Config{Endpoint: s.URL, HTTPClient: &http.Client{Transport: &upload.Transport{Base: s.client.Transport, Auth: a}}})
	ctx := context.Background()
	traceID := [16]byte{0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f, 0x60, 0x71, 0x82, 0x93, 0xa4, 0xb5, 0xc6, 0xd7, 0xe8, 0xf9}
	const hexID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"

	res, err := c.UploadLogs(ctx, traceID, "2025-03-04 05:06:07,123 - INFO - hi")
	require.NoError(t, err)
	assert.Equal(t, s.URL+"/api/logs/"+hexID, res.URL)
	res, err = c.UploadScript(ctx, traceID, "main.go", "package main")
	require.NoError(t, err)
	assert.Equal(t, "scripts", res.Kind)
	assert.Equal(t, s.URL+"/api/files/"+model.FileID("main.go", "package main"), res.URL)
	res, err = c.UploadObject(ctx, "blob")
	require.NoError(t, err)
	assert.Equal(t, int64(4), res.Size)

	var logs []model.LogUpload
	var files []model.FileUpload
	for _, b := range s.w.all() {
		logs = append(logs, b.Logs...)
		files = append(files, b.Files...)
	}
	require.Len(t, logs, 1)
	assert.Equal(t, hexID, logs[0].TraceID)
	assert.Equal(t, "\n2025-03-04 05:06:07,123 - INFO - hi", logs[0].Text, "the SDK's leading newline is kept")
	require.Len(t, files, 1)
	assert.Equal(t, hexID, files[0].TraceID)
}

func TestUploadErrors(t *testing.T) {
	s := newServer(t, Config{MaxUploadBytes: 1000})
	env := []byte(`{"body":"x"}`)
	json := "application/json"
	for _, tc := range []struct {
		name    string
		path    string
		body    []byte
		headers []string
		status  int
		want    string
	}{
		{"missing Trace-Id", "/v4/logs/upload/", env, []string{"Content-Type", json}, 400, "missing Trace-Id"},
		{"empty Trace-Id", "/v4/logs/upload/", env, []string{"Content-Type", json, "Trace-Id", ""}, 400, "missing Trace-Id"},
		{"bad Trace-Id chars", "/v4/logs/upload/", env, []string{"Content-Type", json, "Trace-Id", "../etc"}, 400, "[A-Za-z0-9_.-]+"},
		{"Trace-Id neither", "/v4/logs/upload/", env, []string{"Content-Type", json, "Trace-Id", "abc"}, 400, "32 hex digits"},
		{"Trace-Id too big", "/v4/logs/upload/", env, []string{"Content-Type", json, "Trace-Id", "340282366920938463463374607431768211456"}, 400, "2^128-1"},
		{"Trace-Id zero", "/v4/logs/upload/", env, []string{"Content-Type", json, "Trace-Id", "0"}, 400, "all-zero"},
		{"two Trace-Ids", "/v4/logs/upload/", env, []string{"Content-Type", json, "Trace-Id", "1", "Trace-Id", "2"}, 400, "more than one Trace-Id"},
		{"scripts without Trace-Id", "/v4/scripts/upload/", env, []string{"Content-Type", json, "Filename", "a.go"}, 400, "missing Trace-Id"},
		{"missing Filename", "/v4/scripts/upload/", env, []string{"Content-Type", json, "Trace-Id", "1"}, 400, "missing Filename"},
		{"dotdot Filename", "/v4/scripts/upload/", env, []string{"Content-Type", json, "Trace-Id", "1", "Filename", "a/../../b.go"}, 400, `".." element`},
		{"absolute Filename", "/v4/scripts/upload/", env, []string{"Content-Type", json, "Trace-Id", "1", "Filename", "/etc/passwd"}, 400, "absolute"},
		{"drive Filename", "/v4/scripts/upload/", env, []string{"Content-Type", json, "Trace-Id", "1", "Filename", "C:/x.go"}, 400, "absolute"},
		{"backslash Filename", "/v4/scripts/upload/", env, []string{"Content-Type", json, "Trace-Id", "1", "Filename", `a\b.go`}, 400, "backslash"},
		{"unclean Filename", "/v4/scripts/upload/", env, []string{"Content-Type", json, "Trace-Id", "1", "Filename", "a//b.go"}, 400, "not a clean path"},
		{"dot Filename", "/v4/scripts/upload/", env, []string{"Content-Type", json, "Trace-Id", "1", "Filename", "."}, 400, "not a clean path"},
		{"no Content-Type", "/v4/objects/upload/", env, nil, 415, "application/json"},
		{"other Content-Type", "/v4/objects/upload/", env, []string{"Content-Type", "application/octet-stream"}, 415, "text/plain"},
		{"gzip upload", "/v4/objects/upload/", env, []string{"Content-Type", json, "Content-Encoding", "gzip"}, 415, "Content-Encoding"},
		{"not JSON", "/v4/objects/upload/", []byte("hello"), []string{"Content-Type", json}, 400, `{"body": "<text>"}`},
		{"no body key", "/v4/objects/upload/", []byte(`{"text":"x"}`), []string{"Content-Type", json}, 400, `no "body"`},
		{"null body", "/v4/objects/upload/", []byte(`{"body":null}`), []string{"Content-Type", json}, 400, `no "body"`},
		{"body not a string", "/v4/objects/upload/", []byte(`{"body":42}`), []string{"Content-Type", json}, 400, "envelope"},
		{"too large", "/v4/objects/upload/", []byte(`{"body":"` + strings.Repeat("x", 1000) + `"}`), []string{"Content-Type", json}, 413, "larger than 1000 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.post(t, tc.path, tc.body, tc.headers...)
			assert.Equal(t, tc.status, r.status, "body %q", r.body)
			assert.Contains(t, errorOf(t, r), tc.want)
		})
	}
	assert.Empty(t, s.w.all())

	r := s.do(t, http.MethodGet, "/v4/logs/upload/", nil)
	assert.Equal(t, http.StatusMethodNotAllowed, r.status)
	assert.Equal(t, "POST", r.header.Get("Allow"))
	errorOf(t, r)
}

func TestUploadWriterErrors(t *testing.T) {
	s := newServer(t, Config{})
	s.w.setErr(fmt.Errorf("queue: %w", model.ErrOverloaded))
	r := s.post(t, "/v4/objects/upload/", []byte(`{"body":"x"}`), "Content-Type", "application/json")
	assert.Equal(t, http.StatusServiceUnavailable, r.status)
	assert.Equal(t, "1", r.header.Get("Retry-After"))
	assert.Contains(t, errorOf(t, r), "retry")

	s.w.setErr(fmt.Errorf("disk on fire"))
	r = s.post(t, "/v4/objects/upload/", []byte(`{"body":"x"}`), "Content-Type", "application/json")
	assert.Equal(t, http.StatusInternalServerError, r.status)
	assert.Contains(t, errorOf(t, r), "disk on fire")
}

func TestUploadAuth(t *testing.T) {
	env := []byte(`{"body":"x"}`)
	open := newServer(t, Config{})
	r := open.post(t, "/v4/logs/upload/", env, "Content-Type", "application/json", "Trace-Id", "10")
	assert.Equal(t, http.StatusOK, r.status, "open mode needs no token")

	s := newServer(t, Config{}, testKey)
	for _, kind := range []string{"logs", "scripts", "objects"} {
		headers := []string{"Content-Type", "application/json", "Trace-Id", "10", "Filename", "a.go"}
		r := s.post(t, "/v4/"+kind+"/upload/", env, headers...)
		assert.Equal(t, http.StatusUnauthorized, r.status, kind)
		assert.Contains(t, errorOf(t, r), "missing bearer token")
		r = s.post(t, "/v4/"+kind+"/upload/", env, append(headers, "Authorization", "Bearer x.y.z")...)
		assert.Equal(t, http.StatusUnauthorized, r.status, kind)
		assert.Contains(t, errorOf(t, r), "bearer token")
		r = s.post(t, "/v4/"+kind+"/upload/", env, append(headers, "Authorization", "Bearer "+s.token(t, testKey))...)
		assert.Equal(t, http.StatusOK, r.status, kind)
	}
	assert.Len(t, s.w.all(), 3)
}

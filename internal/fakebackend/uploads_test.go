package fakebackend

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type uploadOpts struct {
	contentType string // default application/json; "-" sends none
	traceID     string
	filename    string
	token       string
	method      string // default POST
	path        string // default /v4/<kind>/upload/
}

// upload sends text to the kind's endpoint; with the default content type it
// wraps text in the {"body": ...} envelope.
func upload(t tb, c *http.Client, b *Backend, kind, text string, o uploadOpts) response {
	t.Helper()
	if o.contentType == "" {
		o.contentType = "application/json"
		env, err := json.Marshal(map[string]string{"body": text})
		require.NoError(t, err)
		text = string(env)
	}
	if o.method == "" {
		o.method = http.MethodPost
	}
	if o.path == "" {
		o.path = "/v4/" + kind + "/upload/"
	}
	req, err := http.NewRequest(o.method, b.URL+o.path, strings.NewReader(text))
	require.NoError(t, err)
	if o.contentType != "-" {
		req.Header.Set("Content-Type", o.contentType)
	}
	if o.traceID != "" {
		req.Header.Set("Trace-Id", o.traceID)
	}
	if o.filename != "" {
		req.Header.Set("Filename", o.filename)
	}
	if o.token != "" {
		req.Header.Set("Authorization", "Bearer "+o.token)
	}
	return do(t, c, req)
}

type uploadAnswer struct {
	URL  string `json:"url"`
	Size int    `json:"size"`
}

func decodeAnswer(t *testing.T, resp response) uploadAnswer {
	t.Helper()
	require.Equal(t, http.StatusOK, resp.status, "body %q", resp.body)
	assert.Equal(t, "application/json", resp.header.Get("Content-Type"))
	var a uploadAnswer
	require.NoError(t, json.Unmarshal(resp.body, &a), "body %q", resp.body)
	return a
}

// errorBody asserts resp carries a JSON error object and returns it.
func errorBody(t *testing.T, resp response) map[string]string {
	t.Helper()
	assert.Equal(t, "application/json", resp.header.Get("Content-Type"))
	var m map[string]string
	require.NoError(t, json.Unmarshal(resp.body, &m), "body %q", resp.body)
	return m
}

func statuses(ups []Upload) []int {
	out := make([]int, len(ups))
	for i, u := range ups {
		out[i] = u.Status
	}
	return out
}

func TestUploadSuccessAllKinds(t *testing.T) {
	b := New(t)
	c := newClient(t)

	a := decodeAnswer(t, upload(t, c, b, "logs", "\n2025-01-02 03:04:05,678 - INFO - hi", uploadOpts{traceID: "10"}))
	assert.Equal(t, b.URL+"/v4/stored/logs/1", a.URL)
	assert.Equal(t, 36, a.Size)

	a = decodeAnswer(t, upload(t, c, b, "scripts", "package main\n", uploadOpts{traceID: "10", filename: "cmd/app/main.go"}))
	assert.Equal(t, b.URL+"/v4/stored/scripts/1", a.URL)
	assert.Equal(t, 13, a.Size)

	a = decodeAnswer(t, upload(t, c, b, "objects", "blob", uploadOpts{traceID: "ignored"}))
	assert.Equal(t, b.URL+"/v4/stored/objects/1", a.URL)
	assert.Equal(t, 4, a.Size)

	// Without the trailing slash too; the counter is per kind.
	a = decodeAnswer(t, upload(t, c, b, "objects", "héllo", uploadOpts{path: "/v4/objects/upload"}))
	assert.Equal(t, b.URL+"/v4/stored/objects/2", a.URL)
	assert.Equal(t, len("héllo"), a.Size, "size is in bytes")

	ups := b.WaitForUploads(t, 4, time.Second)
	require.Len(t, ups, 4)
	assert.Equal(t, Upload{
		Kind: "logs", TraceID: "0000000000000000000000000000000a",
		Body: "\n2025-01-02 03:04:05,678 - INFO - hi", Header: ups[0].Header, Status: 200, URL: b.URL + "/v4/stored/logs/1",
	}, ups[0])
	assert.Equal(t, "10", ups[0].Header.Get("Trace-Id"))
	assert.Equal(t, "scripts", ups[1].Kind)
	assert.Equal(t, "cmd/app/main.go", ups[1].Filename)
	assert.Equal(t, "package main\n", ups[1].Body)
	assert.Equal(t, "objects", ups[2].Kind)
	assert.Empty(t, ups[2].TraceID, "objects carry no trace id")
	assert.Empty(t, ups[2].Filename)
	assert.Equal(t, "héllo", ups[3].Body)

	// Uploads hands out copies.
	ups[0].Header.Set("Trace-Id", "changed")
	assert.Equal(t, "10", b.Uploads()[0].Header.Get("Trace-Id"))
}

func TestUploadTraceIDNormalised(t *testing.T) {
	b := New(t)
	c := newClient(t)

	const want = "0000000000000000000000000000000a"
	for _, id := range []string{"10", "0000000000000000000000000000000a", "0000000000000000000000000000000A"} {
		decodeAnswer(t, upload(t, c, b, "logs", "x", uploadOpts{traceID: id}))
		decodeAnswer(t, upload(t, c, b, "scripts", "x", uploadOpts{traceID: id, filename: "a.go"}))
	}
	for _, u := range b.Uploads() {
		assert.Equal(t, want, u.TraceID, "Trace-Id %q", u.Header.Get("Trace-Id"))
	}

	cases := map[string]string{
		"340282366920938463463374607431768211455": "ffffffffffffffffffffffffffffffff", // 2^128-1
		"0a1b2c3d4e5f60718293a4b5c6d7e8f9":        "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
		"13433369256225207278633426983318972665":  "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
		"00000000000000000000000000000010":        "00000000000000000000000000000010", // zero-padded: hex
		"12345678901234567890123456789012":        "0000009bd30a3c645943dd1690a03a14", // 32 digits, no leading 0: decimal
		"0":                                       "00000000000000000000000000000000",
	}
	for id, hex := range cases {
		before := len(b.Uploads())
		decodeAnswer(t, upload(t, c, b, "logs", "x", uploadOpts{traceID: id}))
		assert.Equal(t, hex, b.Uploads()[before].TraceID, "Trace-Id %q", id)
	}
}

func TestUploadTraceIDRejected(t *testing.T) {
	b := New(t)
	c := newClient(t)

	for _, kind := range []string{"logs", "scripts"} {
		resp := upload(t, c, b, kind, "x", uploadOpts{filename: "a.go"})
		assert.Equal(t, http.StatusBadRequest, resp.status, kind)
		assert.Contains(t, errorBody(t, resp)["error"], "Trace-Id", kind)
	}
	for _, id := range []string{
		"340282366920938463463374607431768211456", // 2^128
		"not/allowed",
		"a b",
		"-1",
		"xyz",                               // allowed characters, but neither decimal nor hex
		"0a1b2c3d4e5f60718293a4b5c6d7e8f",   // 31 hex digits
		"0a1b2c3d4e5f60718293a4b5c6d7e8f9a", // 33 hex digits
	} {
		resp := upload(t, c, b, "logs", "x", uploadOpts{traceID: id})
		assert.Equal(t, http.StatusBadRequest, resp.status, "Trace-Id %q", id)
		assert.NotEmpty(t, errorBody(t, resp)["error"])
	}
	ups := b.Uploads()
	require.Len(t, ups, 9, "rejected uploads are listed")
	for _, u := range ups {
		assert.Equal(t, http.StatusBadRequest, u.Status)
		assert.Empty(t, u.TraceID)
		assert.Empty(t, u.Body, "rejected before the body is read")
		assert.Empty(t, u.URL)
	}
}

func TestUploadFilename(t *testing.T) {
	b := New(t)
	c := newClient(t)

	for _, name := range []string{"", "../etc/passwd", "/abs", `a\b`, "a/../b", "a/..", "./a", "a//b", "a/", "C:/x", "."} {
		resp := upload(t, c, b, "scripts", "x", uploadOpts{traceID: "1", filename: name})
		assert.Equal(t, http.StatusBadRequest, resp.status, "Filename %q", name)
		assert.Contains(t, errorBody(t, resp)["error"], "Filename", "Filename %q", name)
	}
	ups := b.Uploads()
	assert.Equal(t, "../etc/passwd", ups[1].Filename, "the rejected name is recorded as sent")
	assert.Equal(t, "00000000000000000000000000000001", ups[1].TraceID)

	for _, name := range []string{"main.go", "internal/x/y.go", "a..b/c...go", ".hidden/f"} {
		resp := upload(t, c, b, "scripts", "x", uploadOpts{traceID: "1", filename: name})
		assert.Equal(t, http.StatusOK, resp.status, "Filename %q: body %q", name, resp.body)
	}
	// Logs and objects ignore Filename.
	decodeAnswer(t, upload(t, c, b, "logs", "x", uploadOpts{traceID: "1", filename: "../x"}))
	decodeAnswer(t, upload(t, c, b, "objects", "x", uploadOpts{filename: "../x"}))
	assert.Len(t, b.WaitForUploads(t, 6, time.Second), 6)

	// A NUL can't travel in an HTTP/1.1 header, so check the validator directly.
	require.Error(t, checkFilename([]string{"a\x00b"}))
	require.Error(t, checkFilename([]string{"a.go", "b.go"}))
	require.NoError(t, checkFilename([]string{"a.go"}))
}

func TestUploadBodyEncodings(t *testing.T) {
	b := New(t)
	c := newClient(t)

	a := decodeAnswer(t, upload(t, c, b, "logs", "raw\ntext", uploadOpts{traceID: "5", contentType: "text/plain; charset=utf-8"}))
	assert.Equal(t, 8, a.Size)
	a = decodeAnswer(t, upload(t, c, b, "objects", `{"body":"x"}`, uploadOpts{contentType: "text/plain"}))
	assert.Equal(t, 12, a.Size, "text/plain is stored verbatim, not unwrapped")
	a = decodeAnswer(t, upload(t, c, b, "objects", `{"body":"x","extra":1}`, uploadOpts{contentType: "Application/JSON; charset=utf-8"}))
	assert.Equal(t, 1, a.Size)

	for _, ct := range []string{"application/octet-stream", "text/html", "multipart/form-data; boundary=x", ";", "-"} {
		resp := upload(t, c, b, "logs", "x", uploadOpts{traceID: "5", contentType: ct})
		assert.Equal(t, http.StatusUnsupportedMediaType, resp.status, ct)
		assert.NotEmpty(t, errorBody(t, resp)["error"])
	}
	for _, bad := range []string{`not json`, `{"body": 5}`, `{}`, `{"body": null}`, `{"body":"x"} trailing`} {
		resp := upload(t, c, b, "logs", bad, uploadOpts{traceID: "5", contentType: "application/json"})
		assert.Equal(t, http.StatusBadRequest, resp.status, bad)
	}

	got := b.WaitForUploads(t, 3, time.Second)
	require.Len(t, got, 3)
	assert.Equal(t, "raw\ntext", got[0].Body)
	assert.Equal(t, `{"body":"x"}`, got[1].Body)
	assert.Equal(t, "x", got[2].Body)
	assert.Equal(t, []int{200, 200, 200, 415, 415, 415, 415, 415, 400, 400, 400, 400, 400}, statuses(b.Uploads()))
}

func TestUploadCap(t *testing.T) {
	b := New(t)
	c := newClient(t)
	b.SetUploadCap(16)

	decodeAnswer(t, upload(t, c, b, "objects", strings.Repeat("a", 16), uploadOpts{contentType: "text/plain"}))
	resp := upload(t, c, b, "objects", strings.Repeat("a", 17), uploadOpts{contentType: "text/plain"})
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.status)
	assert.Contains(t, errorBody(t, resp)["error"], "16")
	// The cap is on the request body, envelope included: 8 bytes of text
	// in a 20-byte envelope.
	resp = upload(t, c, b, "logs", strings.Repeat("a", 8), uploadOpts{traceID: "1"})
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.status)

	b.SetUploadCap(0) // back to the default
	decodeAnswer(t, upload(t, c, b, "objects", strings.Repeat("a", 1000), uploadOpts{}))
	assert.Equal(t, []int{200, 413, 413, 200}, statuses(b.Uploads()))
}

func TestUploadScriptsNotFound(t *testing.T) {
	b := New(t)
	c := newClient(t)
	b.SetScriptsNotFound(true)

	resp := upload(t, c, b, "scripts", "x", uploadOpts{traceID: "1", filename: "a.go"})
	assert.Equal(t, http.StatusNotFound, resp.status)
	assert.Equal(t, map[string]string{"detail": "Not Found"}, errorBody(t, resp))
	decodeAnswer(t, upload(t, c, b, "objects", "x", uploadOpts{}))
	decodeAnswer(t, upload(t, c, b, "logs", "x", uploadOpts{traceID: "1"}))

	b.SetScriptsNotFound(false)
	a := decodeAnswer(t, upload(t, c, b, "scripts", "x", uploadOpts{traceID: "1", filename: "a.go"}))
	assert.Equal(t, b.URL+"/v4/stored/scripts/1", a.URL)
	assert.Equal(t, []int{404, 200, 200, 200}, statuses(b.Uploads()))
}

func TestUploadStatuses(t *testing.T) {
	b := New(t)
	c := newClient(t)
	b.SetUploadStatuses(503, 503)

	for range 2 {
		resp := upload(t, c, b, "logs", "x", uploadOpts{traceID: "1"})
		assert.Equal(t, http.StatusServiceUnavailable, resp.status)
		assert.Equal(t, "0", resp.header.Get("Retry-After"))
		assert.NotEmpty(t, errorBody(t, resp)["error"])
	}
	resp := upload(t, c, b, "logs", "x", uploadOpts{traceID: "1"})
	a := decodeAnswer(t, resp)
	assert.Empty(t, resp.header.Values("Retry-After"))
	assert.Equal(t, b.URL+"/v4/stored/logs/1", a.URL, "forced answers store nothing")

	// Codes apply to any kind, in order; 0 lets one through; a later call
	// replaces pending codes.
	b.SetUploadStatuses(429, 0, 500, 500)
	b.SetUploadStatuses(429, 0, 500)
	assert.Equal(t, http.StatusTooManyRequests, upload(t, c, b, "objects", "x", uploadOpts{}).status)
	assert.Equal(t, http.StatusOK, upload(t, c, b, "scripts", "x", uploadOpts{traceID: "1", filename: "a.go"}).status)
	assert.Equal(t, http.StatusInternalServerError, upload(t, c, b, "scripts", "x", uploadOpts{traceID: "1", filename: "a.go"}).status)
	assert.Equal(t, http.StatusOK, upload(t, c, b, "objects", "x", uploadOpts{}).status)

	ups := b.Uploads()
	assert.Equal(t, []int{503, 503, 200, 429, 200, 500, 200}, statuses(ups))
	assert.Empty(t, ups[0].Body)
	assert.Empty(t, ups[0].URL)
	assert.Equal(t, "00000000000000000000000000000001", ups[0].TraceID, "headers are still recorded")

	b.SetUploadStatuses(503)
	b.SetUploadStatuses()
	assert.Equal(t, http.StatusOK, upload(t, c, b, "objects", "x", uploadOpts{}).status, "no codes clears them")
	assert.Panics(t, func() { b.SetUploadStatuses(42) })
}

func TestUploadRequireAuth(t *testing.T) {
	b := New(t)
	c := newClient(t)
	b.SetRequireAuth(true)

	for _, kind := range []string{"logs", "scripts", "objects"} {
		for _, token := range []string{"", "made.up.token"} {
			resp := upload(t, c, b, kind, "x", uploadOpts{traceID: "1", filename: "a.go", token: token})
			assert.Equal(t, http.StatusUnauthorized, resp.status, kind)
			assert.NotEmpty(t, errorBody(t, resp)["error"])
		}
	}
	_, out := getToken(t, c, b, key1)
	for _, kind := range []string{"logs", "scripts", "objects"} {
		resp := upload(t, c, b, kind, "x", uploadOpts{traceID: "1", filename: "a.go", token: out["token"]})
		assert.Equal(t, http.StatusOK, resp.status, kind)
	}
	b.RevokeTokens()
	assert.Equal(t, http.StatusUnauthorized,
		upload(t, c, b, "objects", "x", uploadOpts{token: out["token"]}).status)
	assert.Equal(t, []int{401, 401, 401, 401, 401, 401, 200, 200, 200, 401}, statuses(b.Uploads()))
}

func TestUploadMethodNotAllowed(t *testing.T) {
	b := New(t)
	c := newClient(t)
	for _, path := range []string{"/v4/logs/upload/", "/v4/scripts/upload", "/v4/objects/upload/"} {
		for _, m := range []string{http.MethodGet, http.MethodPut} {
			resp := upload(t, c, b, "", "", uploadOpts{method: m, path: path})
			assert.Equal(t, http.StatusMethodNotAllowed, resp.status, "%s %s", m, path)
			assert.Equal(t, "POST", resp.header.Get("Allow"))
		}
	}
	resp := upload(t, c, b, "", "x", uploadOpts{path: "/v4/logs/upload/extra"})
	assert.Equal(t, http.StatusNotFound, resp.status)
	assert.Empty(t, b.Uploads(), "405s and unknown paths are not uploads")
}

func TestUploadHang(t *testing.T) {
	b := New(t)
	c := newClient(t)
	b.SetHang(true)
	b.SetUploadStatuses(500)

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.URL+"/v4/objects/upload/", strings.NewReader(`{"body":"x"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	_, err = c.Do(req)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Eventually(t, func() bool {
		u := b.Uploads()
		return len(u) == 1 && u[0].Status == http.StatusServiceUnavailable
	}, 2*time.Second, 10*time.Millisecond, "hung handler did not return")

	b.SetHang(false)
	assert.Equal(t, http.StatusInternalServerError, upload(t, c, b, "objects", "x", uploadOpts{}).status,
		"a hung request does not use up a forced status")
}

func TestUploadConcurrent(t *testing.T) {
	b := New(t)
	c := newClient(t)
	b.SetUploadStatuses(503, 503, 503)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			// Not the require-based helpers: FailNow must stay on the test goroutine.
			kind := []string{"logs", "scripts", "objects"}[i%3]
			req, err := http.NewRequest(http.MethodPost, b.URL+"/v4/"+kind+"/upload/", strings.NewReader("x"))
			if !assert.NoError(t, err) {
				return
			}
			req.Header.Set("Content-Type", "text/plain")
			req.Header.Set("Trace-Id", "7")
			req.Header.Set("Filename", "f.go")
			resp, err := c.Do(req)
			if assert.NoError(t, err) {
				_ = resp.Body.Close()
			}
		})
	}
	wg.Wait()
	assert.Len(t, b.WaitForUploads(t, 17, time.Second), 17)
	var forced int
	for _, u := range b.Uploads() {
		if u.Status == http.StatusServiceUnavailable {
			forced++
		}
	}
	assert.Equal(t, 3, forced)
}

func TestWaitForUploadsTimeout(t *testing.T) {
	b := New(t)
	c := newClient(t)
	decodeAnswer(t, upload(t, c, b, "logs", "x", uploadOpts{traceID: "10"}))
	upload(t, c, b, "scripts", "x", uploadOpts{traceID: "10", filename: "../x"})

	ftb := &fakeTB{TB: t}
	assert.Nil(t, b.WaitForUploads(ftb, 2, 50*time.Millisecond), "want nil on timeout")
	assert.Contains(t, ftb.msg, "for 2 successful uploads, got 1")
	assert.Contains(t, ftb.msg, `logs 200 trace-id="10" size=1`)
	assert.Contains(t, ftb.msg, `scripts 400 trace-id="10" filename="../x"`)

	ftb.msg = ""
	assert.Len(t, b.WaitForUploads(ftb, 1, 50*time.Millisecond), 1)
	assert.Empty(t, ftb.msg)
}

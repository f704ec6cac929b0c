package ui_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/server/ui"
)

func get(t *testing.T, url string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(body)
}

// The pages and assets, with their types and headers, as the real server
// serves them.
func TestRoutes(t *testing.T) {
	base := newServer(t)
	const index = `<script type="module" src="/ui/js/main.js"></script>`
	for _, tc := range []struct {
		path, ctype, contains string
	}{
		{"/", "text/html; charset=utf-8", index},
		{"/?q=search&status=error", "text/html; charset=utf-8", index},
		{"/sessions", "text/html; charset=utf-8", index},
		{"/sessions?trace_id=4bf92f3577b34da6a3ce929d0e0e4736", "text/html; charset=utf-8", index},
		{"/sessions?trace_id=4bf92f3577b34da6a3ce929d0e0e4736&tab=files&file=main.go&line=12", "text/html; charset=utf-8", index},
		{"/ui/app.css", "text/css; charset=utf-8", ":root"},
		{"/ui/js/main.js", "text/javascript; charset=utf-8", "import"},
		{"/ui/js/waterfall.js", "text/javascript; charset=utf-8", "export class Waterfall"},
		{"/ui/favicon.svg", "image/svg+xml", "<svg"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := get(t, base+tc.path, nil)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, tc.ctype, resp.Header.Get("Content-Type"))
			assert.Equal(t, ui.ContentSecurityPolicy, resp.Header.Get("Content-Security-Policy"))
			assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
			assert.Equal(t, "no-cache", resp.Header.Get("Cache-Control"))
			assert.Contains(t, body, tc.contains)

			etag := resp.Header.Get("ETag")
			require.NotEmpty(t, etag)
			again, body := get(t, base+tc.path, http.Header{"If-None-Match": {etag}})
			assert.Equal(t, http.StatusNotModified, again.StatusCode)
			assert.Empty(t, body)
		})
	}
}

func TestCSPIsStrict(t *testing.T) {
	csp := ui.ContentSecurityPolicy
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'", "object-src 'none'", "frame-ancestors 'none'"} {
		assert.Contains(t, csp, want)
	}
	for _, never := range []string{"unsafe-inline", "unsafe-eval", "*", "http:", "https:"} {
		assert.NotContains(t, csp, never)
	}
}

func TestNotFound(t *testing.T) {
	base := newServer(t)
	for _, path := range []string{"/nope", "/sessions/", "/sessions/4bf92f3577b34da6a3ce929d0e0e4736", "/ui/", "/ui/nope.js", "/ui/index.html", "/ui/../go.mod", "/index.html", "/favicon.ico"} {
		resp, _ := get(t, base+path, nil)
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, path)
	}
	// The API keeps its own JSON 404s.
	resp, body := get(t, base+"/api/nope", nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.Contains(t, body, `"error"`)
}

func TestOtherMethods(t *testing.T) {
	base := newServer(t)
	resp, err := http.Post(base+"/", "text/plain", strings.NewReader("x"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)

	req, err := http.NewRequest(http.MethodHead, base+"/ui/js/main.js", nil)
	require.NoError(t, err)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/javascript; charset=utf-8", resp.Header.Get("Content-Type"))
}

// On a server with --api-key the dashboard itself loads without a token
// (it holds no data and asks for the key), while the API wants one.
func TestClosedServer(t *testing.T) {
	base := newServer(t, apiKey)
	for _, path := range []string{"/", "/sessions?trace_id=4bf92f3577b34da6a3ce929d0e0e4736", "/ui/js/main.js", "/ui/app.css"} {
		resp, _ := get(t, base+path, nil)
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
	}
	for _, path := range []string{"/api/sessions", "/api/stats", "/api/events"} {
		resp, _ := get(t, base+path, nil)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, path)
	}
	resp, body := get(t, base+"/api/sessions", http.Header{"Authorization": {"Bearer " + token(t, base)}})
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body, `"sessions"`)
}

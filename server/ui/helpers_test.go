package ui_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/server"
)

// apiKey is the key of the closed servers the tests start.
const apiKey = "0b7c3f4e-2d1a-4c5b-9e8f-7a6b5c4d3e2f"

// newServer starts a real server (closed when keys are given) on a
// loopback port, removed when the test ends, and returns its URL.
func newServer(t testing.TB, keys ...string) string {
	t.Helper()
	srv, err := server.New(context.Background(), server.Config{
		DataDir: t.TempDir(),
		APIKeys: keys,
		Logger:  slog.New(slog.DiscardHandler),
	})
	require.NoError(t, err)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		hs.CloseClientConnections()
		hs.Close()
		require.NoError(t, srv.Close())
	})
	return hs.URL
}

// token trades apiKey for a bearer token at /v3/auth/token.
func token(t testing.TB, base string) string {
	t.Helper()
	resp, err := http.Post(base+"/v3/auth/token", "application/json", strings.NewReader(`{"api_key":"`+apiKey+`"}`))
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var out struct {
		Token string `json:"token"`
	}
	require.NoError(t, json.Unmarshal(body, &out))
	require.NotEmpty(t, out.Token)
	return out.Token
}

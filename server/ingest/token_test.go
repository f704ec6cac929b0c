package ingest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func tokenBody(key string) []byte {
	b, _ := json.Marshal(map[string]string{"api_key": key})
	return b
}

func TestIssueToken(t *testing.T) {
	s := newServer(t, Config{})
	r := s.post(t, "/v3/auth/token", tokenBody(testKey), "Content-Type", "application/json")
	require.Equal(t, http.StatusOK, r.status, "%q", r.body)
	var out map[string]string
	require.NoError(t, json.Unmarshal(r.body, &out))
	assert.Equal(t, "local", out["project_prem_status"])
	assert.Len(t, out["project_id"], 36)
	claims, err := s.auth.Verify(out["token"])
	require.NoError(t, err)
	assert.Equal(t, out["project_id"], claims.ProjectID)
	assert.Equal(t, "no-store", r.header.Get("Cache-Control"))

	// Open mode: any UUID-shaped key.
	r = s.post(t, "/v3/auth/token", tokenBody(strings.ToUpper(otherKey)), "Content-Type", "application/json")
	assert.Equal(t, http.StatusOK, r.status)
}

func TestIssueTokenErrors(t *testing.T) {
	s := newServer(t, Config{}, testKey)
	for _, tc := range []struct {
		name   string
		body   []byte
		status int
		want   string
	}{
		{"not a UUID", tokenBody("sk-123"), 400, "Invalid API key format"},
		{"empty key", tokenBody(""), 400, "Invalid API key format"},
		{"key not allowed", tokenBody(otherKey), 403, "Invalid API key"},
		{"not JSON", []byte("api_key=" + testKey), 400, `send {"api_key"`},
		{"empty body", nil, 400, `send {"api_key"`},
		{"too large", []byte(`{"api_key":"` + strings.Repeat("a", 100<<10) + `"}`), 400, `send {"api_key"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.post(t, "/v3/auth/token", tc.body, "Content-Type", "application/json")
			assert.Equal(t, tc.status, r.status)
			assert.Contains(t, errorOf(t, r), tc.want)
		})
	}
	// Exactly AgentOps' bodies, which SDKs may match on.
	r := s.post(t, "/v3/auth/token", tokenBody("nope"), "Content-Type", "application/json")
	assert.JSONEq(t, `{"error":"Invalid API key format"}`, string(r.body))
	r = s.post(t, "/v3/auth/token", tokenBody(otherKey), "Content-Type", "application/json")
	assert.JSONEq(t, `{"error":"Invalid API key"}`, string(r.body))

	// The token route never needs a token, even in closed mode.
	r = s.post(t, "/v3/auth/token", tokenBody(testKey), "Content-Type", "application/json")
	assert.Equal(t, http.StatusOK, r.status)
}

func TestVerifyToken(t *testing.T) {
	for _, keys := range [][]string{nil, {testKey}} {
		s := newServer(t, Config{}, keys...)
		tok := s.token(t, testKey)
		r := s.do(t, http.MethodGet, "/v3/auth/token", nil, "Authorization", "Bearer "+tok)
		require.Equal(t, http.StatusOK, r.status, "%q", r.body)
		var out map[string]string
		require.NoError(t, json.Unmarshal(r.body, &out))
		assert.Equal(t, "token valid", out["message"])
		assert.NotEmpty(t, out["project_id"])

		for header, want := range map[string]string{
			"":                           "missing bearer token",
			"Bearer ":                    "missing bearer token",
			"Token " + tok:               "missing bearer token",
			"Bearer garbage":             "malformed bearer token",
			"Bearer " + forged(t, s):     "not issued by this server",
			"Bearer " + tok[:len(tok)-2]: "",
		} {
			var headers []string
			if header != "" {
				headers = []string{"Authorization", header}
			}
			r := s.do(t, http.MethodGet, "/v3/auth/token", nil, headers...)
			assert.Equal(t, http.StatusUnauthorized, r.status, "%q even in open mode", header)
			assert.Contains(t, errorOf(t, r), want)
			assert.Contains(t, r.header.Get("WWW-Authenticate"), "Bearer")
		}
	}
}

func TestTokenMethods(t *testing.T) {
	s := newServer(t, Config{})
	r := s.do(t, http.MethodDelete, "/v3/auth/token", nil)
	assert.Equal(t, http.StatusMethodNotAllowed, r.status)
	assert.Equal(t, "GET, POST", r.header.Get("Allow"))
	errorOf(t, r)
}

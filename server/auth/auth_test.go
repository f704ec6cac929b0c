package auth

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const key = "3f2b9c1e-8a4d-4e6f-9b7a-1c2d3e4f5a6b"

func TestOpenModeIssuesForAnyUUID(t *testing.T) {
	a, err := New(NewSecret(), nil)
	require.NoError(t, err)
	assert.False(t, a.Required())
	tok, project, err := a.Issue(key)
	require.NoError(t, err)
	assert.Len(t, strings.Split(tok, "."), 3)
	c, err := a.Verify(tok)
	require.NoError(t, err)
	assert.Equal(t, project, c.ProjectID)
	assert.Equal(t, "authenticated", c.Aud)
	assert.InDelta(t, time.Now().Add(TokenTTL).Unix(), c.Exp, 5)
	_, again, _ := a.Issue(strings.ToUpper(key))
	assert.Equal(t, project, again, "the project id is stable for a key")

	_, _, err = a.Issue("not-a-uuid")
	assert.ErrorIs(t, err, ErrKeyFormat)
	assert.NoError(t, a.Check(httptest.NewRequest("POST", "/v1/traces", nil)), "no token needed in open mode")
}

func TestClosedMode(t *testing.T) {
	secret := NewSecret()
	a, err := New(secret, []string{key})
	require.NoError(t, err)
	require.True(t, a.Required())
	_, _, err = a.Issue("00000000-0000-0000-0000-000000000000")
	assert.ErrorIs(t, err, ErrKeyRejected)
	tok, _, err := a.Issue(key)
	require.NoError(t, err)

	other, _ := New(NewSecret(), []string{key})
	forged, _, _ := other.Issue(key)
	expiredAuth, _ := New(secret, []string{key})
	expiredAuth.now = func() time.Time { return time.Now().Add(-TokenTTL - time.Hour) }
	expired, _, _ := expiredAuth.Issue(key)

	h := a.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	for _, tc := range []struct {
		name, header string
		code         int
		says         string
	}{
		{"valid", "Bearer " + tok, 204, ""},
		{"missing", "", 401, "missing bearer token"},
		{"not bearer", "Basic abc", 401, "missing bearer token"},
		{"garbage", "Bearer abc", 401, "malformed"},
		{"other server", "Bearer " + forged, 401, "not issued by this server"},
		{"expired", "Bearer " + expired, 401, "expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/v1/traces", nil)
			if tc.header != "" {
				r.Header.Set("Authorization", tc.header)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			assert.Equal(t, tc.code, w.Code)
			assert.Contains(t, w.Body.String(), tc.says)
		})
	}
}

func TestNewValidates(t *testing.T) {
	_, err := New([]byte("short"), nil)
	assert.Error(t, err)
	_, err = New(NewSecret(), []string{"sk-not-a-key"})
	assert.ErrorContains(t, err, "not a UUID")
}

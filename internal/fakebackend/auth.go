package fakebackend

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"time"
)

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// handleAuth serves /v3/auth/token: POST exchanges an API key for a JWT,
// GET verifies the bearer token.
func (b *Backend) handleAuth(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPost:
		b.issueToken(w, r)
	case http.MethodGet:
		if b.waitIfHung(r) {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "backend hung"})
			return
		}
		if !b.tokenValid(r) {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "Invalid or expired token"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"message": "valid"})
	default:
		w.Header().Set("Allow", "GET, POST")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method not allowed"})
	}
}

func (b *Backend) issueToken(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	b.authRequests++
	delay, status := b.authDelay, b.authStatus
	b.mu.Unlock()

	if b.waitIfHung(r) {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "backend hung"})
		return
	}
	if delay > 0 {
		timer := time.NewTimer(delay)
		select {
		case <-timer.C:
		case <-r.Context().Done():
			timer.Stop()
			return
		case <-b.release:
			timer.Stop()
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "backend shutting down"})
			return
		}
	}
	if status != 0 {
		writeJSON(w, status, map[string]string{"error": http.StatusText(status)})
		return
	}

	var body struct {
		APIKey string `json:"api_key"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "Invalid request body"})
		return
	}
	if !uuidRE.MatchString(body.APIKey) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "Invalid API key format"})
		return
	}

	b.mu.Lock()
	if b.validKeys != nil && !b.validKeys[body.APIKey] {
		b.mu.Unlock()
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "Invalid API key"})
		return
	}
	b.tokenSeq++
	now := time.Now()
	exp := now.Add(b.tokenTTL)
	token := b.signJWT(jwtClaims{
		ProjectID: b.projectID,
		APIKey:    body.APIKey,
		Aud:       "authenticated",
		Iat:       now.Unix(),
		Exp:       exp.Unix(),
		Jti:       b.tokenSeq,
	})
	b.tokens[token] = exp
	b.mu.Unlock()

	writeJSON(w, http.StatusOK, map[string]string{
		"token":               token,
		"project_id":          b.projectID,
		"project_prem_status": "free",
	})
}

type jwtClaims struct {
	ProjectID string `json:"project_id"`
	APIKey    string `json:"api_key"`
	Aud       string `json:"aud"`
	Iat       int64  `json:"iat"`
	Exp       int64  `json:"exp"`
	Jti       int    `json:"jti"` // makes every issued token unique
}

// signJWT returns an HS256 JWT with the backend's secret.
func (b *Backend) signJWT(c jwtClaims) string {
	enc := base64.RawURLEncoding
	payload, err := json.Marshal(c)
	if err != nil {
		panic(err)
	}
	unsigned := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString(payload)
	mac := hmac.New(sha256.New, b.secret)
	mac.Write([]byte(unsigned))
	return unsigned + "." + enc.EncodeToString(mac.Sum(nil))
}

// tokenValid reports whether r carries "Authorization: Bearer <token>" with
// a token this backend issued, has not revoked and that has not expired.
func (b *Backend) tokenValid(r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	exp, ok := b.tokens[strings.TrimSpace(token)]
	return ok && time.Now().Before(exp)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

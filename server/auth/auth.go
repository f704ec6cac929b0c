// Package auth is the local backend's authentication: it trades an API key
// for a JWT at /v3/auth/token, as the AgentOps API does, and checks that
// token on ingest and reads.
//
// Two modes. Open (no keys configured, the loopback default): any
// UUID-shaped key gets a token, and requests need none. Closed (one or more
// keys): only those keys get a token, and every other request needs
// "Authorization: Bearer <token>"; a missing, malformed, expired or forged
// token gets 401 with a message that says which.
package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// TokenTTL is how long an issued token is valid, as AgentOps' are.
const TokenTTL = 30 * 24 * time.Hour

// Errors of Issue and Verify; their text is what the client is told.
var (
	ErrKeyFormat    = errors.New("Invalid API key format")
	ErrKeyRejected  = errors.New("Invalid API key")
	ErrNoToken      = errors.New("missing bearer token: send Authorization: Bearer <token from POST /v3/auth/token>")
	ErrBadToken     = errors.New("malformed bearer token: get a new one from POST /v3/auth/token")
	ErrBadSignature = errors.New("bearer token not issued by this server (was it restarted with another secret?): get a new one from POST /v3/auth/token")
	ErrExpired      = errors.New("bearer token expired: get a new one from POST /v3/auth/token")
)

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// Auth issues and checks tokens. It is safe for concurrent use.
type Auth struct {
	secret []byte
	keys   map[string]bool // nil: open mode
	now    func() time.Time
}

// New returns an Auth signing with secret (at least 32 bytes; see
// NewSecret). keys, when any, are the only API keys accepted, and turn on
// the bearer check.
func New(secret []byte, keys []string) (*Auth, error) {
	if len(secret) < 32 {
		return nil, errors.New("auth: the signing secret must be at least 32 bytes")
	}
	a := &Auth{secret: secret, now: time.Now}
	for _, k := range keys {
		if !uuidRE.MatchString(k) {
			return nil, fmt.Errorf("auth: --api-key %q is not a UUID, the form AgentOps keys take", k)
		}
		if a.keys == nil {
			a.keys = map[string]bool{}
		}
		a.keys[strings.ToLower(k)] = true
	}
	return a, nil
}

// NewSecret returns 32 random bytes for New.
func NewSecret() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand's contract)
	return b
}

// Required reports whether requests need a token (closed mode).
func (a *Auth) Required() bool { return a.keys != nil }

// Claims are what a token says.
type Claims struct {
	ProjectID string `json:"project_id"`
	APIKey    string `json:"api_key"`
	Aud       string `json:"aud"`
	Iat       int64  `json:"iat"`
	Exp       int64  `json:"exp"`
}

// Issue returns a token for apiKey and the project it belongs to (derived
// from the key, so it is stable across restarts).
func (a *Auth) Issue(apiKey string) (token, projectID string, err error) {
	if !uuidRE.MatchString(apiKey) {
		return "", "", ErrKeyFormat
	}
	key := strings.ToLower(apiKey)
	if a.keys != nil && !a.keys[key] {
		return "", "", ErrKeyRejected
	}
	now := a.now()
	c := Claims{ProjectID: projectOf(key), APIKey: key, Aud: "authenticated", Iat: now.Unix(), Exp: now.Add(TokenTTL).Unix()}
	payload, _ := json.Marshal(c)
	enc := base64.RawURLEncoding
	unsigned := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString(payload)
	return unsigned + "." + enc.EncodeToString(a.sign(unsigned)), c.ProjectID, nil
}

// Verify checks a token's signature and expiry.
func (a *Auth) Verify(token string) (Claims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return Claims{}, ErrBadToken
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return Claims{}, ErrBadToken
	}
	if !hmac.Equal(sig, a.sign(parts[0]+"."+parts[1])) {
		return Claims{}, ErrBadSignature
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return Claims{}, ErrBadToken
	}
	var c Claims
	if json.Unmarshal(payload, &c) != nil {
		return Claims{}, ErrBadToken
	}
	if a.now().Unix() >= c.Exp {
		return Claims{}, ErrExpired
	}
	if a.keys != nil && !a.keys[c.APIKey] {
		return Claims{}, ErrKeyRejected // the key was removed since
	}
	return c, nil
}

// Check verifies the bearer token of r, when tokens are required.
func (a *Auth) Check(r *http.Request) error {
	if !a.Required() {
		return nil
	}
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return ErrNoToken
	}
	_, err := a.Verify(strings.TrimSpace(token))
	return err
}

// Require wraps next so that, when tokens are required, a request without
// a valid one gets 401 and a JSON body saying why. It is safe for
// concurrent use.
func (a *Auth) Require(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := a.Check(r); err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="agentops"`)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (a *Auth) sign(s string) []byte {
	m := hmac.New(sha256.New, a.secret)
	m.Write([]byte(s))
	return m.Sum(nil)
}

// projectOf is a stable, UUID-shaped project id for a key.
func projectOf(key string) string {
	h := sha256.Sum256([]byte("agentops-local-project:" + key))
	x := hex.EncodeToString(h[:16])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

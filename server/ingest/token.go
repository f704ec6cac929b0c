package ingest

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/agentops-go/agentops/server/auth"
)

// maxTokenRequest bounds a /v3/auth/token body: a key is 36 bytes.
const maxTokenRequest = 64 << 10

// serveToken serves /v3/auth/token: POST trades an API key for a token
// (never needing one), GET checks the bearer token it is sent with.
func (h *Handler) serveToken(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	switch r.Method {
	case http.MethodPost:
		h.issueToken(w, r)
	case http.MethodGet:
		h.verifyToken(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		writeJSONError(w, http.StatusMethodNotAllowed, r.Method+" is not supported here: POST an API key for a token, or GET to check a token")
	}
}

func (h *Handler) issueToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		APIKey string `json:"api_key"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxTokenRequest))
	if err := dec.Decode(&req); err != nil {
		writeJSONError(w, http.StatusBadRequest, `Invalid request body: send {"api_key": "<your AgentOps API key>"}`)
		return
	}
	token, project, err := h.auth.Issue(req.APIKey)
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, map[string]string{
			"token":               token,
			"project_id":          project,
			"project_prem_status": "local",
		})
	case errors.Is(err, auth.ErrKeyFormat):
		// The exact AgentOps message: SDKs may match on it.
		writeJSONError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, auth.ErrKeyRejected):
		h.log.Info("ingest: refused a token for an API key not in --api-key")
		writeJSONError(w, http.StatusForbidden, err.Error())
	default:
		h.log.Error("ingest: issuing a token", "err", err)
		writeJSONError(w, http.StatusInternalServerError, "issuing a token failed: see the server's log")
	}
}

// verifyToken checks the token whatever the mode: a client asking whether
// its token is good wants the answer even when tokens are not required.
func (h *Handler) verifyToken(w http.ResponseWriter, r *http.Request) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		unauthorized(w, auth.ErrNoToken)
		return
	}
	claims, err := h.auth.Verify(token)
	if err != nil {
		unauthorized(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": "token valid", "project_id": claims.ProjectID})
}

package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/agentops-go/agentops/server/model"
)

// Events the API itself publishes, besides the store's session.new,
// session.updated and session.ended.
const (
	EventSessionDeleted  = "session.deleted"  // data: {"trace_id"}
	EventSessionsDeleted = "sessions.deleted" // data: {"older_than", "deleted"}
)

// pathTraceID reads and normalises the {name} wildcard; on failure it has
// already answered 400.
func pathTraceID(w http.ResponseWriter, r *http.Request, name string) (string, bool) {
	id, err := normalizeTraceID(r.PathValue(name))
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad trace id: "+err.Error())
		return "", false
	}
	return id, true
}

func (a *API) listSessions(w http.ResponseWriter, r *http.Request) {
	q, err := parseSessionQuery(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	page, err := a.r.ListSessions(r.Context(), q)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if page.Sessions == nil {
		page.Sessions = []model.Session{}
	}
	for i := range page.Sessions {
		fillSession(&page.Sessions[i])
	}
	writeJSON(w, http.StatusOK, page)
}

// fillSession turns nil lists into empty ones: clients iterate them
// without a null check.
func fillSession(s *model.Session) {
	if s.Tags == nil {
		s.Tags = []string{}
	}
	if s.Models == nil {
		s.Models = []string{}
	}
}

func (a *API) getSession(w http.ResponseWriter, r *http.Request) {
	id, ok := pathTraceID(w, r, "id")
	if !ok {
		return
	}
	s, err := a.r.Session(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	fillSession(&s)
	writeJSON(w, http.StatusOK, s)
}

func (a *API) deleteSession(w http.ResponseWriter, r *http.Request) {
	id, ok := pathTraceID(w, r, "id")
	if !ok {
		return
	}
	if err := a.r.DeleteSession(r.Context(), id); err != nil {
		a.fail(w, r, err)
		return
	}
	if a.hub != nil {
		a.hub.Publish(EventSessionDeleted, map[string]string{"trace_id": id})
	}
	w.WriteHeader(http.StatusNoContent)
}

type deletedBody struct {
	Deleted   int64     `json:"deleted"`
	OlderThan time.Time `json:"older_than"`
}

func (a *API) deleteOlderThan(w http.ResponseWriter, r *http.Request) {
	t, err := parseOlderThan(r.URL.Query().Get("older_than"), time.Now())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	n, err := a.r.DeleteOlderThan(r.Context(), t)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	body := deletedBody{Deleted: n, OlderThan: t.UTC()}
	if a.hub != nil && n > 0 {
		a.hub.Publish(EventSessionsDeleted, body)
	}
	writeJSON(w, http.StatusOK, body)
}

// loadSpans reads a trace's spans. No spans (empty, or ErrNotFound from
// the store) is a 404 for a trace the store does not know, and an empty
// list for a session known by its logs or files alone.
func (a *API) loadSpans(r *http.Request, traceID string) ([]model.Span, error) {
	spans, err := a.r.Spans(r.Context(), traceID)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return nil, err
	}
	if len(spans) > 0 {
		return spans, nil
	}
	if err := a.exists(r, traceID); err != nil {
		return nil, err
	}
	return []model.Span{}, nil
}

// exists returns model.ErrNotFound when the store has no session traceID.
func (a *API) exists(r *http.Request, traceID string) error {
	_, err := a.r.Session(r.Context(), traceID)
	return err
}

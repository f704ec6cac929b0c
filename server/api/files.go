package api

import (
	"errors"
	"net/http"

	"github.com/agentops-go/agentops/server/model"
)

func (a *API) getSessionFiles(w http.ResponseWriter, r *http.Request) {
	id, ok := pathTraceID(w, r, "id")
	if !ok {
		return
	}
	files, err := a.r.Files(r.Context(), id)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		a.fail(w, r, err)
		return
	}
	if len(files) == 0 {
		if err := a.exists(r, id); err != nil {
			a.fail(w, r, err)
			return
		}
		files = []model.FileInfo{}
	}
	writeJSON(w, http.StatusOK, files)
}

// maxBlobID bounds the ids passed to the store; real ones are 32 hex
// digits.
const maxBlobID = 128

func blobID(w http.ResponseWriter, r *http.Request) (string, bool) {
	id := r.PathValue("id")
	if len(id) > maxBlobID {
		writeError(w, http.StatusBadRequest, "bad id: longer than 128 characters")
		return "", false
	}
	return id, true
}

// getFile serves a source file as JSON, or with ?raw=1 its bare text.
func (a *API) getFile(w http.ResponseWriter, r *http.Request) {
	id, ok := blobID(w, r)
	if !ok {
		return
	}
	raw, err := parseBool(r.URL.Query(), "raw")
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	f, err := a.r.File(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if raw {
		writeText(w, http.StatusOK, f.Content)
		return
	}
	writeJSON(w, http.StatusOK, f)
}

// getObject serves an uploaded object as JSON, or with ?raw=1 its bare
// text.
func (a *API) getObject(w http.ResponseWriter, r *http.Request) {
	id, ok := blobID(w, r)
	if !ok {
		return
	}
	raw, err := parseBool(r.URL.Query(), "raw")
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	o, err := a.r.Object(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if raw {
		writeText(w, http.StatusOK, o.Content)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

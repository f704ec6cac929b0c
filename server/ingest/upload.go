package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/agentops-go/agentops/server/model"
)

// uploadKind is the kind of a /v4/<kind>/upload/ route.
type uploadKind string

const (
	uploadLogs    uploadKind = "logs"
	uploadScripts uploadKind = "scripts"
	uploadObjects uploadKind = "objects"
)

// uploadAnswer is what a successful upload is answered, as AgentOps does.
type uploadAnswer struct {
	URL  string `json:"url"`
	Size int    `json:"size"` // bytes of the stored text
}

// uploadHandler returns the handler of POST /v4/<kind>/upload/.
func (h *Handler) uploadHandler(kind uploadKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !allowPost(w, r) || !h.authorized(w, r) {
			return
		}
		var traceID, filename string
		if kind != uploadObjects {
			var err error
			if traceID, err = singleHeader(r, "Trace-Id"); err == nil {
				traceID, err = parseTraceID(traceID)
			}
			if err != nil {
				writeJSONError(w, http.StatusBadRequest, err.Error())
				return
			}
		}
		if kind == uploadScripts {
			var err error
			if filename, err = singleHeader(r, "Filename"); err == nil {
				err = checkFilename(filename)
			}
			if err != nil {
				writeJSONError(w, http.StatusBadRequest, err.Error())
				return
			}
		}
		isJSON, ok := uploadMediaType(r.Header.Get("Content-Type"))
		if !ok {
			writeJSONError(w, http.StatusUnsupportedMediaType, fmt.Sprintf(
				`unsupported Content-Type %q: send application/json {"body": "<text>"} or the raw text as text/plain`, r.Header.Get("Content-Type")))
			return
		}
		if !h.tryAcquire() {
			w.Header().Set("Retry-After", retryAfterSeconds)
			writeJSONError(w, http.StatusServiceUnavailable, "server busy decoding other requests: retry shortly")
			return
		}
		text, err := h.readUpload(w, r, isJSON)
		h.release()
		if err != nil {
			var be *bodyError
			if errors.As(err, &be) {
				writeJSONError(w, be.status, be.msg)
			} else {
				writeJSONError(w, http.StatusBadRequest, err.Error())
			}
			return
		}

		now := time.Now().UTC()
		base := h.publicURL(r)
		var batch model.Batch
		var url string
		switch kind {
		case uploadLogs:
			// Stored as received: AgentOps SDKs start the text with "\n"
			// because the AgentOps viewer drops the first line, and the
			// dashboard deals with that, not the store.
			batch.Logs = []model.LogUpload{{TraceID: traceID, Text: text, Received: now}}
			url = base + "/api/logs/" + traceID
		case uploadScripts:
			id := model.FileID(filename, text)
			batch.Files = []model.FileUpload{{ID: id, TraceID: traceID, Path: filename, Content: text, Received: now}}
			url = base + filesPath + id
		case uploadObjects:
			id := model.ObjectID(text)
			batch.Objects = []model.Object{{ID: id, Content: text, Received: now}}
			url = base + "/api/objects/" + id
		}
		if err := h.cfg.Writer.Write(r.Context(), &batch); err != nil {
			if isRetryable(err) {
				w.Header().Set("Retry-After", retryAfterSeconds)
				writeJSONError(w, http.StatusServiceUnavailable, "the store cannot take more data right now ("+err.Error()+"): retry shortly")
				return
			}
			h.log.Error("ingest: storing an upload failed", "kind", string(kind), "err", err)
			writeJSONError(w, http.StatusInternalServerError, "storing the upload failed: "+err.Error()+": see the server's log")
			return
		}
		writeJSON(w, http.StatusOK, uploadAnswer{URL: url, Size: len(text)})
	}
}

// readUpload reads an upload body and returns its text: the "body" of a
// JSON envelope, or a text/plain body as is.
func (h *Handler) readUpload(w http.ResponseWriter, r *http.Request, isJSON bool) (string, error) {
	buf, err := readBody(w, r, h.cfg.MaxUploadBytes, false)
	if err != nil {
		return "", err
	}
	defer putBuffer(buf)
	if !isJSON {
		return buf.String(), nil
	}
	var env struct {
		Body *string `json:"body"`
	}
	if err := json.Unmarshal(buf.Bytes(), &env); err != nil {
		return "", fmt.Errorf(`the body is not the JSON envelope {"body": "<text>"} (%v): send that, or the raw text as text/plain`, err)
	}
	if env.Body == nil {
		return "", errors.New(`the JSON body has no "body" string: send {"body": "<text>"}, or the raw text as text/plain`)
	}
	return *env.Body, nil
}

// uploadMediaType accepts application/json (the envelope) and text/plain
// (the raw text), reporting which.
func uploadMediaType(contentType string) (isJSON, ok bool) {
	mt, _, _ := strings.Cut(contentType, ";")
	switch strings.ToLower(strings.TrimSpace(mt)) {
	case "application/json":
		return true, true
	case "text/plain":
		return false, true
	}
	return false, false
}

// singleHeader returns the one value of header name ("" when absent) and
// refuses several: which one would be meant?
func singleHeader(r *http.Request, name string) (string, error) {
	vs := r.Header.Values(name)
	switch len(vs) {
	case 0:
		return "", nil
	case 1:
		return vs[0], nil
	}
	return "", fmt.Errorf("more than one %s header: send one", name)
}

package ingest

import (
	"fmt"
	"net/http"
	"strings"

	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/agentops-go/agentops/server/model"
)

// serveTraces serves POST /v1/traces.
func (h *Handler) serveTraces(w http.ResponseWriter, r *http.Request) {
	enc, body, done, ok := h.otlpRequest(w, r)
	if !ok {
		return
	}
	defer done()
	res, err := decodeTraces(body, enc, h.maxNodes, newSourceMatcher(r, h.publicURL(r)))
	if err == nil && h.cfg.Normalizer != nil {
		for i := range res.batch.Spans {
			h.cfg.Normalizer.Span(&res.batch.Spans[i])
		}
	}
	// The body and its decoded form are garbage now; only the batch is
	// held while the Writer commits it, and the Writer bounds its queue.
	done()
	if err != nil {
		h.log.Debug("ingest: refused OTLP traces", "err", err, "remote", r.RemoteAddr)
		writeStatus(w, enc, http.StatusBadRequest, err.Error())
		return
	}

	if len(res.batch.Spans) > 0 {
		if err := h.cfg.Writer.Write(r.Context(), &res.batch); err != nil {
			h.writeFailed(w, enc, err, len(res.batch.Spans))
			return
		}
	}

	resp := ptraceotlp.NewExportResponse()
	if res.rejected > 0 {
		h.log.Debug("ingest: rejected spans", "count", res.rejected, "reason", res.rejectMsg)
		ps := resp.PartialSuccess()
		ps.SetRejectedSpans(int64(res.rejected))
		ps.SetErrorMessage(res.rejectMsg)
	}
	var out []byte
	if enc == encJSON {
		out, err = resp.MarshalJSON()
	} else {
		out, err = resp.MarshalProto()
	}
	if err != nil { // cannot happen for a response this simple
		writeStatus(w, enc, http.StatusInternalServerError, "encoding the response: "+err.Error())
		return
	}
	writeOTLP(w, enc, out)
}

// writeFailed answers a Writer error: 503 with Retry-After for "try
// later", 500 for the rest.
func (h *Handler) writeFailed(w http.ResponseWriter, enc encoding, err error, spans int) {
	if isRetryable(err) {
		h.log.Debug("ingest: store busy", "err", err)
		w.Header().Set("Retry-After", retryAfterSeconds)
		writeStatus(w, enc, http.StatusServiceUnavailable, "the store cannot take more data right now ("+err.Error()+"): retry shortly")
		return
	}
	h.log.Error("ingest: storing spans failed", "spans", spans, "err", err)
	writeStatus(w, enc, http.StatusInternalServerError, "storing the spans failed: "+err.Error()+": see the server's log")
}

// traceResult is a decoded /v1/traces request.
type traceResult struct {
	batch     model.Batch
	rejected  int
	rejectMsg string
}

// decodeTraces decodes an OTLP trace export request and converts it. It
// never panics: a panic in the decoder is reported as an error.
func decodeTraces(body []byte, enc encoding, maxNodes int, sources sourceMatcher) (res traceResult, err error) {
	defer func() {
		if v := recover(); v != nil {
			res, err = traceResult{}, fmt.Errorf("cannot decode the OTLP body (decoder panicked: %v)", v)
		}
	}()
	if err := checkNesting(body, enc, traceSchema, maxNodes); err != nil {
		return traceResult{}, fmt.Errorf("refusing the OTLP body: %w", err)
	}
	req := ptraceotlp.NewExportRequest()
	if enc == encJSON {
		err = req.UnmarshalJSON(body)
	} else {
		err = req.UnmarshalProto(body)
	}
	if err != nil {
		return traceResult{}, decodeError(err, enc, body)
	}
	var c converter
	c.sources = sources
	c.traces(req.Traces())
	res.batch.Spans, res.batch.FileRefs = c.spans, c.refs
	if c.rejected > 0 {
		res.rejected = c.rejected
		res.rejectMsg = fmt.Sprintf("%d span(s) rejected: a span needs a non-zero 16-byte trace_id and 8-byte span_id (first rejected: %q); fix the instrumentation that produced them",
			c.rejected, truncate(c.firstRejected, 100))
	}
	return res, nil
}

// truncate cuts s to at most n bytes, on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "..."
}

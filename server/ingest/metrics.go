package ingest

import (
	"fmt"
	"net/http"

	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
)

// serveMetrics serves POST /v1/metrics. The request is decoded, so that a
// malformed one gets the same 400 as on a Collector, and then dropped: the
// local backend does not store metrics. SDKs export their GenAI metrics to
// the same endpoint as their spans, and a 404 there would fill their logs
// with export errors.
func (h *Handler) serveMetrics(w http.ResponseWriter, r *http.Request) {
	enc, body, done, ok := h.otlpRequest(w, r)
	if !ok {
		return
	}
	defer done()
	err := decodeMetrics(body, enc, h.maxNodes)
	done()
	if err != nil {
		h.log.Debug("ingest: refused OTLP metrics", "err", err, "remote", r.RemoteAddr)
		writeStatus(w, enc, http.StatusBadRequest, err.Error())
		return
	}
	resp := pmetricotlp.NewExportResponse()
	var out []byte
	if enc == encJSON {
		out, err = resp.MarshalJSON()
	} else {
		out, err = resp.MarshalProto()
	}
	if err != nil {
		writeStatus(w, enc, http.StatusInternalServerError, "encoding the response: "+err.Error())
		return
	}
	writeOTLP(w, enc, out)
}

// decodeMetrics validates an OTLP metrics export request. It never panics.
func decodeMetrics(body []byte, enc encoding, maxNodes int) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("cannot decode the OTLP body (decoder panicked: %v)", v)
		}
	}()
	if err := checkNesting(body, enc, metricSchema, maxNodes); err != nil {
		return fmt.Errorf("refusing the OTLP body: %w", err)
	}
	req := pmetricotlp.NewExportRequest()
	if enc == encJSON {
		err = req.UnmarshalJSON(body)
	} else {
		err = req.UnmarshalProto(body)
	}
	if err != nil {
		return decodeError(err, enc, body)
	}
	return nil
}

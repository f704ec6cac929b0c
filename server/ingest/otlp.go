package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/code"
	statuspb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// encoding is an OTLP/HTTP payload encoding.
type encoding int

const (
	encProto encoding = iota
	encJSON
)

func (e encoding) contentType() string {
	if e == encJSON {
		return "application/json"
	}
	return "application/x-protobuf"
}

// otlpEncoding reads the Content-Type of an OTLP/HTTP request.
func otlpEncoding(contentType string) (encoding, bool) {
	mt, _, _ := strings.Cut(contentType, ";")
	switch strings.ToLower(strings.TrimSpace(mt)) {
	case "application/x-protobuf", "application/protobuf":
		return encProto, true
	case "application/json":
		return encJSON, true
	}
	return 0, false
}

// otlpRequest does what both OTLP routes share before decoding: method,
// auth and media type checks, a decode slot, the body. On success the
// caller must call done, which returns the body's buffer and the slot; a
// deferred call as well keeps a panicking Normalizer from leaking the slot.
func (h *Handler) otlpRequest(w http.ResponseWriter, r *http.Request) (enc encoding, body []byte, done func(), ok bool) {
	if !allowPost(w, r) || !h.authorized(w, r) {
		return 0, nil, nil, false
	}
	enc, ok = otlpEncoding(r.Header.Get("Content-Type"))
	if !ok {
		writeJSONError(w, http.StatusUnsupportedMediaType, fmt.Sprintf(
			"unsupported Content-Type %q: send OTLP as application/x-protobuf or application/json", r.Header.Get("Content-Type")))
		return 0, nil, nil, false
	}
	if !h.tryAcquire() {
		w.Header().Set("Retry-After", retryAfterSeconds)
		writeStatus(w, enc, http.StatusServiceUnavailable, "server busy decoding other requests: retry shortly")
		return 0, nil, nil, false
	}
	buf, err := readBody(w, r, h.cfg.MaxOTLPBytes, true)
	if err != nil {
		h.release()
		var be *bodyError
		if errors.As(err, &be) {
			writeStatus(w, enc, be.status, be.msg)
		} else {
			writeStatus(w, enc, http.StatusBadRequest, err.Error())
		}
		return 0, nil, nil, false
	}
	released := false
	done = func() { // idempotent, so that callers can also defer it
		if !released {
			released = true
			putBuffer(buf)
			h.release()
		}
	}
	return enc, buf.Bytes(), done, true
}

// writeStatus answers an OTLP request with a google.rpc.Status in the
// request's encoding, as the OTel Collector does.
func writeStatus(w http.ResponseWriter, enc encoding, status int, msg string) {
	st := &statuspb.Status{Code: int32(rpcCode(status)), Message: msg}
	var out []byte
	if enc == encJSON {
		out, _ = protojson.Marshal(st)
	} else {
		out, _ = proto.Marshal(st)
	}
	w.Header().Set("Content-Type", enc.contentType())
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// rpcCode maps an HTTP status to the gRPC code the Collector pairs it with.
func rpcCode(status int) code.Code {
	switch status {
	case http.StatusBadRequest:
		return code.Code_INVALID_ARGUMENT
	case http.StatusUnauthorized:
		return code.Code_UNAUTHENTICATED
	case http.StatusRequestEntityTooLarge, http.StatusTooManyRequests:
		return code.Code_RESOURCE_EXHAUSTED
	case http.StatusServiceUnavailable:
		return code.Code_UNAVAILABLE
	case http.StatusInternalServerError:
		return code.Code_INTERNAL
	}
	return code.Code_UNKNOWN
}

// writeOTLP answers 200 with an encoded export response.
func writeOTLP(w http.ResponseWriter, enc encoding, out []byte) {
	w.Header().Set("Content-Type", enc.contentType())
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}

// checkNesting refuses a body whose nesting would endanger the decoder.
func checkNesting(body []byte, enc encoding, schema *schemaNode, maxNodes int) error {
	if enc == encJSON {
		return checkJSON(body, maxNodes)
	}
	return checkProto(body, schema, maxNodes)
}

// decodeError describes a body the decoder refused.
func decodeError(err error, enc encoding, body []byte) error {
	what := "protobuf"
	if enc == encJSON {
		what = "JSON"
		if t := bytes.TrimSpace(body); len(t) > 0 && t[0] != '{' {
			return errors.New("the body is not an OTLP/JSON object: send an ExportTraceServiceRequest or ExportMetricsServiceRequest")
		}
	}
	return fmt.Errorf("cannot decode the OTLP/%s body: %v: check the exporter's encoding matches its Content-Type", what, err)
}

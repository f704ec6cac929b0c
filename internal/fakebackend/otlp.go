package fakebackend

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	collectorpb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

const maxBody = 32 << 20

// handleTraces serves POST /v1/traces (OTLP/HTTP, protobuf or JSON).
func (b *Backend) handleTraces(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}

	b.mu.Lock()
	idx := len(b.otlpRequests)
	b.otlpRequests = append(b.otlpRequests, Request{Header: r.Header.Clone()})
	b.mu.Unlock()

	status, count := b.serveTraces(w, r)

	b.mu.Lock()
	b.otlpRequests[idx].Status = status
	b.otlpRequests[idx].SpanCount = count
	b.mu.Unlock()
}

// serveTraces answers one OTLP request and returns the status it wrote and
// the number of spans decoded.
func (b *Backend) serveTraces(w http.ResponseWriter, r *http.Request) (status, spans int) {
	fail := func(code int, msg string) (int, int) {
		http.Error(w, msg, code)
		return code, 0
	}
	if b.waitIfHung(r) {
		return fail(http.StatusServiceUnavailable, "backend hung")
	}
	b.mu.Lock()
	forced, requireAuth := b.otlpStatus, b.requireAuth
	b.mu.Unlock()
	if forced != 0 {
		return fail(forced, fmt.Sprintf("fakebackend: forced status %d", forced))
	}
	if requireAuth && !b.tokenValid(r) {
		return fail(http.StatusUnauthorized, "invalid or missing bearer token")
	}

	raw, isJSON, code, msg := readOTLPBody(w, r)
	if code != 0 {
		return fail(code, msg)
	}

	req := &collectorpb.ExportTraceServiceRequest{}
	var err error
	if isJSON {
		err = unmarshalOTLPJSON(raw, req)
	} else {
		err = proto.Unmarshal(raw, req)
	}
	if err != nil {
		return fail(http.StatusBadRequest, "decoding OTLP request: "+err.Error())
	}

	decoded := convertRequest(req)
	b.mu.Lock()
	b.spans = append(b.spans, decoded...)
	b.mu.Unlock()

	// OTLP/HTTP: the response uses the request's encoding.
	var out []byte
	if isJSON {
		w.Header().Set("Content-Type", "application/json")
		out, err = protojson.Marshal(&collectorpb.ExportTraceServiceResponse{})
	} else {
		w.Header().Set("Content-Type", "application/x-protobuf")
		out, err = proto.Marshal(&collectorpb.ExportTraceServiceResponse{})
	}
	if err != nil {
		return fail(http.StatusInternalServerError, err.Error())
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
	return http.StatusOK, len(decoded)
}

// readOTLPBody checks an OTLP/HTTP request's media type and encoding and
// reads its body. code is 0 on success, else the status to answer with msg.
func readOTLPBody(w http.ResponseWriter, r *http.Request) (raw []byte, isJSON bool, code int, msg string) {
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	isJSON = mediaType == "application/json"
	if !isJSON && mediaType != "application/x-protobuf" && mediaType != "application/protobuf" {
		return nil, false, http.StatusUnsupportedMediaType, "unsupported content type " + mediaType
	}
	var body io.Reader = http.MaxBytesReader(w, r.Body, maxBody)
	switch enc := strings.ToLower(r.Header.Get("Content-Encoding")); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(body)
		if err != nil {
			return nil, false, http.StatusBadRequest, "bad gzip body: " + err.Error()
		}
		defer zr.Close()
		body = io.LimitReader(zr, maxBody)
	default:
		return nil, false, http.StatusUnsupportedMediaType, "unsupported content encoding " + enc
	}
	raw, err := io.ReadAll(body)
	if err != nil {
		return nil, false, http.StatusBadRequest, "reading body: " + err.Error()
	}
	return raw, isJSON, 0, ""
}

// idKeys are the OTLP/JSON fields that carry hex ids, which protojson would
// otherwise read as base64 bytes.
var idKeys = map[string]bool{
	"traceId": true, "spanId": true, "parentSpanId": true,
	"trace_id": true, "span_id": true, "parent_span_id": true,
}

// unmarshalOTLPJSON decodes OTLP/JSON: it rewrites the hex ids to base64 and
// hands the result to protojson.
func unmarshalOTLPJSON(raw []byte, m proto.Message) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keep 64-bit timestamps exact
	var v any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	if err := hexIDsToBase64(v); err != nil {
		return err
	}
	fixed, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return protojson.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(fixed, m)
}

func hexIDsToBase64(v any) error {
	switch v := v.(type) {
	case map[string]any:
		for k, val := range v {
			if s, ok := val.(string); ok && idKeys[k] {
				id, err := hex.DecodeString(s)
				if err != nil {
					return fmt.Errorf("field %s: %w", k, err)
				}
				v[k] = base64.StdEncoding.EncodeToString(id)
				continue
			}
			if err := hexIDsToBase64(val); err != nil {
				return err
			}
		}
	case []any:
		for _, val := range v {
			if err := hexIDsToBase64(val); err != nil {
				return err
			}
		}
	}
	return nil
}

func convertRequest(req *collectorpb.ExportTraceServiceRequest) []Span {
	var out []Span
	for _, rs := range req.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				span := Span{
					Name:         s.GetName(),
					TraceID:      hex.EncodeToString(s.GetTraceId()),
					SpanID:       hex.EncodeToString(s.GetSpanId()),
					ParentSpanID: hex.EncodeToString(s.GetParentSpanId()),
					Kind:         spanKind(s.GetKind()),
					StartTime:    nanoTime(s.GetStartTimeUnixNano()),
					EndTime:      nanoTime(s.GetEndTimeUnixNano()),
					Attrs:        attrMap(s.GetAttributes()),
					Status: Status{
						Code:    statusCode(s.GetStatus().GetCode()),
						Message: s.GetStatus().GetMessage(),
					},
					Resource:     attrMap(rs.GetResource().GetAttributes()),
					Scope:        ss.GetScope().GetName(),
					ScopeVersion: ss.GetScope().GetVersion(),
					TraceState:   s.GetTraceState(),
				}
				for _, e := range s.GetEvents() {
					span.Events = append(span.Events, Event{
						Name:  e.GetName(),
						Time:  nanoTime(e.GetTimeUnixNano()),
						Attrs: attrMap(e.GetAttributes()),
					})
				}
				for _, l := range s.GetLinks() {
					span.Links = append(span.Links, Link{
						TraceID: hex.EncodeToString(l.GetTraceId()),
						SpanID:  hex.EncodeToString(l.GetSpanId()),
						Attrs:   attrMap(l.GetAttributes()),
					})
				}
				out = append(out, span)
			}
		}
	}
	return out
}

func spanKind(k tracepb.Span_SpanKind) string {
	switch k {
	case tracepb.Span_SPAN_KIND_INTERNAL:
		return "internal"
	case tracepb.Span_SPAN_KIND_SERVER:
		return "server"
	case tracepb.Span_SPAN_KIND_CLIENT:
		return "client"
	case tracepb.Span_SPAN_KIND_PRODUCER:
		return "producer"
	case tracepb.Span_SPAN_KIND_CONSUMER:
		return "consumer"
	}
	return "unspecified"
}

func statusCode(c tracepb.Status_StatusCode) string {
	switch c {
	case tracepb.Status_STATUS_CODE_OK:
		return "ok"
	case tracepb.Status_STATUS_CODE_ERROR:
		return "error"
	}
	return "unset"
}

// nanoTime converts OTLP unix nanoseconds to a UTC time; 0 becomes the zero time.
func nanoTime(ns uint64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, int64(ns)).UTC()
}

func attrMap(kvs []*commonpb.KeyValue) map[string]any {
	m := make(map[string]any, len(kvs))
	for _, kv := range kvs {
		m[kv.GetKey()] = anyValue(kv.GetValue())
	}
	return m
}

// anyValue converts an OTLP AnyValue to a plain Go value: string, bool,
// int64, float64, []byte, []string for all-string (or empty) arrays, []any
// for other arrays, map[string]any for key-value lists, nil when unset.
func anyValue(v *commonpb.AnyValue) any {
	switch v := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return v.StringValue
	case *commonpb.AnyValue_BoolValue:
		return v.BoolValue
	case *commonpb.AnyValue_IntValue:
		return v.IntValue
	case *commonpb.AnyValue_DoubleValue:
		return v.DoubleValue
	case *commonpb.AnyValue_BytesValue:
		return v.BytesValue
	case *commonpb.AnyValue_KvlistValue:
		return attrMap(v.KvlistValue.GetValues())
	case *commonpb.AnyValue_ArrayValue:
		vals := v.ArrayValue.GetValues()
		strs := make([]string, 0, len(vals))
		for _, e := range vals {
			s, ok := e.GetValue().(*commonpb.AnyValue_StringValue)
			if !ok {
				strs = nil
				break
			}
			strs = append(strs, s.StringValue)
		}
		if strs != nil {
			return strs
		}
		out := make([]any, len(vals))
		for i, e := range vals {
			out[i] = anyValue(e)
		}
		return out
	}
	return nil
}

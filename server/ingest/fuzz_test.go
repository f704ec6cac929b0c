package ingest

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/agentops-go/agentops/server/model"
)

// The seed corpora live in testdata/fuzz/<target>: valid requests of
// every kind, the edge cases of the tests, and inputs that once broke
// something. Run one with e.g.
//
//	go test -run=^$ -fuzz=FuzzDecodeTraces ./server/ingest/

// FuzzDecodeTraces feeds the OTLP traces decoding path (nesting scan,
// pdata, conversion) any bytes, as protobuf or JSON.
func FuzzDecodeTraces(f *testing.F) {
	f.Add([]byte{}, false)
	f.Add([]byte(`{}`), true)
	r := httptest.NewRequest(http.MethodPost, "http://localhost:7318/v1/traces", nil)
	matcher := newSourceMatcher(r, "http://127.0.0.1:7318")
	f.Fuzz(func(t *testing.T, body []byte, isJSON bool) {
		enc := encProto
		if isJSON {
			enc = encJSON
		}
		res, err := decodeTraces(body, enc, 1<<16, matcher)
		if err != nil {
			if strings.Contains(err.Error(), "panicked") {
				t.Fatalf("the decoder panicked: %v", err)
			}
			// The nesting scan must not refuse what the decoder accepts
			// (fuzz inputs are far too small to overflow its stack).
			if errors.Is(err, errMalformed) && ptraceotlp.NewExportRequest().UnmarshalProto(body) == nil {
				t.Fatalf("the scan refused a body the decoder accepts: %v", err)
			}
			return
		}
		for _, s := range res.batch.Spans {
			if !isHexID(s.TraceID, 32) || !isHexID(s.SpanID, 16) || s.ParentSpanID != "" && !isHexID(s.ParentSpanID, 16) {
				t.Fatalf("bad ids %q %q %q", s.TraceID, s.SpanID, s.ParentSpanID)
			}
			if s.TraceID == strings.Repeat("0", 32) || s.SpanID == strings.Repeat("0", 16) {
				t.Fatalf("a zero id was not rejected: %+v", s)
			}
			if s.Attributes == nil {
				t.Fatal("nil attributes")
			}
			// The store and the API encode spans as JSON: that must work
			// for whatever was accepted (NaN would not).
			if _, err := json.Marshal(s); err != nil {
				t.Fatalf("an accepted span does not encode as JSON: %v", err)
			}
		}
		for _, ref := range res.batch.FileRefs {
			if !isFileID(ref.FileID) || ref.Path == "" {
				t.Fatalf("bad file ref %+v", ref)
			}
		}
		if res.rejected > 0 && res.rejectMsg == "" {
			t.Fatal("rejected spans without a message")
		}
	})
}

// FuzzDecodeMetrics feeds the OTLP metrics decoding path any bytes.
func FuzzDecodeMetrics(f *testing.F) {
	f.Add([]byte{}, false)
	f.Add([]byte(`{"resourceMetrics":[]}`), true)
	f.Fuzz(func(t *testing.T, body []byte, isJSON bool) {
		enc := encProto
		if isJSON {
			enc = encJSON
		}
		err := decodeMetrics(body, enc, 1<<16)
		if err != nil && strings.Contains(err.Error(), "panicked") {
			t.Fatalf("the decoder panicked: %v", err)
		}
		if errors.Is(err, errMalformed) && pmetricotlp.NewExportRequest().UnmarshalProto(body) == nil {
			t.Fatalf("the scan refused a body the decoder accepts: %v", err)
		}
	})
}

var maxTraceID = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))

// FuzzParseTraceID checks the Trace-Id parser against math/big.
func FuzzParseTraceID(f *testing.F) {
	for _, s := range []string{"10", "0a1b2c3d4e5f60718293a4b5c6d7e8f9", "340282366920938463463374607431768211455"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseTraceID(s)
		if err != nil {
			return
		}
		if !isHexID(got, 32) || got == strings.Repeat("0", 32) {
			t.Fatalf("parseTraceID(%q) = %q", s, got)
		}
		allDigits := strings.Trim(s, "0123456789") == ""
		if allDigits && !(len(s) == 32 && s[0] == '0') {
			n, ok := new(big.Int).SetString(s, 10)
			if !ok || n.Cmp(maxTraceID) > 0 {
				t.Fatalf("parseTraceID(%q) accepted an invalid decimal", s)
			}
			if want := hex.EncodeToString(n.FillBytes(make([]byte, 16))); got != want {
				t.Fatalf("parseTraceID(%q) = %s, want %s", s, got, want)
			}
		} else if !strings.EqualFold(got, s) {
			t.Fatalf("parseTraceID(%q) = %s, want the hex id itself", s, got)
		}
	})
}

// discardWriter accepts every batch.
type discardWriter struct{}

func (discardWriter) Write(context.Context, *model.Batch) error { return nil }

// FuzzUploadHandler sends the upload handlers any headers and body.
func FuzzUploadHandler(f *testing.F) {
	f.Add(uint8(0), "10", "", "application/json", []byte(`{"body":"\nhello"}`))
	h := New(Config{Writer: discardWriter{}, MaxUploadBytes: 1 << 16})
	mux := http.NewServeMux()
	h.Register(mux)
	kinds := []uploadKind{uploadLogs, uploadScripts, uploadObjects}
	f.Fuzz(func(t *testing.T, kind uint8, traceID, filename, contentType string, body []byte) {
		k := kinds[int(kind)%len(kinds)]
		req := httptest.NewRequest(http.MethodPost, "/v4/"+string(k)+"/upload/", strings.NewReader(string(body)))
		req.Header.Set("Trace-Id", traceID)
		req.Header.Set("Filename", filename)
		req.Header.Set("Content-Type", contentType)
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		var out map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatalf("status %d with a body that is not JSON: %q", w.Code, w.Body.Bytes())
		}
		switch w.Code {
		case http.StatusOK:
			if _, ok := out["url"].(string); !ok {
				t.Fatalf("200 without a url: %v", out)
			}
			if k == uploadScripts && checkFilename(filename) != nil {
				t.Fatalf("accepted the Filename %q", filename)
			}
		case http.StatusBadRequest, http.StatusUnsupportedMediaType, http.StatusRequestEntityTooLarge:
			if msg, _ := out["error"].(string); msg == "" {
				t.Fatalf("status %d without an error message: %v", w.Code, out)
			}
		default:
			t.Fatalf("unexpected status %d: %v", w.Code, out)
		}
	})
}

func isHexID(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := range len(s) {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

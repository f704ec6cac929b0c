package ingest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	statuspb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/agentops-go/agentops/server/model"
)

const (
	ctProto = "application/x-protobuf"
	ctJSON  = "application/json"
)

// tracesWith builds a request of n spans; ids(i) gives span i's trace and
// span id.
func tracesWith(n int, ids func(i int) (pcommon.TraceID, pcommon.SpanID)) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "svc")
	ss := rs.ScopeSpans().AppendEmpty()
	for i := range n {
		sp := ss.Spans().AppendEmpty()
		tid, sid := ids(i)
		sp.SetTraceID(tid)
		sp.SetSpanID(sid)
		sp.SetName(fmt.Sprintf("span-%d", i))
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(t0))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(t0.Add(time.Second)))
	}
	return td
}

func validIDs(i int) (pcommon.TraceID, pcommon.SpanID) {
	return pcommon.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, pcommon.SpanID{1, 2, 3, 4, 5, 6, 7, byte(i + 1)}
}

func encode(t testing.TB, td ptrace.Traces, ct string) []byte {
	t.Helper()
	req := ptraceotlp.NewExportRequestFromTraces(td)
	var raw []byte
	var err error
	if ct == ctJSON {
		raw, err = req.MarshalJSON()
	} else {
		raw, err = req.MarshalProto()
	}
	require.NoError(t, err)
	return raw
}

// rpcStatus decodes a google.rpc.Status answer in the given encoding.
func rpcStatus(t testing.TB, r response, ct string) *statuspb.Status {
	t.Helper()
	require.Equal(t, ct, r.header.Get("Content-Type"), "the error is in the request's encoding")
	st := &statuspb.Status{}
	if ct == ctJSON {
		require.NoError(t, protojson.Unmarshal(r.body, st), "body %q", r.body)
	} else {
		require.NoError(t, proto.Unmarshal(r.body, st), "body %q", r.body)
	}
	return st
}

func exportResponse(t testing.TB, r response, ct string) ptraceotlp.ExportResponse {
	t.Helper()
	require.Equal(t, http.StatusOK, r.status, "body %q", r.body)
	require.Equal(t, ct, r.header.Get("Content-Type"))
	resp := ptraceotlp.NewExportResponse()
	if ct == ctJSON {
		require.NoError(t, resp.UnmarshalJSON(r.body))
	} else {
		require.NoError(t, resp.UnmarshalProto(r.body))
	}
	return resp
}

func TestPartialSuccess(t *testing.T) {
	for _, ct := range []string{ctProto, ctJSON} {
		t.Run(ct, func(t *testing.T) {
			s := newServer(t, Config{})
			td := tracesWith(5, func(i int) (pcommon.TraceID, pcommon.SpanID) {
				tid, sid := validIDs(i)
				switch i {
				case 1:
					tid = pcommon.TraceID{} // no trace id
				case 3:
					sid = pcommon.SpanID{} // no span id
				}
				return tid, sid
			})
			resp := exportResponse(t, s.post(t, "/v1/traces", encode(t, td, ct), "Content-Type", ct), ct)
			assert.Equal(t, int64(2), resp.PartialSuccess().RejectedSpans())
			assert.Contains(t, resp.PartialSuccess().ErrorMessage(), "2 span(s) rejected")
			assert.Contains(t, resp.PartialSuccess().ErrorMessage(), `"span-1"`)

			var names []string
			for _, sp := range s.w.spans() {
				names = append(names, sp.Name)
			}
			assert.Equal(t, []string{"span-0", "span-2", "span-4"}, names, "the valid spans are stored")
		})
	}
}

func TestAllSpansRejectedWritesNothing(t *testing.T) {
	s := newServer(t, Config{})
	td := tracesWith(2, func(int) (pcommon.TraceID, pcommon.SpanID) { return pcommon.TraceID{}, pcommon.SpanID{} })
	resp := exportResponse(t, s.post(t, "/v1/traces", encode(t, td, ctProto), "Content-Type", ctProto), ctProto)
	assert.Equal(t, int64(2), resp.PartialSuccess().RejectedSpans())
	assert.Empty(t, s.w.all())
}

func TestEmptyRequest(t *testing.T) {
	s := newServer(t, Config{})
	r := s.post(t, "/v1/traces", nil, "Content-Type", ctProto)
	resp := exportResponse(t, r, ctProto)
	assert.Zero(t, resp.PartialSuccess().RejectedSpans())
	r = s.post(t, "/v1/traces", []byte(`{}`), "Content-Type", ctJSON+"; charset=utf-8")
	exportResponse(t, r, ctJSON)
	assert.Empty(t, s.w.all())
}

func TestConversionDetails(t *testing.T) {
	s := newServer(t, Config{})
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty() // no service.name
	sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	tid, sid := validIDs(0)
	sp.SetTraceID(tid)
	sp.SetSpanID(sid)
	sp.SetKind(ptrace.SpanKindProducer)
	attrs := sp.Attributes()
	attrs.PutDouble("nan", nan())
	attrs.PutDouble("inf", inf(1))
	attrs.PutDouble("-inf", inf(-1))
	attrs.PutEmpty("empty")
	attrs.PutEmptyBytes("bytes").FromRaw([]byte{0xff, 0x00})
	attrs.PutEmptyMap("emptymap")
	attrs.PutEmptySlice("emptyslice")
	nested := attrs.PutEmptySlice("nested").AppendEmpty().SetEmptyMap()
	nested.PutEmptySlice("inner").AppendEmpty().SetInt(3)
	// Past 2262 the nanoseconds overflow int64; the time must not wrap.
	sp.SetEndTimestamp(pcommon.Timestamp(1<<64 - 1))

	exportResponse(t, s.post(t, "/v1/traces", encode(t, td, ctProto), "Content-Type", ctProto), ctProto)
	spans := s.w.spans()
	require.Len(t, spans, 1)
	got := spans[0]
	assert.Equal(t, "unknown_service", got.Service)
	assert.Equal(t, "producer", got.Kind)
	assert.Equal(t, "unset", got.StatusCode)
	assert.True(t, got.Start.IsZero(), "an unset start is the zero time")
	assert.Equal(t, 2554, got.End.Year())
	assert.Nil(t, got.Resource)
	assert.Equal(t, map[string]any{
		"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity",
		"empty":      nil,
		"bytes":      "/wA=",
		"emptymap":   map[string]any{},
		"emptyslice": []any{},
		"nested":     []any{map[string]any{"inner": []any{int64(3)}}},
	}, got.Attributes)
}

func TestSharedResourceAndServiceName(t *testing.T) {
	s := newServer(t, Config{})
	td := tracesWith(3, validIDs)
	exportResponse(t, s.post(t, "/v1/traces", encode(t, td, ctProto), "Content-Type", ctProto), ctProto)
	spans := s.w.spans()
	require.Len(t, spans, 3)
	for _, sp := range spans {
		assert.Equal(t, "svc", sp.Service)
		assert.Equal(t, map[string]any{"service.name": "svc"}, sp.Resource)
		assert.NotNil(t, sp.Attributes, "attributes are always a map")
	}
}

func TestOTLPStatusCodes(t *testing.T) {
	valid := encode(t, tracesWith(1, validIDs), ctProto)

	t.Run("405 for non-POST", func(t *testing.T) {
		s := newServer(t, Config{})
		for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
			r := s.do(t, m, "/v1/traces", nil)
			assert.Equal(t, http.StatusMethodNotAllowed, r.status, m)
			assert.Equal(t, "POST", r.header.Get("Allow"))
			assert.Contains(t, string(r.body), `"error"`)
		}
	})
	t.Run("415 for other media types", func(t *testing.T) {
		s := newServer(t, Config{})
		for _, ct := range []string{"", "text/plain", "application/xml", "application/jsonx"} {
			r := s.post(t, "/v1/traces", valid, "Content-Type", ct)
			assert.Equal(t, http.StatusUnsupportedMediaType, r.status, ct)
			assert.Contains(t, string(r.body), "application/x-protobuf or application/json")
		}
		r := s.post(t, "/v1/traces", valid, "Content-Type", ctProto, "Content-Encoding", "br")
		assert.Equal(t, http.StatusUnsupportedMediaType, r.status)
		assert.Contains(t, rpcStatus(t, r, ctProto).GetMessage(), "gzip or identity")
		assert.Empty(t, s.w.all())
	})
	t.Run("400 with a google.rpc.Status in the request's encoding", func(t *testing.T) {
		s := newServer(t, Config{})
		for _, tc := range []struct{ ct, body string }{
			{ctProto, "\xff\xff\xff\xff"},
			{ctProto, "\x0a\x05abc"},        // truncated field
			{ctJSON, `{"resourceSpans": [`}, // truncated
			{ctJSON, `[1, 2]`},              // not an object
			{ctJSON, `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"xyz"}]}]}]}`}, // bad hex id
		} {
			r := s.post(t, "/v1/traces", []byte(tc.body), "Content-Type", tc.ct)
			require.Equal(t, http.StatusBadRequest, r.status, "%s %q: %q", tc.ct, tc.body, r.body)
			st := rpcStatus(t, r, tc.ct)
			assert.Equal(t, int32(3), st.GetCode(), "INVALID_ARGUMENT")
			assert.NotEmpty(t, st.GetMessage())
		}
		r := s.post(t, "/v1/traces", []byte("\x1f\x8bnot gzip"), "Content-Type", ctProto, "Content-Encoding", "gzip")
		assert.Equal(t, http.StatusBadRequest, r.status)
		gz := gzipBytes(t, valid)
		r = s.post(t, "/v1/traces", gz[:len(gz)-6], "Content-Type", ctProto, "Content-Encoding", "gzip")
		assert.Equal(t, http.StatusBadRequest, r.status, "truncated gzip")
		assert.Empty(t, s.w.all())
	})
	t.Run("413 past the cap", func(t *testing.T) {
		s := newServer(t, Config{MaxOTLPBytes: 4096})
		big := encode(t, tracesWith(200, validIDs), ctProto)
		require.Greater(t, len(big), 4096)
		r := s.post(t, "/v1/traces", big, "Content-Type", ctProto)
		assert.Equal(t, http.StatusRequestEntityTooLarge, r.status)
		assert.Equal(t, int32(8), rpcStatus(t, r, ctProto).GetCode(), "RESOURCE_EXHAUSTED")

		// Without Content-Length, the cap is met while reading.
		r = s.do(t, http.MethodPost, "/v1/traces", io.MultiReader(bytes.NewReader(big)), "Content-Type", ctProto)
		assert.Equal(t, http.StatusRequestEntityTooLarge, r.status)

		// A gzip body under the cap that decompresses past it.
		gz := gzipBytes(t, big)
		require.Less(t, len(gz), 4096)
		r = s.post(t, "/v1/traces", gz, "Content-Type", ctProto, "Content-Encoding", "gzip")
		assert.Equal(t, http.StatusRequestEntityTooLarge, r.status)
		assert.Contains(t, rpcStatus(t, r, ctProto).GetMessage(), "decompressed body larger than 4096 bytes")
		assert.Empty(t, s.w.all())
	})
	t.Run("413 for a gzip bomb at the default cap", func(t *testing.T) {
		s := newServer(t, Config{})
		// 64 MiB of zeros in 64 kB: gzip members may be concatenated.
		bomb := bytes.Repeat(gzipBytes(t, make([]byte, 1<<20)), 64)
		require.Less(t, len(bomb), 1<<20)
		r := s.post(t, "/v1/traces", bomb, "Content-Type", ctJSON, "Content-Encoding", "gzip")
		assert.Equal(t, http.StatusRequestEntityTooLarge, r.status)
		assert.Contains(t, rpcStatus(t, r, ctJSON).GetMessage(), "decompressed")
	})
	t.Run("503 with Retry-After when the writer is overloaded or closed", func(t *testing.T) {
		for _, err := range []error{model.ErrOverloaded, fmt.Errorf("store: %w", model.ErrClosed)} {
			s := newServer(t, Config{})
			s.w.setErr(err)
			for _, ct := range []string{ctProto, ctJSON} {
				r := s.post(t, "/v1/traces", encode(t, tracesWith(1, validIDs), ct), "Content-Type", ct)
				assert.Equal(t, http.StatusServiceUnavailable, r.status)
				assert.Equal(t, "1", r.header.Get("Retry-After"))
				assert.Equal(t, int32(14), rpcStatus(t, r, ct).GetCode(), "UNAVAILABLE")
			}
		}
	})
	t.Run("500 for other writer errors", func(t *testing.T) {
		s := newServer(t, Config{})
		s.w.setErr(fmt.Errorf("disk on fire"))
		r := s.post(t, "/v1/traces", valid, "Content-Type", ctProto)
		assert.Equal(t, http.StatusInternalServerError, r.status)
		assert.Contains(t, rpcStatus(t, r, ctProto).GetMessage(), "disk on fire")
		assert.Empty(t, r.header.Get("Retry-After"))
	})
}

func TestOverloadedDecodeSlots(t *testing.T) {
	s := newServer(t, Config{MaxConcurrentDecodes: 1})
	// A request whose body never ends holds the only slot while it is read.
	pr, pw := io.Pipe()
	started := make(chan struct{})
	done := make(chan response)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/v1/traces", io.TeeReader(pr, closeOnRead(started)))
		req.Header.Set("Content-Type", ctProto)
		resp, err := s.client.Do(req)
		if err != nil {
			done <- response{}
			return
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		done <- response{resp.StatusCode, resp.Header, raw}
	}()
	go func() { _, _ = pw.Write([]byte("\x0a")) }() // one byte, then nothing: the handler blocks reading
	<-started

	valid := encode(t, tracesWith(1, validIDs), ctProto)
	require.Eventually(t, func() bool {
		r := s.post(t, "/v1/traces", valid, "Content-Type", ctProto)
		return r.status == http.StatusServiceUnavailable && r.header.Get("Retry-After") == "1"
	}, 5*time.Second, 10*time.Millisecond, "a second request is refused at once while the slot is taken")
	r := s.post(t, "/v4/objects/upload/", []byte(`{"body":"x"}`), "Content-Type", ctJSON)
	assert.Equal(t, http.StatusServiceUnavailable, r.status, "uploads share the slots")

	pw.CloseWithError(io.ErrUnexpectedEOF)
	first := <-done
	assert.NotEqual(t, http.StatusOK, first.status)
	// The slot is free again.
	require.Eventually(t, func() bool {
		return s.post(t, "/v1/traces", valid, "Content-Type", ctProto).status == http.StatusOK
	}, 5*time.Second, 10*time.Millisecond)
}

// closeOnRead is a writer that closes ch at the first write.
type closeOnRead chan struct{}

func (c closeOnRead) Write(p []byte) (int, error) {
	select {
	case <-c:
	default:
		close(c)
	}
	return len(p), nil
}

func TestAuthOnOTLP(t *testing.T) {
	valid := encode(t, tracesWith(1, validIDs), ctProto)
	t.Run("open mode needs no token", func(t *testing.T) {
		s := newServer(t, Config{})
		r := s.post(t, "/v1/traces", valid, "Content-Type", ctProto)
		assert.Equal(t, http.StatusOK, r.status)
	})
	t.Run("closed mode", func(t *testing.T) {
		s := newServer(t, Config{}, testKey)
		for _, tc := range []struct {
			name, header, want string
		}{
			{"no token", "", "missing bearer token"},
			{"not bearer", "Basic abc", "missing bearer token"},
			{"malformed", "Bearer abc", "malformed bearer token"},
			{"forged", "Bearer " + forged(t, s), "not issued by this server"},
		} {
			headers := []string{"Content-Type", ctProto}
			if tc.header != "" {
				headers = append(headers, "Authorization", tc.header)
			}
			r := s.post(t, "/v1/traces", valid, headers...)
			assert.Equal(t, http.StatusUnauthorized, r.status, tc.name)
			assert.Contains(t, string(r.body), tc.want, tc.name)
			assert.Contains(t, r.header.Get("WWW-Authenticate"), "Bearer")
		}
		assert.Empty(t, s.w.all())
		r := s.post(t, "/v1/traces", valid, "Content-Type", ctProto, "Authorization", "Bearer "+s.token(t, testKey))
		assert.Equal(t, http.StatusOK, r.status)
		assert.Len(t, s.w.spans(), 1)
	})
}

// forged is a token signed by another server.
func forged(t *testing.T, s *testServer) string {
	other := newServer(t, Config{}, testKey)
	tok := other.token(t, testKey)
	require.NotEqual(t, s.token(t, testKey), tok)
	return tok
}

// nestedValue returns a protobuf ExportTraceServiceRequest whose one span
// attribute nests depth arrays, built outside in (appending inside out
// would copy quadratically).
func nestedValue(depth int) []byte {
	inner := protowire.AppendString(protowire.AppendTag(nil, 1, protowire.BytesType), "x") // AnyValue.string_value
	lens := make([]int, depth+1)
	lens[0] = len(inner)
	arrLen := func(i int) int { return 1 + protowire.SizeVarint(uint64(lens[i-1])) + lens[i-1] }
	for i := 1; i <= depth; i++ {
		lens[i] = 1 + protowire.SizeVarint(uint64(arrLen(i))) + arrLen(i)
	}
	v := make([]byte, 0, lens[depth])
	for i := depth; i >= 1; i-- {
		v = protowire.AppendVarint(protowire.AppendTag(v, 5, protowire.BytesType), uint64(arrLen(i))) // AnyValue.array_value
		v = protowire.AppendVarint(protowire.AppendTag(v, 1, protowire.BytesType), uint64(lens[i-1])) // ArrayValue.values
	}
	v = append(v, inner...)
	msg := func(num protowire.Number, parts ...[]byte) []byte {
		return protowire.AppendBytes(protowire.AppendTag(nil, num, protowire.BytesType), bytes.Join(parts, nil))
	}
	kv := append(protowire.AppendString(protowire.AppendTag(nil, 1, protowire.BytesType), "k"), msg(2, v)...)
	tid, sid := validIDs(0)
	span := append(protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), tid[:]),
		protowire.AppendBytes(protowire.AppendTag(nil, 2, protowire.BytesType), sid[:])...)
	span = append(span, msg(9, kv)...)
	return msg(1, msg(2, msg(2, span)))
}

func nestedJSON(depth int) []byte {
	return []byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","attributes":[{"key":"k","value":` +
		strings.Repeat(`{"arrayValue":{"values":[`, depth) + `{"stringValue":"x"}` + strings.Repeat(`]}}`, depth) + `}]}]}]}]}`)
}

// TestDeepNesting: pdata's decoder recurses without a limit; a request
// like the 3,000,000-deep one below overflows the stack, which kills the
// process. It must be refused before decoding.
func TestDeepNesting(t *testing.T) {
	s := newServer(t, Config{})
	t.Run("shallow nesting is stored", func(t *testing.T) {
		r := s.post(t, "/v1/traces", nestedValue(50), "Content-Type", ctProto)
		require.Equal(t, http.StatusOK, r.status, "%q", r.body)
		r = s.post(t, "/v1/traces", nestedJSON(50), "Content-Type", ctJSON)
		require.Equal(t, http.StatusOK, r.status, "%q", r.body)
		spans := s.w.spans()
		require.Len(t, spans, 2)
		assert.Equal(t, spans[0].Attributes, spans[1].Attributes, "protobuf and JSON decode alike")
		v := spans[0].Attributes["k"]
		for range 50 {
			arr, ok := v.([]any)
			require.True(t, ok)
			v = arr[0]
		}
		assert.Equal(t, "x", v)
	})
	t.Run("protobuf over the limit", func(t *testing.T) {
		r := s.post(t, "/v1/traces", gzipBytes(t, nestedValue(100)), "Content-Type", ctProto, "Content-Encoding", "gzip")
		require.Equal(t, http.StatusBadRequest, r.status)
		assert.Contains(t, rpcStatus(t, r, ctProto).GetMessage(), "nested too deeply")
	})
	t.Run("json over the limit", func(t *testing.T) {
		r := s.post(t, "/v1/traces", gzipBytes(t, nestedJSON(100)), "Content-Type", ctJSON, "Content-Encoding", "gzip")
		require.Equal(t, http.StatusBadRequest, r.status)
		assert.Contains(t, rpcStatus(t, r, ctJSON).GetMessage(), "nested too deeply")
	})
	// The sizes that crash an unguarded decoder, without the HTTP round
	// trip (gzipping 30 MB is slow under -race).
	t.Run("protobuf 3,000,000 deep", func(t *testing.T) {
		_, err := decodeTraces(nestedValue(3_000_000), encProto, s.h.maxNodes, sourceMatcher{})
		assert.ErrorIs(t, err, errTooDeep)
	})
	t.Run("json 1,000,000 deep", func(t *testing.T) {
		_, err := decodeTraces(nestedJSON(1_000_000), encJSON, s.h.maxNodes, sourceMatcher{})
		assert.ErrorIs(t, err, errTooDeep)
	})
	t.Run("metrics too", func(t *testing.T) {
		r := s.post(t, "/v1/metrics", []byte(`{"resourceMetrics":[`+strings.Repeat("[", 1000)), "Content-Type", ctJSON)
		require.Equal(t, http.StatusBadRequest, r.status)
		assert.Contains(t, rpcStatus(t, r, ctJSON).GetMessage(), "nested too deeply")
	})
}

func TestTooManyNodes(t *testing.T) {
	s := newServer(t, Config{MaxOTLPBytes: 1 << 20}) // 65,536 messages at most
	td := ptrace.NewTraces()
	sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	tid, sid := validIDs(0)
	sp.SetTraceID(tid)
	sp.SetSpanID(sid)
	sl := sp.Attributes().PutEmptySlice("many")
	for range 70_000 {
		sl.AppendEmpty() // 2 bytes of protobuf, 3 of JSON: a cheap way to make the decoder allocate
	}
	for _, ct := range []string{ctProto, ctJSON} {
		r := s.post(t, "/v1/traces", encode(t, td, ct), "Content-Type", ct)
		require.Equal(t, http.StatusBadRequest, r.status)
		assert.Contains(t, rpcStatus(t, r, ct).GetMessage(), "send smaller batches")
	}
}

type panickyNormalizer struct{}

func (panickyNormalizer) Span(*model.Span) { panic("normalizer bug") }

// A panicking Normalizer must not leak the decode slot: with one slot, the
// next request would get 503 forever.
func TestNormalizerPanicReleasesSlot(t *testing.T) {
	h := New(Config{Writer: &memWriter{}, Normalizer: panickyNormalizer{}, MaxConcurrentDecodes: 1})
	body := encode(t, tracesWith(1, validIDs), ctProto)
	for range 3 {
		func() {
			defer func() { assert.Equal(t, "normalizer bug", recover()) }()
			r := httptest.NewRequest(http.MethodPost, "/v1/traces", bytes.NewReader(body))
			r.Header.Set("Content-Type", ctProto)
			h.serveTraces(httptest.NewRecorder(), r)
		}()
	}
	assert.Empty(t, h.slots)
}

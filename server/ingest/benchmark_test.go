package ingest

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/agentops-go/agentops/server/model"
)

// noopWriter accepts and drops every batch.
type noopWriter struct{}

func (noopWriter) Write(context.Context, *model.Batch) error { return nil }

// llmTraces builds n spans the way an instrumented agent sends them: one
// resource, sessions of 50 spans, each an LLM call with a prompt, a
// completion and the usual GenAI and AgentOps attributes (about 2.5 kB of
// protobuf per span).
func llmTraces(n int) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	res := rs.Resource().Attributes()
	res.PutStr("service.name", "agentops")
	res.PutStr("telemetry.sdk.language", "go")
	res.PutStr("telemetry.sdk.name", "opentelemetry")
	res.PutStr("telemetry.sdk.version", "1.47.0")
	res.PutStr("host.name", "build-box-1")
	res.PutInt("process.pid", 31337)
	res.PutStr("agentops.project.id", "9b2f6c1e-8f5e-4c1e-9c55-6f3a1e0f4d2b")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("github.com/agentops-go/agentops/instrument/openai")
	ss.Scope().SetVersion("0.1.0")
	prompt := strings.Repeat("You are a helpful research assistant. Answer concisely. ", 8)
	question := strings.Repeat("What are the trade-offs between SQLite WAL mode and rollback journals? ", 10)
	completion := strings.Repeat("WAL lets readers proceed during writes; checkpoints bound its growth. ", 9)
	start := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	for i := range n {
		sp := ss.Spans().AppendEmpty()
		session := byte(i / 50)
		sp.SetTraceID(pcommon.TraceID{0xab, session, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
		sp.SetSpanID(pcommon.SpanID{byte(i >> 8), byte(i), 3, 4, 5, 6, 7, 8})
		sp.SetParentSpanID(pcommon.SpanID{0xff, session, 3, 4, 5, 6, 7, 8})
		sp.SetName("openai.chat")
		sp.SetKind(ptrace.SpanKindClient)
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Duration(i) * time.Second)))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Duration(i)*time.Second + 850*time.Millisecond)))
		sp.Status().SetCode(ptrace.StatusCodeOk)
		a := sp.Attributes()
		a.PutStr("gen_ai.system", "openai")
		a.PutStr("gen_ai.provider.name", "openai")
		a.PutStr("gen_ai.operation.name", "chat")
		a.PutStr("gen_ai.request.model", "gpt-4o-mini")
		a.PutStr("gen_ai.response.model", "gpt-4o-mini-2024-07-18")
		a.PutStr("gen_ai.response.id", fmt.Sprintf("chatcmpl-%024d", i))
		a.PutDouble("gen_ai.request.temperature", 0.2)
		a.PutInt("gen_ai.request.max_tokens", 1024)
		a.PutBool("gen_ai.request.streaming", i%3 == 0)
		a.PutInt("gen_ai.usage.prompt_tokens", int64(812+i))
		a.PutInt("gen_ai.usage.completion_tokens", int64(233+i))
		a.PutInt("gen_ai.usage.total_tokens", int64(1045+2*i))
		a.PutInt("gen_ai.usage.cache_read_input_tokens", 512)
		a.PutEmptySlice("gen_ai.response.finish_reasons").AppendEmpty().SetStr("stop")
		a.PutStr("gen_ai.prompt.0.role", "system")
		a.PutStr("gen_ai.prompt.0.content", prompt)
		a.PutStr("gen_ai.prompt.1.role", "user")
		a.PutStr("gen_ai.prompt.1.content", question)
		a.PutStr("gen_ai.completion.0.role", "assistant")
		a.PutStr("gen_ai.completion.0.content", completion)
		a.PutStr("gen_ai.completion.0.finish_reason", "stop")
		a.PutStr("agentops.span.kind", "llm")
		a.PutStr("llm.request.type", "chat")
		a.PutStr("server.address", "api.openai.com")
		a.PutInt("server.port", 443)
		a.PutDouble("gen_ai.server.time_to_first_token", 0.312)
		a.PutEmptySlice("agentops.tags").FromRaw([]any{"research", "eval"})
		if i%10 == 0 {
			ev := sp.Events().AppendEmpty()
			ev.SetName("gen_ai.content.completion")
			ev.SetTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Duration(i)*time.Second + 300*time.Millisecond)))
			ev.Attributes().PutStr("gen_ai.event.content", "first chunk")
		}
	}
	return td
}

// BenchmarkTraces measures POST /v1/traces end to end, body to response,
// with a no-op Writer and the trivial normalizer; "pdata decode only" is
// the floor: what decoding costs before any conversion.
func BenchmarkTraces(b *testing.B) {
	for _, n := range []int{50, 512} {
		td := llmTraces(n)
		req := ptraceotlp.NewExportRequestFromTraces(td)
		pb, _ := req.MarshalProto()
		js, _ := req.MarshalJSON()
		gz := gzipBytes(b, pb)
		b.Logf("%d spans: %d B protobuf, %d B gzipped, %d B JSON", n, len(pb), len(gz), len(js))

		b.Run(fmt.Sprintf("pdata_decode_only/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(pb)))
			for b.Loop() {
				r := ptraceotlp.NewExportRequest()
				if err := r.UnmarshalProto(pb); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "spans/s")
		})
		for _, tc := range []struct {
			name, ct, ce string
			body         []byte
		}{
			{"protobuf", ctProto, "", pb},
			{"protobuf_gzip", ctProto, "gzip", gz},
			{"json", ctJSON, "", js},
		} {
			b.Run(fmt.Sprintf("%s/%d", tc.name, n), func(b *testing.B) {
				mux := benchMux()
				b.ReportAllocs()
				b.SetBytes(int64(len(tc.body)))
				for b.Loop() {
					serveOnce(b, mux, tc.body, tc.ct, tc.ce)
				}
				b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "spans/s")
			})
		}
		b.Run(fmt.Sprintf("protobuf_parallel/%d", n), func(b *testing.B) {
			mux := benchMux()
			b.ReportAllocs()
			b.SetBytes(int64(len(pb)))
			b.RunParallel(func(p *testing.PB) {
				for p.Next() {
					serveOnce(b, mux, pb, ctProto, "")
				}
			})
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "spans/s")
		})
	}
}

func benchMux() *http.ServeMux {
	mux := http.NewServeMux()
	New(Config{Writer: noopWriter{}, Normalizer: labelNormalizer{}, MaxConcurrentDecodes: 64}).Register(mux)
	return mux
}

func serveOnce(b *testing.B, mux *http.ServeMux, body []byte, ct, ce string) {
	r := httptest.NewRequest(http.MethodPost, "/v1/traces", bytes.NewReader(body))
	r.Header.Set("Content-Type", ct)
	if ce != "" {
		r.Header.Set("Content-Encoding", ce)
	}
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		b.Fatalf("status %d: %q", w.Code, w.Body.Bytes())
	}
}

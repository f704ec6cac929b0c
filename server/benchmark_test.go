package server_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/agentops-go/agentops/server"
	"github.com/agentops-go/agentops/server/model"
)

// benchServer is a whole server (ingest, normalize, store, api) on a
// loopback port, with its data in a temporary directory.
func benchServer(b *testing.B) (*server.Server, string) {
	srv, err := server.New(context.Background(), server.Config{DataDir: b.TempDir(), Logger: discard})
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	b.Cleanup(func() {
		hs.Close()
		_ = srv.Close()
	})
	return srv, hs.URL
}

var traceSeq atomic.Uint64

func traceID() pcommon.TraceID {
	var id pcommon.TraceID
	binary.BigEndian.PutUint64(id[8:], traceSeq.Add(1))
	id[0] = 0xab
	return id
}

// otlpRequest is n spans of one session as the SDK sends them: a session
// root and LLM spans with messages and usage.
func otlpRequest(n int) []byte {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "bench-agent")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("github.com/agentops-go/agentops")
	tid := traceID()
	start := time.Now().Add(-time.Minute)
	var root pcommon.SpanID
	for i := range n {
		s := ss.Spans().AppendEmpty()
		s.SetTraceID(tid)
		var sid pcommon.SpanID
		binary.BigEndian.PutUint64(sid[:], uint64(i+1))
		s.SetSpanID(sid)
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Duration(i) * time.Millisecond)))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Duration(i)*time.Millisecond + 500*time.Microsecond)))
		a := s.Attributes()
		if i == 0 {
			root = sid
			s.SetName("bench.session")
			a.PutStr("agentops.span.kind", "session")
			a.PutStr("operation.name", "bench")
			a.PutStr("agentops.session.end_state", "Success")
			continue
		}
		s.SetParentSpanID(root)
		s.SetName("chat gpt-4o-mini")
		s.SetKind(ptrace.SpanKindClient)
		a.PutStr("agentops.span.kind", "llm")
		a.PutStr("gen_ai.operation.name", "chat")
		a.PutStr("gen_ai.provider.name", "openai")
		a.PutStr("gen_ai.system", "OpenAI")
		a.PutStr("gen_ai.request.model", "gpt-4o-mini")
		a.PutStr("gen_ai.response.model", "gpt-4o-mini-2024-07-18")
		a.PutInt("gen_ai.usage.prompt_tokens", 420)
		a.PutInt("gen_ai.usage.completion_tokens", 80)
		a.PutInt("gen_ai.usage.input_tokens", 420)
		a.PutInt("gen_ai.usage.output_tokens", 80)
		a.PutStr("gen_ai.prompt.0.role", "system")
		a.PutStr("gen_ai.prompt.0.content", "You are a research assistant. Answer briefly and cite sources.")
		a.PutStr("gen_ai.prompt.1.role", "user")
		a.PutStr("gen_ai.prompt.1.content", fmt.Sprintf("Question %d: what changed in the OpenTelemetry GenAI conventions?", i))
		a.PutStr("gen_ai.completion.0.role", "assistant")
		a.PutStr("gen_ai.completion.0.content", "The conventions now name the provider with gen_ai.provider.name and record usage per token type.")
		a.PutStr("gen_ai.completion.0.finish_reason", "stop")
	}
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		panic(err)
	}
	return body
}

func post(b *testing.B, url string, body []byte) {
	resp, err := http.Post(url+"/v1/traces", "application/x-protobuf", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("ingest answered %d", resp.StatusCode)
	}
}

// BenchmarkIngest is spans/s through the whole server: HTTP, OTLP decode,
// normalisation, and the SQLite commit each request waits for. One client
// sends sessions one request after another; "parallel" has several
// clients (agents) at once, which is how a backend is loaded.
func BenchmarkIngest(b *testing.B) {
	for _, n := range []int{50, 512} {
		tmpl := otlpRequest(n)
		tmplID := traceIDOf(tmpl)
		// Every request is a new session: re-sent spans would take the
		// store's replacement path, which is not what ingest mostly does.
		fresh := func() []byte {
			id := traceID()
			return bytes.ReplaceAll(tmpl, tmplID[:], id[:])
		}
		b.Run(fmt.Sprintf("batch-%d", n), func(b *testing.B) {
			_, url := benchServer(b)
			b.ReportAllocs()
			for b.Loop() {
				post(b, url, fresh())
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "spans/s")
		})
		b.Run(fmt.Sprintf("batch-%d-parallel", n), func(b *testing.B) {
			_, url := benchServer(b)
			b.ReportAllocs()
			b.SetParallelism(2) // four agents at once: within the concurrent-decode limit
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					post(b, url, fresh())
				}
			})
			b.ReportMetric(float64(n*b.N)/time.Since(start).Seconds(), "spans/s")
		})
	}
}

// traceIDOf is the trace id of the first span of an OTLP request.
func traceIDOf(body []byte) pcommon.TraceID {
	req := ptraceotlp.NewExportRequest()
	if err := req.UnmarshalProto(body); err != nil {
		panic(err)
	}
	return req.Traces().ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).TraceID()
}

// BenchmarkSessionTree is GET /api/sessions/{id}/spans of a 1,000-span
// session: the store read and the JSON.
func BenchmarkSessionTree(b *testing.B) {
	_, url := benchServer(b)
	body := otlpRequest(1000)
	post(b, url, body)
	var page model.SessionPage
	if code := getJSONB(url+"/api/sessions", &page); code != 200 || len(page.Sessions) != 1 {
		b.Fatalf("list answered %d with %d sessions", code, len(page.Sessions))
	}
	treeURL := url + "/api/sessions/" + page.Sessions[0].TraceID + "/spans"
	b.ReportAllocs()
	for b.Loop() {
		if code := getJSONB(treeURL, nil); code != 200 {
			b.Fatalf("tree answered %d", code)
		}
	}
}

var (
	bigOnce sync.Once
	bigURL  string
	bigErr  error
)

// BenchmarkSessionList100k is the first page of the sessions list with
// 100,000 sessions stored.
func BenchmarkSessionList100k(b *testing.B) {
	bigOnce.Do(func() {
		// Built once for every run of this benchmark; removed at exit
		// with the process's temp dir of the first run.
		dir, err := mkdirTemp()
		if err != nil {
			bigErr = err
			return
		}
		srv, err := server.New(context.Background(), server.Config{DataDir: dir, Logger: discard})
		if err != nil {
			bigErr = err
			return
		}
		hs := httptest.NewServer(srv.Handler())
		bigURL = hs.URL
		// 100 sessions a request, 1,000 requests.
		for range 1000 {
			td := ptrace.NewTraces()
			ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
			for range 100 {
				s := ss.Spans().AppendEmpty()
				s.SetTraceID(traceID())
				s.SetSpanID(pcommon.SpanID{1})
				s.SetName("bench.session")
				now := time.Now()
				s.SetStartTimestamp(pcommon.NewTimestampFromTime(now.Add(-time.Second)))
				s.SetEndTimestamp(pcommon.NewTimestampFromTime(now))
				s.Attributes().PutStr("agentops.span.kind", "session")
				s.Attributes().PutStr("agentops.session.end_state", "Success")
			}
			body, _ := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
			post(b, bigURL, body)
		}
	})
	if bigErr != nil {
		b.Fatal(bigErr)
	}
	var stats model.Stats
	getJSONB(bigURL+"/api/stats", &stats)
	if stats.Sessions < 100_000 {
		b.Fatalf("%d sessions stored", stats.Sessions)
	}
	b.ReportAllocs()
	for b.Loop() {
		if code := getJSONB(bigURL+"/api/sessions?limit=50", nil); code != 200 {
			b.Fatalf("list answered %d", code)
		}
	}
}

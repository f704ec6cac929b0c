package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/agentops-go/agentops/server/model"
)

// benchSpans is a session of n spans shaped like a real agent run: a
// root, agents of ~20 steps each alternating LLM calls (with messages)
// and tool calls (with input and output), each span with a dozen
// attributes.
func benchSpans(n int) []model.Span {
	attrs := func(extra map[string]any) map[string]any {
		m := map[string]any{
			"agentops.span.kind": "tool", "service.version": "1.2.3", "thread.id": int64(7),
			"code.function": "main.run", "code.lineno": int64(42), "agentops.tags": []any{"bench", "demo"},
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	spans := make([]model.Span, 0, n)
	spans = append(spans, mk(sid(1), "", "bench-run", "session", 0, n*10, func(s *model.Span) { s.Attributes = attrs(nil) }))
	agent := 0
	for i := 2; len(spans) < n; i++ {
		start := (i - 2) * 10
		if (i-2)%20 == 0 {
			agent = i
			spans = append(spans, mk(sid(i), sid(1), fmt.Sprintf("agent-%d", i/20), "agent", start, start+200, func(s *model.Span) {
				s.Attributes = attrs(map[string]any{"agent.name": s.Name})
			}))
			continue
		}
		if i%2 == 0 {
			spans = append(spans, mk(sid(i), sid(agent), "openai.chat", "llm", start, start+8, llm("gpt-4o", 1200, 300, 0.0042, 0.35), func(s *model.Span) {
				s.Attributes = attrs(map[string]any{
					"gen_ai.request.model": "gpt-4o", "gen_ai.response.model": "gpt-4o-2024-08-06",
					"gen_ai.usage.input_tokens": int64(1200), "gen_ai.usage.output_tokens": int64(300),
					"gen_ai.request.temperature": 0.2,
				})
				s.Derived.Messages = []model.Message{
					{Direction: "input", Role: "system", Content: "You are a careful research assistant. Answer briefly."},
					{Direction: "input", Index: 1, Role: "user", Content: strings.Repeat("What changed in the Go 1.26 release? ", 8)},
					{Direction: "output", Role: "assistant", Content: strings.Repeat("Here is a summary of the change. ", 10), FinishReason: "stop"},
				}
			}))
			continue
		}
		spans = append(spans, mk(sid(i), sid(agent), "web_search", "tool", start, start+6, tool(`{"query":"go 1.26 release notes","top_k":5}`), func(s *model.Span) {
			s.Attributes = attrs(map[string]any{"tool.name": "web_search"})
			s.Derived.Output = strings.Repeat("result snippet; ", 20)
		}))
	}
	return spans
}

// BenchmarkSpansTree serves /spans for a 1,000-span session from the
// fake Reader: the tree, the flat list, and as the baseline the same tree
// through encoding/json.
func BenchmarkSpansTree(b *testing.B) {
	b.Run("encoding-json-baseline", func(b *testing.B) {
		spans := benchSpans(1000)
		w := &countingWriter{header: http.Header{}}
		b.ReportAllocs()
		cpu := startCPU(b)
		for b.Loop() {
			w.n = 0
			if err := json.NewEncoder(w).Encode(BuildTree(spans)); err != nil {
				b.Fatal(err)
			}
		}
		cpu.report()
		b.ReportMetric(float64(w.n), "B/resp")
	})
	for _, path := range []string{"spans", "spans?flat=1"} {
		b.Run(path, func(b *testing.B) {
			r := newFakeReader()
			r.add(model.Session{TraceID: traceA}, benchSpans(1000)...)
			mux := http.NewServeMux()
			New(Config{Reader: r}).Register(mux)
			req := httptest.NewRequest("GET", "/api/sessions/"+traceA+"/"+path, nil)
			w := &countingWriter{header: http.Header{}}
			b.ReportAllocs()
			cpu := startCPU(b)
			for b.Loop() {
				w.n, w.status = 0, 0
				mux.ServeHTTP(w, req)
				if w.status != http.StatusOK {
					b.Fatal(w.status)
				}
			}
			cpu.report()
			b.ReportMetric(float64(w.n), "B/resp")
		})
	}
}

// countingWriter stands for the connection: the server copies the
// answer into a socket buffer, not into a growing recorder.
type countingWriter struct {
	header http.Header
	status int
	n      int
}

func (w *countingWriter) Header() http.Header { return w.header }
func (w *countingWriter) WriteHeader(s int)   { w.status = s }
func (w *countingWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.n += len(p)
	return len(p), nil
}

func BenchmarkBuildTree(b *testing.B) {
	spans := benchSpans(1000)
	b.ReportAllocs()
	cpu := startCPU(b)
	for b.Loop() {
		BuildTree(spans)
	}
	cpu.report()
}

func BenchmarkAnalyze(b *testing.B) {
	spans := benchSpans(1000)
	b.ReportAllocs()
	cpu := startCPU(b)
	for b.Loop() {
		Analyze(spans)
	}
	cpu.report()
}

func BenchmarkSummarize(b *testing.B) {
	spans := benchSpans(1000)
	b.ReportAllocs()
	cpu := startCPU(b)
	for b.Loop() {
		Summarize(spans)
	}
	cpu.report()
}

package store

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/server/model"
)

const systemPrompt = `You are a helpful travel assistant. You answer questions about weather, flights and hotels.
Always call a tool when the user asks for live data, and never invent prices. Answer in the user's language,
in at most three short paragraphs, and end with one follow-up question. If a tool fails, say so plainly and
offer an alternative. Keep personal data out of your answers unless the user gave it in this conversation.`

var benchResource = map[string]any{
	"service.name": "travel-agent", "service.version": "1.4.2", "telemetry.sdk.name": "opentelemetry",
	"telemetry.sdk.language": "go", "telemetry.sdk.version": "1.47.0", "host.name": "build-7",
	"process.pid": int64(4242), "process.runtime.version": "go1.26.8",
}

// realisticLLMSpan is a chat call as the openai wrapper records it and
// normalize derives it: a system prompt, the recent turns, one completion.
func realisticLLMSpan(trace string, n int, start time.Time) model.Span {
	// The previous answer comes back in the prompt, as in a real
	// conversation; the new text of a call is the user's turn and the
	// answer.
	user := fmt.Sprintf("Call %d: what's the weather in city number %d tomorrow, and is there a flight under %d euros?", n, n%97, 100+n%400)
	prev, answer := benchAnswer(n-1), benchAnswer(n)
	attrs := map[string]any{
		"gen_ai.system": "OpenAI", "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai",
		"gen_ai.request.model": "gpt-4o-mini", "gen_ai.request.temperature": 0.2, "gen_ai.request.max_tokens": int64(512),
		"gen_ai.request.streaming": false, "gen_ai.response.id": fmt.Sprintf("chatcmpl-%d", n),
		"gen_ai.response.model": "gpt-4o-mini-2024-07-18", "gen_ai.usage.prompt_tokens": int64(812),
		"gen_ai.usage.completion_tokens": int64(64), "gen_ai.usage.total_tokens": int64(876),
		"gen_ai.usage.cache_read_input_tokens": int64(512), "server.address": "api.openai.com", "server.port": int64(443),
		"gen_ai.prompt.0.role": "system", "gen_ai.prompt.0.content": systemPrompt,
		"gen_ai.prompt.1.role": "user", "gen_ai.prompt.1.content": "Earlier question about the weather.",
		"gen_ai.prompt.2.role": "assistant", "gen_ai.prompt.2.content": prev,
		"gen_ai.prompt.3.role": "user", "gen_ai.prompt.3.content": user,
		"gen_ai.completion.0.role": "assistant", "gen_ai.completion.0.content": answer,
		"gen_ai.completion.0.finish_reason": "stop", "agentops.span.kind": "llm",
	}
	return model.Span{
		TraceID: trace, SpanID: spanID(n + 2), ParentSpanID: spanID(1), Name: "chat gpt-4o-mini",
		Kind: "client", Start: start, End: start.Add(850 * time.Millisecond), StatusCode: "unset",
		Service: "travel-agent", Scope: "github.com/agentops-go/agentops/instrument/openai",
		Attributes: attrs, Resource: benchResource,
		Derived: model.Derived{
			Class: "llm", Operation: "chat", Label: "gpt-4o-mini-2024-07-18", Model: "gpt-4o-mini-2024-07-18",
			Provider: "openai", InputTokens: 812, OutputTokens: 64, CacheReadTokens: 512, TTFT: 0.31,
			Cost: 0.000160, CostSource: "table",
			Messages: []model.Message{
				{Direction: "input", Index: 0, Role: "system", Content: systemPrompt},
				{Direction: "input", Index: 1, Role: "user", Content: "Earlier question about the weather."},
				{Direction: "input", Index: 2, Role: "assistant", Content: prev},
				{Direction: "input", Index: 3, Role: "user", Content: user},
				{Direction: "output", Index: 0, Role: "assistant", Content: answer, FinishReason: "stop"},
			},
		},
	}
}

// reportSpans reports spans/s and CPU µs per span for n spans since cpu0.
func reportSpans(b *testing.B, n int, cpu0 time.Duration) {
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "spans/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(n), "cpu-µs/span")
}

func benchAnswer(n int) string {
	return fmt.Sprintf("Tomorrow in city %d: light rain, %d°C. The cheapest flight I found is %d euros with departure at %02d:15. Shall I hold it?", n%97, n%25, 120+n%350, n%24)
}

// spanSource hands out realistic spans with fresh IDs: traces of
// spansPerTrace spans, each starting with its root.
type spanSource struct {
	next          atomic.Int64
	spansPerTrace int
	base          int
}

func (src *spanSource) batch(size int) *model.Batch {
	first := int(src.next.Add(int64(size))) - size
	b := &model.Batch{Spans: make([]model.Span, 0, size)}
	for i := first; i < first+size; i++ {
		tr := traceID(src.base + i/src.spansPerTrace + 1)
		k := i % src.spansPerTrace
		start := t0.Add(time.Duration(i) * time.Millisecond)
		if k == 0 {
			root := rootSpan(tr, 0, 0, "Success")
			root.Start, root.End, root.Resource = start, start.Add(time.Hour), benchResource
			b.Spans = append(b.Spans, root)
			continue
		}
		sp := llmTemplates()[i%len(llmTemplates())]
		sp.TraceID, sp.SpanID, sp.Start, sp.End = tr, spanID(k+2), start, start.Add(850*time.Millisecond)
		b.Spans = append(b.Spans, sp)
	}
	return b
}

// llmTemplates are distinct LLM spans, made once: building them is not
// what the benchmarks measure.
var llmTemplates = sync.OnceValue(func() []model.Span {
	t := make([]model.Span, 4096)
	for i := range t {
		t[i] = realisticLLMSpan(traceID(1), i, t0)
	}
	return t
})

func benchStore(b *testing.B) *Store {
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), "agentops.db"), Options{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(b, err)
	b.Cleanup(func() { s.Close() })
	return s
}

func BenchmarkWrite(b *testing.B) {
	for _, size := range []int{50, 512} {
		// One writer: every batch is its own transaction.
		b.Run(fmt.Sprintf("batch=%d/sequential", size), func(b *testing.B) {
			s := benchStore(b)
			src := &spanSource{spansPerTrace: 2000}
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			for b.Loop() {
				batch := src.batch(size)
				if err := s.Write(context.Background(), batch); err != nil {
					b.Fatal(err)
				}
			}
			reportSpans(b, b.N*size, cpu0)
		})
		// Concurrent requests, as ingest has them: encoding spreads over
		// the cores and the writer coalesces.
		b.Run(fmt.Sprintf("batch=%d/parallel", size), func(b *testing.B) {
			s := benchStore(b)
			src := &spanSource{spansPerTrace: 2000}
			b.ReportAllocs()
			b.SetParallelism(4)
			b.ResetTimer()
			cpu0 := cpuTime()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					batch := src.batch(size)
					for {
						err := s.Write(context.Background(), batch)
						if err == ErrOverloaded {
							time.Sleep(time.Millisecond)
							continue
						}
						if err != nil {
							b.Error(err)
							return
						}
						break
					}
				}
			})
			reportSpans(b, b.N*size, cpu0)
		})
	}
}

// BenchmarkPrepare is the part of Write that runs on the caller's
// goroutine (encoding), against encoding/json as the baseline.
func BenchmarkPrepare(b *testing.B) {
	src := &spanSource{spansPerTrace: 2000}
	batch := src.batch(512)
	b.Run("store", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			prepare(batch, t0)
		}
		b.ReportMetric(float64(b.N*512)/b.Elapsed().Seconds(), "spans/s")
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for i := range batch.Spans {
				if _, err := json.Marshal(&batch.Spans[i]); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.N*512)/b.Elapsed().Seconds(), "spans/s")
	})
}

// BenchmarkDecode reads an LLM span's document back, against
// encoding/json (which, besides, turns every int64 into a float64).
func BenchmarkDecode(b *testing.B) {
	sp := llmTemplates()[7]
	data := appendSpanData(nil, &sp)
	js, err := json.Marshal(&sp)
	require.NoError(b, err)
	b.Run("store", func(b *testing.B) {
		b.ReportAllocs()
		in := newInterner()
		for b.Loop() {
			var out model.Span
			if err := decodeSpanData(data, &out, in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var out model.Span
			if err := json.Unmarshal(js, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// The shared read benchmark database: 100,000 sessions, built once.
var bench struct {
	once sync.Once
	dir  string
	s    *Store
	err  error
}

const (
	benchSessions  = 100_000
	bigTraceSpans  = 1000
	benchBigTrace  = 10_000_000
	benchBatchSize = 1000
)

func benchReadStore(b *testing.B) *Store {
	bench.once.Do(func() {
		bench.dir, bench.err = os.MkdirTemp("", "store-bench-")
		if bench.err != nil {
			return
		}
		start := time.Now()
		bench.s, bench.err = buildBenchDB(filepath.Join(bench.dir, "agentops.db"))
		fmt.Fprintf(os.Stderr, "bench database: %d sessions built in %v\n", benchSessions, time.Since(start).Round(time.Millisecond))
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.s
}

// buildBenchDB writes the read benchmarks' database: 100,000 sessions of
// a root and an LLM call, over 10 services, 20 tags, 3 models and the
// statuses, plus one session of 1,000 spans.
func buildBenchDB(path string) (*Store, error) {
	s, err := Open(context.Background(), path, Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, err
	}
	models := []string{"gpt-4o-mini", "gpt-4o", "claude-sonnet-4"}
	states := []string{"Success", "Success", "Success", "Error", "Indeterminate"}
	for i := 0; i < benchSessions; i += benchBatchSize / 2 {
		batch := &model.Batch{}
		for j := i; j < i+benchBatchSize/2; j++ {
			tr := traceID(j + 1)
			st := t0.Add(time.Duration(j) * time.Second)
			root := rootSpan(tr, 0, 0, states[j%len(states)])
			root.Start, root.End = st, st.Add(5*time.Second)
			root.Service = fmt.Sprintf("svc-%d", j%10)
			root.Derived.Tags = []string{"env-" + []string{"prod", "dev"}[j%2], fmt.Sprintf("team-%d", j%20)}
			llm := llmTemplates()[j%len(llmTemplates())]
			llm.TraceID, llm.Start, llm.End = tr, st.Add(time.Second), st.Add(2*time.Second)
			llm.Derived.Model = models[j%len(models)]
			batch.Spans = append(batch.Spans, root, llm)
		}
		if err := s.Write(context.Background(), batch); err != nil {
			s.Close()
			return nil, err
		}
	}
	tr := traceID(benchBigTrace)
	batch := &model.Batch{}
	root := rootSpan(tr, 0, 0, "Success")
	root.Start, root.End = t0, t0.Add(time.Hour)
	batch.Spans = append(batch.Spans, root)
	for k := 1; k < bigTraceSpans; k++ {
		if k%3 == 0 {
			ts := toolSpan(tr, k+2, 0, 0, false)
			ts.Start, ts.End = t0.Add(time.Duration(k)*time.Second), t0.Add(time.Duration(k)*time.Second+time.Millisecond)
			batch.Spans = append(batch.Spans, ts)
			continue
		}
		batch.Spans = append(batch.Spans, realisticLLMSpan(tr, k, t0.Add(time.Duration(k)*time.Second)))
	}
	if err := s.Write(context.Background(), batch); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func closeBenchStores() {
	if bench.s != nil {
		bench.s.Close()
	}
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
}

func BenchmarkListSessions(b *testing.B) {
	s := benchReadStore(b)
	ctx := context.Background()
	cases := []struct {
		name string
		q    model.SessionQuery
	}{
		{"first-page", model.SessionQuery{}},
		{"service", model.SessionQuery{Service: "svc-3"}},
		{"status", model.SessionQuery{Status: "error"}},
		{"tag", model.SessionQuery{Tag: "team-7"}},
		{"model", model.SessionQuery{Model: "claude-sonnet-4"}},
		{"time-range", model.SessionQuery{From: t0.Add(20_000 * time.Second), To: t0.Add(30_000 * time.Second)}},
		{"search-rare", model.SessionQuery{Search: "call 4095"}},
		{"search-prefix", model.SessionQuery{Search: "4095 weath*"}},
		{"search-common", model.SessionQuery{Search: "weather"}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				page, err := s.ListSessions(ctx, c.q)
				if err != nil {
					b.Fatal(err)
				}
				if len(page.Sessions) == 0 {
					b.Fatal("empty page")
				}
			}
		})
	}
	b.Run("page-100", func(b *testing.B) {
		// Deep in the list: the keyset cursor keeps a page as cheap as
		// the first.
		q := model.SessionQuery{}
		for range 100 {
			page, err := s.ListSessions(ctx, q)
			require.NoError(b, err)
			q.Cursor = page.NextCursor
		}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			if _, err := s.ListSessions(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkSpans(b *testing.B) {
	s := benchReadStore(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		spans, err := s.Spans(ctx, traceID(benchBigTrace))
		if err != nil {
			b.Fatal(err)
		}
		if len(spans) != bigTraceSpans {
			b.Fatalf("%d spans", len(spans))
		}
	}
	b.ReportMetric(float64(b.N*bigTraceSpans)/b.Elapsed().Seconds(), "spans/s")
}

func BenchmarkStats(b *testing.B) {
	s := benchReadStore(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Stats(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSession(b *testing.B) {
	s := benchReadStore(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Session(context.Background(), traceID(4242)); err != nil {
			b.Fatal(err)
		}
	}
}

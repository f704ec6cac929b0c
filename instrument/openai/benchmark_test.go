package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	goopenai "github.com/sashabaranov/go-openai"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/agentops-go/agentops"
)

// nopProcessor receives every span and exports it nowhere: the benchmarks
// measure recording, not exporting.
type nopProcessor struct{}

func (nopProcessor) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (nopProcessor) OnEnd(sdktrace.ReadOnlySpan)                     {}
func (nopProcessor) Shutdown(context.Context) error                  { return nil }
func (nopProcessor) ForceFlush(context.Context) error                { return nil }

// benchStreamChunks is a 20-chunk streamed answer: the role, 18 content
// deltas, the finish reason.
func benchStreamChunks() []string {
	d := func(delta, finish string) string {
		return chunk(streamID, `[{"index":0,"delta":`+delta+`,"logprobs":null,"finish_reason":`+finish+`}]`, "")
	}
	out := []string{d(`{"role":"assistant","content":"","refusal":null}`, "null")}
	for i := range 18 {
		out = append(out, d(`{"content":" token`+strconv.Itoa(i)+`"}`, "null"))
	}
	return append(out, d(`{}`, `"stop"`))
}

// benchClients are the three ways of calling one server: a plain go-openai
// client, the typed wrapper, and a plain client over the transport; with a
// recording agentops Client (content capture on, every span recorded and
// dropped by a no-op processor, every metric recorded, opts on top) and a
// session.
type benchClient struct {
	name   string
	chat   func(context.Context, goopenai.ChatCompletionRequest) (goopenai.ChatCompletionResponse, error)
	stream func(context.Context, goopenai.ChatCompletionRequest) (chatStream, error)
}

func benchSetup(b *testing.B, baseURL string, hc goopenai.HTTPDoer, opts ...agentops.Option) (context.Context, []benchClient) {
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	client, err := agentops.Init(context.Background(), append([]agentops.Option{
		agentops.WithoutDefaultExporter(), agentops.WithSpanProcessor(nopProcessor{}),
		agentops.WithMeterProvider(mp), agentops.WithContentCapture(true),
		agentops.WithSourceCapture(false), agentops.WithLogCapture(false)}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	ctx, sess := agentops.StartSession(context.Background(), "bench")
	b.Cleanup(func() {
		sess.End(agentops.Success)
		_ = client.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	cfg := goopenai.DefaultConfig(testKey)
	cfg.BaseURL = baseURL
	cfg.HTTPClient = hc
	tcfg := cfg
	InstrumentConfig(&tcfg)
	return ctx, []benchClient{
		{"raw-goopenai", goopenai.NewClientWithConfig(cfg).CreateChatCompletion, rawStream(goopenai.NewClientWithConfig(cfg))},
		{"Wrap", NewClient(cfg).CreateChatCompletion, wrappedStream(NewClient(cfg))},
		{"NewTransport", goopenai.NewClientWithConfig(tcfg).CreateChatCompletion, rawStream(goopenai.NewClientWithConfig(tcfg))},
	}
}

// streamAll reads a stream to its end and closes it.
func streamAll(b *testing.B, ctx context.Context, c benchClient, req goopenai.ChatCompletionRequest) {
	s, err := c.stream(ctx, req)
	if err != nil {
		b.Fatal(err)
	}
	for {
		_, err := s.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	_ = s.Close()
}

// BenchmarkOverhead compares, against one loopback server in one run, a
// plain go-openai client with the typed wrapper and with the transport: a
// chat call, and a 20-chunk stream read to its end.
func BenchmarkOverhead(b *testing.B) {
	chunks := benchStreamChunks()
	srv := httptest.NewServer(router(chunks))
	defer srv.Close()
	ctx, clients := benchSetup(b, srv.URL+"/v1", srv.Client())
	req := capitalQuestion()
	for _, c := range clients {
		b.Run("chat/"+c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.chat(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	for _, c := range clients {
		b.Run("stream/"+c.name, func(b *testing.B) {
			b.ReportAllocs()
			start := time.Now()
			n := 0
			for b.Loop() {
				streamAll(b, ctx, c, req)
				n++
			}
			b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(n*len(chunks)), "ns/chunk")
		})
	}
}

// BenchmarkOverheadInterleaved is BenchmarkOverhead for a noisy machine:
// each iteration calls the three clients one after the other, and the
// medians of their times are reported, with the time each instrumented
// client adds to the plain one and the ratio, so that load that comes and
// goes hits all three alike.
func BenchmarkOverheadInterleaved(b *testing.B) {
	chunks := benchStreamChunks()
	srv := httptest.NewServer(router(chunks))
	defer srv.Close()
	ctx, clients := benchSetup(b, srv.URL+"/v1", srv.Client())
	req := capitalQuestion()
	report := func(b *testing.B, times [][]time.Duration, per int) {
		med := make([]float64, len(times))
		for i, ts := range times {
			slices.Sort(ts)
			med[i] = float64(ts[len(ts)/2].Nanoseconds()) / float64(per)
		}
		for i, c := range clients {
			b.ReportMetric(med[i], c.name+"-ns")
			if i > 0 {
				b.ReportMetric(med[i]-med[0], c.name+"-added-ns")
				b.ReportMetric(med[i]/med[0], c.name+"-ratio")
			}
		}
	}
	b.Run("chat", func(b *testing.B) {
		times := make([][]time.Duration, len(clients))
		for b.Loop() {
			for i, c := range clients {
				start := time.Now()
				if _, err := c.chat(ctx, req); err != nil {
					b.Fatal(err)
				}
				times[i] = append(times[i], time.Since(start))
			}
		}
		report(b, times, 1)
	})
	b.Run("stream-per-chunk", func(b *testing.B) {
		times := make([][]time.Duration, len(clients))
		for b.Loop() {
			for i, c := range clients {
				start := time.Now()
				streamAll(b, ctx, c, req)
				times[i] = append(times[i], time.Since(start))
			}
		}
		report(b, times, len(chunks))
	})
}

func rawStream(c *goopenai.Client) func(context.Context, goopenai.ChatCompletionRequest) (chatStream, error) {
	return func(ctx context.Context, r goopenai.ChatCompletionRequest) (chatStream, error) {
		return c.CreateChatCompletionStream(ctx, r)
	}
}

func wrappedStream(c *Client) func(context.Context, goopenai.ChatCompletionRequest) (chatStream, error) {
	return func(ctx context.Context, r goopenai.ChatCompletionRequest) (chatStream, error) {
		return c.CreateChatCompletionStream(ctx, r)
	}
}

// memoryAPI answers in memory, like router, without a network: the
// difference between two clients over it is their own cost, free of the
// loopback's noise.
type memoryAPI struct{ stream []byte }

// newMemoryAPI streams chunks as server-sent events, then data: [DONE].
func newMemoryAPI(chunks []string) memoryAPI {
	var sse bytes.Buffer
	for _, c := range chunks {
		sse.WriteString("data: " + c + "\n\n")
	}
	sse.WriteString("data: [DONE]\n\n")
	return memoryAPI{stream: sse.Bytes()}
}

func (m memoryAPI) RoundTrip(r *http.Request) (*http.Response, error) {
	var req struct {
		Stream bool `json:"stream"`
	}
	body, _ := io.ReadAll(r.Body)
	_ = r.Body.Close()
	_ = json.Unmarshal(body, &req)
	resp := &http.Response{StatusCode: 200, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{}, Request: r}
	if req.Stream {
		resp.Header.Set("Content-Type", "text/event-stream")
		resp.Body = io.NopCloser(bytes.NewReader(m.stream))
	} else {
		resp.Header.Set("Content-Type", "application/json")
		resp.Body = io.NopCloser(strings.NewReader(chatPlain))
	}
	return resp, nil
}

// BenchmarkOverheadInMemory is BenchmarkOverhead without the network.
func BenchmarkOverheadInMemory(b *testing.B) {
	mem := newMemoryAPI(benchStreamChunks())
	ctx, clients := benchSetup(b, "https://api.openai.com/v1", &http.Client{Transport: mem})
	req := capitalQuestion()
	// The root API's share of the wrapper's cost: the span and metrics of
	// one chat call, given its request and response already translated.
	b.Run("chat/root-StartLLM+End", func(b *testing.B) {
		var parsed goopenai.ChatCompletionResponse
		if err := json.Unmarshal([]byte(chatPlain), &parsed); err != nil {
			b.Fatal(err)
		}
		ep := newConfig(nil).endpoint()
		v, _ := agentops.VerbosityFor(ctx)
		b.ReportAllocs()
		for b.Loop() {
			_, span := agentops.StartLLM(ctx, chatRequest(&req, ep, false, v))
			span.End(chatResponse(&parsed, recorded(span, v)), nil)
		}
	})
	for _, c := range clients {
		b.Run("chat/"+c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.chat(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	for _, c := range clients {
		b.Run("stream/"+c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				streamAll(b, ctx, c, req)
			}
		})
	}
}

// BenchmarkLevelsInMemory is a chat call and a 20-chunk stream through the
// typed wrapper and the transport at each trace level, side by side: what a
// level does not record, the call does not pay for (debug pays for the raw
// bodies).
func BenchmarkLevelsInMemory(b *testing.B) {
	mem := newMemoryAPI(benchStreamChunks())
	req := capitalQuestion()
	for _, l := range []agentops.TraceLevel{agentops.LevelMinimal, agentops.LevelStandard, agentops.LevelDetailed, agentops.LevelDebug} {
		ctx, clients := benchSetup(b, "https://api.openai.com/v1", &http.Client{Transport: mem}, agentops.WithTraceLevel(l))
		for _, c := range clients[1:] { // the plain client records nothing at any level
			b.Run("chat/"+c.name+"/"+l.String(), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := c.chat(ctx, req); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("stream/"+c.name+"/"+l.String(), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					streamAll(b, ctx, c, req)
				}
			})
		}
	}
}

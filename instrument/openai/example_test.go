package openai_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	goopenai "github.com/sashabaranov/go-openai"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/agentops-go/agentops"
	"github.com/agentops-go/agentops/instrument/openai"
)

// fakeAPI answers like OpenAI: a chat completion, or a stream of three
// chunks when asked to stream.
func fakeAPI() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if strings.Contains(string(body), `"stream":true`) {
			w.Header().Set("Content-Type", "text/event-stream")
			for _, c := range []string{`{"role":"assistant","content":""}`, `{"content":"Par"}`, `{"content":"is."}`} {
				fmt.Fprintf(w, "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"delta\":%s,\"finish_reason\":null}]}\n\n", c)
			}
			fmt.Fprint(w, "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-mini-2024-07-18",
			"choices":[{"index":0,"message":{"role":"assistant","content":"Paris."},"finish_reason":"stop"}],
			"usage":{"prompt_tokens":14,"completion_tokens":2,"total_tokens":16}}`)
	}))
}

// initRecording starts an agentops Client that keeps its spans in memory.
func initRecording() (*agentops.Client, *tracetest.SpanRecorder) {
	spans := tracetest.NewSpanRecorder()
	client, err := agentops.Init(context.Background(),
		agentops.WithoutDefaultExporter(), agentops.WithSpanProcessor(spans),
		agentops.WithSourceCapture(false), agentops.WithLogCapture(false))
	if err != nil {
		panic(err)
	}
	return client, spans
}

func printLLMSpans(spans *tracetest.SpanRecorder) {
	for _, s := range spans.Ended() {
		for _, kv := range s.Attributes() {
			if kv.Key == "gen_ai.usage.output_tokens" || kv.Key == "gen_ai.completion.0.content" {
				fmt.Printf("%s: %s=%s\n", s.Name(), kv.Key, kv.Value.Emit())
			}
		}
	}
}

func ExampleNewClient() {
	api := fakeAPI()
	defer api.Close()
	client, spans := initRecording()
	defer client.Shutdown(context.Background())

	cfg := goopenai.DefaultConfig("sk-...")
	cfg.BaseURL = api.URL + "/v1"
	cfg.HTTPClient = api.Client()
	llm := openai.NewClient(cfg, openai.WithProvider("openai"))

	ctx, sess := agentops.StartSession(context.Background(), "capitals")
	resp, err := llm.CreateChatCompletion(ctx, goopenai.ChatCompletionRequest{
		Model:    goopenai.GPT4oMini,
		Messages: []goopenai.ChatCompletionMessage{{Role: goopenai.ChatMessageRoleUser, Content: "Capital of France?"}},
	})
	if err != nil {
		panic(err)
	}
	sess.End(agentops.Success)
	fmt.Println(resp.Choices[0].Message.Content)
	printLLMSpans(spans)
	// Output:
	// Paris.
	// chat gpt-4o-mini: gen_ai.usage.output_tokens=2
	// chat gpt-4o-mini: gen_ai.completion.0.content=Paris.
}

func ExampleClient_CreateChatCompletionStream() {
	api := fakeAPI()
	defer api.Close()
	client, spans := initRecording()
	defer client.Shutdown(context.Background())

	cfg := goopenai.DefaultConfig("sk-...")
	cfg.BaseURL = api.URL + "/v1"
	cfg.HTTPClient = api.Client()
	llm := openai.NewClient(cfg)

	stream, err := llm.CreateChatCompletionStream(context.Background(), goopenai.ChatCompletionRequest{
		Model:    goopenai.GPT4oMini,
		Messages: []goopenai.ChatCompletionMessage{{Role: goopenai.ChatMessageRoleUser, Content: "Capital of France?"}},
	})
	if err != nil {
		panic(err)
	}
	defer stream.Close() // ends the span if the loop stops early
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break // the span has ended
		}
		if err != nil {
			panic(err)
		}
		if len(chunk.Choices) > 0 {
			fmt.Print(chunk.Choices[0].Delta.Content)
		}
	}
	fmt.Println()
	printLLMSpans(spans)
	// Output:
	// Paris.
	// chat gpt-4o-mini: gen_ai.completion.0.content=Paris.
}

// A hand-written client of an OpenAI-compatible API, recorded at the HTTP
// level.
func ExampleNewTransport() {
	api := fakeAPI()
	defer api.Close()
	client, spans := initRecording()
	defer client.Shutdown(context.Background())

	hc := &http.Client{Transport: openai.NewTransport(api.Client().Transport)}
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, api.URL+"/v1/chat/completions",
		strings.NewReader(`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Capital of France?"}]}`))
	resp, err := hc.Do(req)
	if err != nil {
		panic(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close() // the span ends with the body
	printLLMSpans(spans)
	// Output:
	// chat gpt-4o-mini: gen_ai.usage.output_tokens=2
	// chat gpt-4o-mini: gen_ai.completion.0.content=Paris.
}

func ExampleInstrumentConfig() {
	api := fakeAPI()
	defer api.Close()
	client, spans := initRecording()
	defer client.Shutdown(context.Background())

	cfg := goopenai.DefaultConfig("sk-...")
	cfg.BaseURL = api.URL + "/v1"
	cfg.HTTPClient = api.Client()
	openai.InstrumentConfig(&cfg)
	plain := goopenai.NewClientWithConfig(cfg) // a plain go-openai client, recorded

	_, err := plain.CreateChatCompletion(context.Background(), goopenai.ChatCompletionRequest{
		Model:    goopenai.GPT4oMini,
		Messages: []goopenai.ChatCompletionMessage{{Role: goopenai.ChatMessageRoleUser, Content: "Capital of France?"}},
	})
	if err != nil {
		panic(err)
	}
	printLLMSpans(spans)
	// Output:
	// chat gpt-4o-mini: gen_ai.usage.output_tokens=2
	// chat gpt-4o-mini: gen_ai.completion.0.content=Paris.
}

func ExampleRunToolCalls() {
	client, spans := initRecording()
	defer client.Shutdown(context.Background())

	// The assistant message of a response that asks for tools.
	msg := goopenai.ChatCompletionMessage{Role: goopenai.ChatMessageRoleAssistant, ToolCalls: []goopenai.ToolCall{
		{ID: "call_1", Type: goopenai.ToolTypeFunction, Function: goopenai.FunctionCall{Name: "get_weather", Arguments: `{"city":"Paris"}`}},
		{ID: "call_2", Type: goopenai.ToolTypeFunction, Function: goopenai.FunctionCall{Name: "get_stock", Arguments: `{"ticker":"ACME"}`}},
	}}
	results, err := openai.RunToolCalls(context.Background(), msg, map[string]openai.ToolFunc{
		"get_weather": func(ctx context.Context, arguments string) (string, error) { return "18°C, cloudy", nil },
	})
	for _, m := range results {
		fmt.Printf("%s %s: %s\n", m.Role, m.ToolCallID, m.Content)
	}
	fmt.Println(errors.Is(err, openai.ErrUnknownTool))
	for _, s := range spans.Ended() {
		fmt.Println(s.Name())
	}
	// Output:
	// tool call_1: 18°C, cloudy
	// tool call_2: error: unknown tool "get_stock"
	// true
	// execute_tool get_weather
	// execute_tool get_stock
}

package openai

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Payloads in the shapes the OpenAI API sends (captured from
// api.openai.com, ids and fingerprints kept in their real form).

const chatPlain = `{
  "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
  "object": "chat.completion",
  "created": 1741569952,
  "model": "gpt-4o-mini-2024-07-18",
  "choices": [
    {
      "index": 0,
      "message": {
        "role": "assistant",
        "content": "The capital of France is Paris.",
        "refusal": null,
        "annotations": []
      },
      "logprobs": null,
      "finish_reason": "stop"
    }
  ],
  "usage": {
    "prompt_tokens": 24,
    "completion_tokens": 8,
    "total_tokens": 32,
    "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
    "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}
  },
  "service_tier": "default",
  "system_fingerprint": "fp_06737a9306"
}`

const chatToolCalls = `{
  "id": "chatcmpl-BAxd2Vn9dBqR8TQxJNNCf4T7S0rbG",
  "object": "chat.completion",
  "created": 1741891200,
  "model": "gpt-4o-mini-2024-07-18",
  "choices": [
    {
      "index": 0,
      "message": {
        "role": "assistant",
        "content": null,
        "tool_calls": [
          {
            "id": "call_Dn2RJJSxzDm49vlVTehseJ0k",
            "type": "function",
            "function": {"name": "get_weather", "arguments": "{\"location\":\"Paris, France\",\"unit\":\"celsius\"}"}
          },
          {
            "id": "call_m8QeLxYzd3W1bK7nGcFpT2sA",
            "type": "function",
            "function": {"name": "get_time", "arguments": "{\"timezone\":\"Europe/Paris\"}"}
          }
        ],
        "refusal": null,
        "annotations": []
      },
      "logprobs": null,
      "finish_reason": "tool_calls"
    }
  ],
  "usage": {
    "prompt_tokens": 82,
    "completion_tokens": 49,
    "total_tokens": 131,
    "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
    "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}
  },
  "service_tier": "default",
  "system_fingerprint": "fp_b8bc95a0ac"
}`

const chatAfterTools = `{
  "id": "chatcmpl-BAxd4qK2m2fWsk5oI1hD0cZ2nYqJw",
  "object": "chat.completion",
  "created": 1741891202,
  "model": "gpt-4o-mini-2024-07-18",
  "choices": [
    {
      "index": 0,
      "message": {"role": "assistant", "content": "It is 18°C in Paris, and 14:05 there.", "refusal": null, "annotations": []},
      "logprobs": null,
      "finish_reason": "stop"
    }
  ],
  "usage": {"prompt_tokens": 160, "completion_tokens": 15, "total_tokens": 175,
    "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
    "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}},
  "service_tier": "default",
  "system_fingerprint": "fp_b8bc95a0ac"
}`

const chatTwoChoices = `{
  "id": "chatcmpl-BC2mJ0f6Qp8nK4sR1tV7wX9yZaBcD",
  "object": "chat.completion",
  "created": 1742000000,
  "model": "gpt-4o-mini-2024-07-18",
  "choices": [
    {"index": 0, "message": {"role": "assistant", "content": "Roses are red, violets are blue.", "refusal": null, "annotations": []}, "logprobs": null, "finish_reason": "stop"},
    {"index": 1, "message": {"role": "assistant", "content": "The sun sets slow on the", "refusal": null, "annotations": []}, "logprobs": null, "finish_reason": "length"}
  ],
  "usage": {"prompt_tokens": 12, "completion_tokens": 16, "total_tokens": 28,
    "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
    "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}},
  "service_tier": "default",
  "system_fingerprint": "fp_06737a9306"
}`

// A reasoning model's answer with a cached prompt prefix; reasoning_content
// is what DeepSeek's and other compatible APIs add.
const chatReasoning = `{
  "id": "chatcmpl-BD9xQ2rT5uV8wY1zA4bC7dE0fG3hI",
  "object": "chat.completion",
  "created": 1742100000,
  "model": "o3-mini-2025-01-31",
  "choices": [
    {
      "index": 0,
      "message": {
        "role": "assistant",
        "content": "There are 3 r's in \"strawberry\".",
        "reasoning_content": "Spell it out: s-t-r-a-w-b-e-r-r-y. r at 3, 8, 9.",
        "refusal": null,
        "annotations": []
      },
      "logprobs": null,
      "finish_reason": "stop"
    }
  ],
  "usage": {
    "prompt_tokens": 1117,
    "completion_tokens": 220,
    "total_tokens": 1337,
    "prompt_tokens_details": {"cached_tokens": 1024, "audio_tokens": 0},
    "completion_tokens_details": {"reasoning_tokens": 192, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}
  },
  "service_tier": "default",
  "system_fingerprint": "fp_42bfad963b"
}`

const error429 = `{
  "error": {
    "message": "Rate limit reached for gpt-4o-mini in organization org-Jq0kX2hYm4 on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.",
    "type": "requests",
    "param": null,
    "code": "rate_limit_exceeded"
  }
}`

const error500 = `{
  "error": {
    "message": "The server had an error while processing your request. Sorry about that!",
    "type": "server_error",
    "param": null,
    "code": null
  }
}`

const textCompletion = `{
  "id": "cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7",
  "object": "text_completion",
  "created": 1589478378,
  "model": "gpt-3.5-turbo-instruct",
  "system_fingerprint": "fp_44709d6fcb",
  "choices": [
    {"text": "\n\nThis is indeed a test", "index": 0, "logprobs": null, "finish_reason": "length"}
  ],
  "usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12}
}`

// embeddingsJSON is a text-embedding-3-small answer: n vectors of 1536.
func embeddingsJSON(n int) string {
	var b strings.Builder
	b.WriteString(`{"object": "list", "data": [`)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, `{"object": "embedding", "index": %d, "embedding": [`, i)
		for j := range 1536 {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%.9f", float64((i*31+j*17)%2000-1000)/41234.0)
		}
		b.WriteString("]}")
	}
	fmt.Fprintf(&b, `], "model": "text-embedding-3-small", "usage": {"prompt_tokens": %d, "total_tokens": %d}}`, 8*n, 8*n)
	return b.String()
}

// Streams. chunk wraps a choices array (and usage) in the envelope every
// chat.completion.chunk carries.
// Without stream_options.include_usage the API sends no usage field ("").
func chunk(id, choices, usage string) string {
	s := `{"id":"` + id + `","object":"chat.completion.chunk","created":1741891300,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_b8bc95a0ac","choices":` + choices
	if usage != "" {
		s += `,"usage":` + usage
	}
	return s + "}"
}

const streamID = "chatcmpl-BAxf9sT0kR3mQ6wZ1yX4vU7pN2oLq"

const streamUsage = `{"prompt_tokens":91,"completion_tokens":63,"total_tokens":154,"prompt_tokens_details":{"cached_tokens":64,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}`

// chatStreamChunks is an answer that says a sentence, then asks for two
// tools, their arguments spread over many chunks, then the usage chunk that
// stream_options.include_usage brings.
func chatStreamChunks(withUsage bool) []string {
	usage := ""
	if withUsage {
		usage = "null"
	}
	c := func(choices string) string { return chunk(streamID, choices, usage) }
	d := func(delta string) string {
		return c(`[{"index":0,"delta":` + delta + `,"logprobs":null,"finish_reason":null}]`)
	}
	out := []string{
		d(`{"role":"assistant","content":"","refusal":null}`),
		d(`{"content":"Let me"}`),
		d(`{"content":" check"}`),
		d(`{"content":" both."}`),
		d(`{"tool_calls":[{"index":0,"id":"call_Dn2RJJSxzDm49vlVTehseJ0k","type":"function","function":{"name":"get_weather","arguments":""}}]}`),
	}
	for _, a := range []string{`{\"lo`, `cation`, `\":\"Par`, `is, Fr`, `ance\"}`} {
		out = append(out, d(`{"tool_calls":[{"index":0,"function":{"arguments":"`+a+`"}}]}`))
	}
	out = append(out, d(`{"tool_calls":[{"index":1,"id":"call_m8QeLxYzd3W1bK7nGcFpT2sA","type":"function","function":{"name":"get_time","arguments":""}}]}`))
	for _, a := range []string{`{\"time`, `zone\":`, `\"Europe/`, `Paris\"}`} {
		out = append(out, d(`{"tool_calls":[{"index":1,"function":{"arguments":"`+a+`"}}]}`))
	}
	out = append(out, c(`[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}]`))
	if withUsage {
		out = append(out, chunk(streamID, `[]`, streamUsage))
	}
	return out
}

// Assembled from chatStreamChunks.
const (
	streamContent = "Let me check both."
	streamArgs0   = `{"location":"Paris, France"}`
	streamArgs1   = `{"timezone":"Europe/Paris"}`
)

// chatStreamTwoChoices interleaves two choices (n=2), as the API does.
func chatStreamTwoChoices() []string {
	d := func(i int, delta, finish string) string {
		return chunk(streamID, `[{"index":`+strconv.Itoa(i)+`,"delta":`+delta+`,"logprobs":null,"finish_reason":`+finish+`}]`, "null")
	}
	return []string{
		d(0, `{"role":"assistant","content":"","refusal":null}`, "null"),
		d(1, `{"role":"assistant","content":"","refusal":null}`, "null"),
		d(0, `{"content":"Roses are red,"}`, "null"),
		d(1, `{"content":"The sun"}`, "null"),
		d(0, `{"content":" violets are blue."}`, "null"),
		d(1, `{"content":" sets slow on the"}`, "null"),
		d(0, `{}`, `"stop"`),
		d(1, `{}`, `"length"`),
		chunk(streamID, `[]`, `{"prompt_tokens":12,"completion_tokens":16,"total_tokens":28,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}`),
	}
}

// textStreamChunks is a streamed text completion.
func textStreamChunks() []string {
	c := func(text, finish string) string {
		return `{"id":"cmpl-9yL2kQ4mT7vW0xZ3aB6cD9eF","object":"text_completion","created":1742200000,"choices":[{"text":"` + text + `","index":0,"logprobs":null,"finish_reason":` + finish + `}],"model":"gpt-3.5-turbo-instruct","system_fingerprint":"fp_44709d6fcb"}`
	}
	return []string{c(`\n\nThis`, "null"), c(" is", "null"), c(" indeed", "null"), c(" a test", `"length"`)}
}

const streamErrorEvent = `{"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}`

// fakeOpenAI is an OpenAI-compatible server for the tests: each test says
// how it answers; it records the request bodies it got.
type fakeOpenAI struct {
	*httptest.Server
	mu     sync.Mutex
	bodies [][]byte
	paths  []string
}

func newFakeOpenAI(t testing.TB, h http.HandlerFunc) *fakeOpenAI {
	f := &fakeOpenAI{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		f.mu.Lock()
		f.bodies = append(f.bodies, b)
		f.paths = append(f.paths, r.URL.Path)
		f.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeOpenAI) body(i int) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.bodies[i]
}

func (f *fakeOpenAI) requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.bodies)
}

func replyJSON(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("x-request-id", "req_4c1b6f0e8a3d2e7f9b5a1c0d")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// replySequence answers the i-th request with the i-th handler.
func replySequence(hs ...http.HandlerFunc) http.HandlerFunc {
	var mu sync.Mutex
	n := 0
	return func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		h := hs[min(n, len(hs)-1)]
		n++
		mu.Unlock()
		h(w, r)
	}
}

// replyStream sends the chunks as server-sent events, flushing each, then
// data: [DONE] (unless done is false).
func replyStream(chunks []string, done bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.WriteHeader(http.StatusOK)
		rc := http.NewResponseController(w)
		for _, c := range chunks {
			_, _ = io.WriteString(w, "data: "+c+"\n\n")
			_ = rc.Flush()
		}
		if done {
			_, _ = io.WriteString(w, "data: [DONE]\n\n")
		}
	}
}

// replyStreamThenHang sends the chunks and then holds the stream open until
// the client goes away.
func replyStreamThenHang(chunks []string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		replyStream(chunks, false)(w, r)
		_ = http.NewResponseController(w).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}
}

// router answers each endpoint the way a healthy OpenAI does, for the
// examples and benchmarks.
func router(chatStream []string) http.HandlerFunc {
	embeddings := embeddingsJSON(1)
	return func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Stream bool `json:"stream"`
		}
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &req)
		switch {
		case strings.HasSuffix(r.URL.Path, "/chat/completions") && req.Stream:
			replyStream(chatStream, true)(w, r)
		case strings.HasSuffix(r.URL.Path, "/chat/completions"):
			replyJSON(200, chatPlain)(w, r)
		case strings.HasSuffix(r.URL.Path, "/completions"):
			replyJSON(200, textCompletion)(w, r)
		case strings.HasSuffix(r.URL.Path, "/embeddings"):
			replyJSON(200, embeddings)(w, r)
		default:
			replyJSON(404, `{"error":{"message":"Unknown request URL","type":"invalid_request_error","param":null,"code":"unknown_url"}}`)(w, r)
		}
	}
}

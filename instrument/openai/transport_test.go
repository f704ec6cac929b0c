package openai

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	goopenai "github.com/sashabaranov/go-openai"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
)

// handWritten is the kind of LLM client a framework or an application
// writes itself: net/http and the OpenAI wire format.
type handWritten struct {
	http *http.Client
	url  string
}

func newHandWritten(srv *fakeOpenAI, opts ...Option) *handWritten {
	return &handWritten{
		http: &http.Client{Transport: NewTransport(srv.Client().Transport, opts...)},
		url:  srv.URL + "/v1",
	}
}

func (c *handWritten) post(ctx context.Context, path, body string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+path, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+testKey)
	req.Header.Set("Content-Type", "application/json")
	return c.http.Do(req)
}

const handWrittenChat = `{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are a concise geography assistant."},{"role":"user","content":[{"type":"text","text":"What is the capital of France?"}]}],"temperature":0,"max_tokens":64}`

func TestTransportHandWrittenChat(t *testing.T) {
	h := setup(t)
	srv := newFakeOpenAI(t, replyJSON(200, chatPlain))
	c := newHandWritten(srv) // provider from the URL
	ctx, sess := h.session()
	resp, err := c.post(ctx, "/chat/completions", handWrittenChat)
	require.NoError(t, err)
	assert.Empty(t, h.llmSpans(), "the span ends as the body is read")
	var out goopenai.ChatCompletionResponse
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, "The capital of France is Paris.", out.Choices[0].Message.Content)

	s := h.llmSpan()
	checkSpan(t, s, sess, "chat gpt-4o-mini", codes.Unset)
	want(t, s, map[string]any{
		"gen_ai.provider.name":        "127.0.0.1", // an unknown host is its own provider
		"server.address":              "127.0.0.1",
		"server.port":                 serverPort(t, srv),
		"gen_ai.request.temperature":  0.0, // sent, so recorded
		"gen_ai.request.max_tokens":   64,
		"gen_ai.prompt.1.content":     "What is the capital of France?",
		"gen_ai.completion.0.content": "The capital of France is Paris.",
		"gen_ai.usage.input_tokens":   24,
	})
	assert.Equal(t, handWrittenChat, string(srv.body(0)), "the request went out as it came")
}

// oneByteReader reads one byte at a time: every line of the stream is
// split across reads.
type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) { return o.r.Read(p[:min(1, len(p))]) }

func TestTransportHandWrittenStream(t *testing.T) {
	for _, tc := range []struct {
		name string
		read func(io.Reader) io.Reader
	}{
		{"whole reads", func(r io.Reader) io.Reader { return r }},
		{"byte by byte", func(r io.Reader) io.Reader { return oneByteReader{r} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := setup(t)
			chunks := chatStreamChunks(true)
			srv := newFakeOpenAI(t, replyStream(chunks, true))
			c := newHandWritten(srv, WithProvider("openai"))
			ctx, sess := h.session()
			resp, err := c.post(ctx, "/chat/completions",
				`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Weather and time in Paris?"}],"stream":true,"stream_options":{"include_usage":true}}`)
			require.NoError(t, err)
			sc := bufio.NewScanner(tc.read(resp.Body))
			events := 0
			for sc.Scan() {
				if strings.HasPrefix(sc.Text(), "data: ") {
					events++
				}
				if sc.Text() == "data: [DONE]" {
					break
				}
			}
			require.NoError(t, sc.Err())
			assert.Equal(t, len(chunks)+1, events)
			s := h.llmSpan() // ended at [DONE], before Close
			require.NoError(t, resp.Body.Close())

			checkSpan(t, s, sess, "chat gpt-4o-mini", codes.Unset)
			want(t, s, map[string]any{
				"gen_ai.request.stream":                      true,
				"gen_ai.completion.0.content":                streamContent,
				"gen_ai.completion.0.tool_calls.0.arguments": streamArgs0,
				"gen_ai.completion.0.tool_calls.1.arguments": streamArgs1,
				"gen_ai.usage.input_tokens":                  91,
			})
			assert.Contains(t, attrs(s), "gen_ai.response.time_to_first_chunk")
			h.checkStreamMetrics(len(chunks))
		})
	}
}

func TestTransportErrorMessage(t *testing.T) {
	h := setup(t)
	srv := newFakeOpenAI(t, replyJSON(429, error429))
	c := newHandWritten(srv)
	ctx, sess := h.session()

	resp, err := c.post(ctx, "/chat/completions", handWrittenChat)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	s := h.llmSpan()
	checkSpan(t, s, sess, "chat gpt-4o-mini", codes.Error)
	assert.Contains(t, s.Status().Description, "Rate limit reached for gpt-4o-mini")
	want(t, s, map[string]any{"error.type": "429"})

	// Closed unread: the status says what happened.
	resp, err = c.post(ctx, "/chat/completions", handWrittenChat)
	require.NoError(t, err)
	_ = resp.Body.Close()
	h.waitLLMSpans(2)
	s = h.llmSpans()[1]
	assert.Equal(t, "openai: 429 Too Many Requests", s.Status().Description)
	want(t, s, map[string]any{"error.type": "429"})
}

func TestTransportConnectionError(t *testing.T) {
	h := setup(t)
	srv := newFakeOpenAI(t, replyJSON(200, chatPlain))
	c := newHandWritten(srv)
	srv.Close()
	ctx, sess := h.session()
	_, err := c.post(ctx, "/chat/completions", handWrittenChat)
	require.Error(t, err)
	s := h.llmSpan()
	checkSpan(t, s, sess, "chat gpt-4o-mini", codes.Error)
	assert.NotEmpty(t, attrs(s)["error.type"].AsString())
}

// A response nobody reads or closes is ended by the body's cleanup.
func TestTransportBodyDropped(t *testing.T) {
	h := setup(t)
	srv := newFakeOpenAI(t, replyJSON(200, chatPlain))
	c := newHandWritten(srv)
	ctx, sess := h.session()
	func() {
		resp, err := c.post(ctx, "/chat/completions", handWrittenChat)
		require.NoError(t, err)
		require.Equal(t, 200, resp.StatusCode)
	}()
	h.waitCleanup()
	checkSpan(t, h.llmSpans()[0], sess, "chat gpt-4o-mini", codes.Unset)
}

// Past the bound, a JSON answer is passed on whole but not recorded; the
// span still ends.
func TestTransportLargeResponse(t *testing.T) {
	defer func(n int) { maxResponseBody = n }(maxResponseBody)
	maxResponseBody = 4 << 10
	h := setup(t)
	srv := newFakeOpenAI(t, replyJSON(200, embeddingsJSON(2)))
	ctx, sess := h.session()
	resp, err := transportAPI(srv).embeddings(ctx, goopenai.EmbeddingRequest{Input: []string{"a", "b"}, Model: goopenai.SmallEmbedding3})
	require.NoError(t, err)
	require.Len(t, resp.Data, 2)
	s := h.llmSpan()
	checkSpan(t, s, sess, "embeddings text-embedding-3-small", codes.Unset)
	want(t, s, map[string]any{"gen_ai.embeddings.dimension.count": nil, "gen_ai.prompt.0.content": "a"})
}

// Past its bound, a request is sent untouched and not recorded.
func TestTransportLargeRequest(t *testing.T) {
	defer func(n int64) { maxRequestBody = n }(maxRequestBody)
	maxRequestBody = 64
	h := setup(t)
	srv := newFakeOpenAI(t, replyJSON(200, chatPlain))
	c := newHandWritten(srv)
	ctx, _ := h.session()
	// Without GetBody: the transport reads the body itself, and must give
	// back what it read followed by the rest.
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+"/chat/completions", io.NopCloser(strings.NewReader(handWrittenChat)))
	require.NoError(t, err)
	require.Nil(t, req.GetBody)
	resp, err := c.http.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, handWrittenChat, string(srv.body(0)))
	assert.Empty(t, h.llmSpans())
}

// A body without GetBody is read, recorded, and sent as it was.
func TestTransportRestoresBody(t *testing.T) {
	h := setup(t)
	srv := newFakeOpenAI(t, replyJSON(200, chatPlain))
	c := newHandWritten(srv)
	ctx, _ := h.session()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+"/chat/completions", io.NopCloser(strings.NewReader(handWrittenChat)))
	require.NoError(t, err)
	resp, err := c.http.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, handWrittenChat, string(srv.body(0)))
	want(t, h.llmSpan(), map[string]any{"gen_ai.prompt.0.content": "You are a concise geography assistant."})
}

// Other requests, and every request without an agentops Client, pass
// through untouched.
func TestTransportPassThrough(t *testing.T) {
	srv := newFakeOpenAI(t, replyJSON(200, `{"object":"list","data":[{"id":"gpt-4o-mini","object":"model","created":1721172741,"owned_by":"system"}]}`))
	base := srv.Client().Transport
	rt := NewTransport(base)

	get, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/models", nil)
	resp, err := rt.RoundTrip(get)
	require.NoError(t, err)
	assert.NotEqual(t, "*openai.body", typeName(resp.Body), "a GET is not an LLM call")
	_ = resp.Body.Close()

	// No agentops Client at all: chat calls pass through too.
	post, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/chat/completions", strings.NewReader(handWrittenChat))
	resp, err = rt.RoundTrip(post)
	require.NoError(t, err)
	assert.NotEqual(t, "*openai.body", typeName(resp.Body))
	_ = resp.Body.Close()

	h := setup(t)
	ctx, _ := h.session()
	files, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/v1/files", strings.NewReader("--boundary--"))
	resp, err = rt.RoundTrip(files)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Empty(t, h.llmSpans())
	assert.Equal(t, "--boundary--", string(srv.body(2)))
}

func typeName(v any) string { return fmt.Sprintf("%T", v) }

func TestInstrumentConfig(t *testing.T) {
	t.Run("copies the http.Client", func(t *testing.T) {
		own := &http.Client{Transport: http.DefaultTransport}
		cfg := goopenai.DefaultConfig(testKey)
		cfg.HTTPClient = own
		InstrumentConfig(&cfg)
		assert.Same(t, http.DefaultTransport, own.Transport, "the caller's client is not changed")
		hc, ok := cfg.HTTPClient.(*http.Client)
		require.True(t, ok)
		assert.IsType(t, &transport{}, hc.Transport)
		assert.Same(t, http.DefaultTransport, hc.Transport.(*transport).base)
	})
	t.Run("no client", func(t *testing.T) {
		cfg := goopenai.ClientConfig{}
		InstrumentConfig(&cfg)
		hc := cfg.HTTPClient.(*http.Client)
		assert.Same(t, http.DefaultTransport, hc.Transport.(*transport).base)
	})
	t.Run("any HTTPDoer", func(t *testing.T) {
		h := setup(t)
		srv := newFakeOpenAI(t, replyJSON(200, chatPlain))
		cfg := testConfig(srv)
		cfg.HTTPClient = doerOnly{srv.Client()}
		InstrumentConfig(&cfg)
		ctx, _ := h.session()
		_, err := goopenai.NewClientWithConfig(cfg).CreateChatCompletion(ctx, capitalQuestion())
		require.NoError(t, err)
		assert.Equal(t, "chat gpt-4o-mini", h.llmSpan().Name())
	})
	t.Run("azure", func(t *testing.T) {
		h := setup(t)
		srv := newFakeOpenAI(t, replyJSON(200, chatPlain))
		cfg := goopenai.DefaultAzureConfig(testKey, srv.URL)
		cfg.HTTPClient = srv.Client()
		InstrumentConfig(&cfg)
		ctx, _ := h.session()
		_, err := goopenai.NewClientWithConfig(cfg).CreateChatCompletion(ctx, capitalQuestion())
		require.NoError(t, err)
		want(t, h.llmSpan(), map[string]any{"gen_ai.provider.name": "azure.ai.openai", "gen_ai.system": "Azure"})
		assert.Contains(t, srv.paths[0], "/openai/deployments/gpt-4o-mini/chat/completions")
	})
}

type doerOnly struct{ c *http.Client }

func (d doerOnly) Do(r *http.Request) (*http.Response, error) { return d.c.Do(r) }

// The transport leaves bodies it does not own as they were: reading the
// request body through GetBody does not consume it.
func TestReadRequestThroughGetBody(t *testing.T) {
	req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1/v1/chat/completions", bytes.NewBufferString(handWrittenChat))
	require.NoError(t, err)
	body := req.Body
	var w *wireRequest
	replay, err := readRequest(req, func(data []byte) { w = parseRequest(data, true) })
	require.NoError(t, err)
	require.NotNil(t, w)
	assert.Nil(t, replay, "GetBody was enough")
	assert.Equal(t, body, req.Body)
	rest, _ := io.ReadAll(req.Body)
	assert.Equal(t, handWrittenChat, string(rest))
	assert.Equal(t, "gpt-4o-mini", w.Model)
}

type idleCounter struct {
	http.RoundTripper
	closed int
}

func (c *idleCounter) CloseIdleConnections() { c.closed++ }

// http.Client.CloseIdleConnections reaches the transport underneath.
func TestTransportCloseIdleConnections(t *testing.T) {
	base := &idleCounter{RoundTripper: http.DefaultTransport}
	(&http.Client{Transport: NewTransport(base)}).CloseIdleConnections()
	assert.Equal(t, 1, base.closed)
}

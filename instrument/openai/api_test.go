package openai

import (
	"context"
	"net/http"
	"testing"

	goopenai "github.com/sashabaranov/go-openai"
)

// api is one way of instrumenting a go-openai client: the typed wrapper, or
// a plain client over NewTransport. Most tests run against both and expect
// the same telemetry.
type api struct {
	chat             func(context.Context, goopenai.ChatCompletionRequest) (goopenai.ChatCompletionResponse, error)
	chatStream       func(context.Context, goopenai.ChatCompletionRequest) (chatStream, error)
	completion       func(context.Context, goopenai.CompletionRequest) (goopenai.CompletionResponse, error)
	completionStream func(context.Context, goopenai.CompletionRequest) (completionStream, error)
	embeddings       func(context.Context, goopenai.EmbeddingRequestConverter) (goopenai.EmbeddingResponse, error)
}

type chatStream interface {
	Recv() (goopenai.ChatCompletionStreamResponse, error)
	Close() error
}

type completionStream interface {
	Recv() (goopenai.CompletionResponse, error)
	Close() error
}

const testKey = "sk-proj-4f9c2b7e1a8d3c6b5e0f7a2d9c4b1e8f"

func testConfig(srv *fakeOpenAI) goopenai.ClientConfig {
	cfg := goopenai.DefaultConfig(testKey)
	cfg.BaseURL = srv.URL + "/v1"
	cfg.HTTPClient = srv.Client()
	return cfg
}

// typedAPI is NewClient: the typed wrapper.
func typedAPI(srv *fakeOpenAI, opts ...Option) api {
	c := NewClient(testConfig(srv), append([]Option{WithProvider("openai")}, opts...)...)
	return api{
		chat: c.CreateChatCompletion,
		chatStream: func(ctx context.Context, r goopenai.ChatCompletionRequest) (chatStream, error) {
			s, err := c.CreateChatCompletionStream(ctx, r)
			if err != nil {
				return nil, err
			}
			return s, nil
		},
		completion: c.CreateCompletion,
		completionStream: func(ctx context.Context, r goopenai.CompletionRequest) (completionStream, error) {
			s, err := c.CreateCompletionStream(ctx, r)
			if err != nil {
				return nil, err
			}
			return s, nil
		},
		embeddings: c.CreateEmbeddings,
	}
}

// transportAPI is a plain go-openai client over NewTransport, installed
// with InstrumentConfig.
func transportAPI(srv *fakeOpenAI, opts ...Option) api {
	cfg := testConfig(srv)
	InstrumentConfig(&cfg, append([]Option{WithProvider("openai")}, opts...)...)
	c := goopenai.NewClientWithConfig(cfg)
	return api{
		chat: c.CreateChatCompletion,
		chatStream: func(ctx context.Context, r goopenai.ChatCompletionRequest) (chatStream, error) {
			s, err := c.CreateChatCompletionStream(ctx, r)
			if err != nil {
				return nil, err
			}
			return s, nil
		},
		completion: c.CreateCompletion,
		completionStream: func(ctx context.Context, r goopenai.CompletionRequest) (completionStream, error) {
			s, err := c.CreateCompletionStream(ctx, r)
			if err != nil {
				return nil, err
			}
			return s, nil
		},
		embeddings: c.CreateEmbeddings,
	}
}

var apis = []struct {
	name string
	make func(*fakeOpenAI, ...Option) api
}{
	{"Wrap", typedAPI},
	{"NewTransport", transportAPI},
}

// forEachAPI runs test once per api, each with its own recording Client
// and a server answering with what reply makes.
func forEachAPI(t *testing.T, reply func() http.HandlerFunc, test func(t *testing.T, h *harness, srv *fakeOpenAI, a api)) {
	for _, mode := range apis {
		t.Run(mode.name, func(t *testing.T) {
			h := setup(t)
			srv := newFakeOpenAI(t, reply())
			test(t, h, srv, mode.make(srv))
		})
	}
}

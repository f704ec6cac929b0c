package openai

import (
	"context"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/agentops-go/agentops"
)

// Client is a go-openai Client whose chat completions, text completions and
// embeddings are recorded as LLM spans, streamed or not. Every other method
// is go-openai's own, through the embedded Client. It is safe for
// concurrent use, as go-openai's Client is.
type Client struct {
	*goopenai.Client
	cfg config
	ep  agentops.Endpoint
}

// Wrap records the calls of c. A goopenai.Client does not tell where it
// sends them: give WithBaseURL (or WithProvider) for another API than
// OpenAI's, or use NewClient. c is used as it is, never changed.
func Wrap(c *goopenai.Client, opts ...Option) *Client {
	cfg := newConfig(opts)
	return &Client{Client: c, cfg: cfg, ep: cfg.endpoint()}
}

// NewClient is goopenai.NewClientWithConfig(cfg), wrapped: the provider
// and server of its calls come from cfg.BaseURL (and cfg.APIType for
// Azure), unless options say otherwise. Its calls go through NewTransport
// too (installed as InstrumentConfig does, cfg's HTTPClient left
// unchanged), which at agentops.LevelDebug gives their raw HTTP bodies to
// the spans the Client starts, and otherwise passes them through.
func NewClient(cfg goopenai.ClientConfig, opts ...Option) *Client {
	InstrumentConfig(&cfg, opts...)
	return Wrap(goopenai.NewClientWithConfig(cfg), append([]Option{withClientConfig(&cfg)}, opts...)...)
}

// CreateChatCompletion is go-openai's CreateChatCompletion, recorded as a
// "chat {model}" span.
func (c *Client) CreateChatCompletion(ctx context.Context, request goopenai.ChatCompletionRequest) (goopenai.ChatCompletionResponse, error) {
	v, ok := c.cfg.verbosity(ctx)
	if !ok {
		return c.Client.CreateChatCompletion(ctx, request)
	}
	ctx, span := c.cfg.start(ctx, chatRequest(&request, c.ep, request.Stream, v))
	resp, err := c.Client.CreateChatCompletion(ctx, request)
	if err != nil {
		span.End(agentops.LLMResponse{ErrorType: errorType(err)}, err)
		return resp, err
	}
	span.End(chatResponse(&resp, recorded(span, v)), nil)
	return resp, nil
}

// CreateChatCompletionStream is go-openai's CreateChatCompletionStream,
// recorded as a "chat {model}" span that ends with the stream (see
// ChatCompletionStream). Token usage is recorded when the caller asks for
// it with StreamOptions.IncludeUsage; the request is sent as given.
func (c *Client) CreateChatCompletionStream(ctx context.Context, request goopenai.ChatCompletionRequest) (*ChatCompletionStream, error) {
	v, ok := c.cfg.verbosity(ctx)
	if !ok {
		inner, err := c.Client.CreateChatCompletionStream(ctx, request)
		if err != nil {
			return nil, err
		}
		return newChatStream(inner, nil), nil
	}
	ctx, span := c.cfg.start(ctx, chatRequest(&request, c.ep, true, v))
	inner, err := c.Client.CreateChatCompletionStream(ctx, request)
	if err != nil {
		span.End(agentops.LLMResponse{ErrorType: errorType(err)}, err)
		return nil, err
	}
	return newChatStream(inner, newStreamState(ctx, span, inner, v)), nil
}

// CreateCompletion is go-openai's CreateCompletion, recorded as a
// "text_completion {model}" span.
func (c *Client) CreateCompletion(ctx context.Context, request goopenai.CompletionRequest) (goopenai.CompletionResponse, error) {
	v, ok := c.cfg.verbosity(ctx)
	if !ok {
		return c.Client.CreateCompletion(ctx, request)
	}
	ctx, span := c.cfg.start(ctx, completionRequest(&request, c.ep, request.Stream, v))
	resp, err := c.Client.CreateCompletion(ctx, request)
	if err != nil {
		span.End(agentops.LLMResponse{ErrorType: errorType(err)}, err)
		return resp, err
	}
	span.End(completionResponse(&resp, recorded(span, v)), nil)
	return resp, nil
}

// CreateCompletionStream is go-openai's CreateCompletionStream, recorded as
// a "text_completion {model}" span that ends with the stream.
func (c *Client) CreateCompletionStream(ctx context.Context, request goopenai.CompletionRequest) (*CompletionStream, error) {
	v, ok := c.cfg.verbosity(ctx)
	if !ok {
		inner, err := c.Client.CreateCompletionStream(ctx, request)
		if err != nil {
			return nil, err
		}
		return newCompletionStream(inner, nil), nil
	}
	ctx, span := c.cfg.start(ctx, completionRequest(&request, c.ep, true, v))
	inner, err := c.Client.CreateCompletionStream(ctx, request)
	if err != nil {
		span.End(agentops.LLMResponse{ErrorType: errorType(err)}, err)
		return nil, err
	}
	return newCompletionStream(inner, newStreamState(ctx, span, inner, v)), nil
}

// CreateEmbeddings is go-openai's CreateEmbeddings, recorded as an
// "embeddings {model}" span with the inputs' texts (token arrays are not
// recorded), the vectors' dimension and the token usage.
func (c *Client) CreateEmbeddings(ctx context.Context, conv goopenai.EmbeddingRequestConverter) (goopenai.EmbeddingResponse, error) {
	v, ok := c.cfg.verbosity(ctx)
	if conv == nil || !ok {
		return c.Client.CreateEmbeddings(ctx, conv)
	}
	req := conv.Convert()
	ctx, span := c.cfg.start(ctx, embeddingsRequest(&req, c.ep, v))
	resp, err := c.Client.CreateEmbeddings(ctx, conv)
	if err != nil {
		span.End(agentops.LLMResponse{ErrorType: errorType(err)}, err)
		return resp, err
	}
	span.End(embeddingsResponse(&resp), nil)
	return resp, nil
}

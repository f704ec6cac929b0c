package openai

import (
	"context"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/agentops-go/agentops"
)

// Option configures Wrap, NewClient, NewTransport and InstrumentConfig.
// Options are plain values: one may be shared by any number of wrappers
// and goroutines.
type Option interface {
	apply(config) config
}

type optionFunc func(config) config

func (f optionFunc) apply(c config) config { return f(c) }

// config is what the options set. It is built once, at Wrap or
// NewTransport, and read-only afterwards, so the wrappers share it between
// goroutines without locks.
type config struct {
	provider string           // "" : from the base URL, or the request URL
	baseURL  string           // "" : unknown, taken as api.openai.com
	apiType  goopenai.APIType // from a ClientConfig, when one was given
	client   *agentops.Client // nil: the session's in ctx, else the default
}

// WithProvider sets gen_ai.provider.name ("openai", "azure.ai.openai",
// "groq", ...) instead of deriving it from the API's host.
func WithProvider(name string) Option {
	return optionFunc(func(c config) config { c.provider = name; return c })
}

// WithBaseURL tells Wrap which API the client talks to
// ("https://api.groq.com/openai/v1", say), for gen_ai.provider.name,
// server.address and server.port: a goopenai.Client does not tell. NewClient
// takes it from the ClientConfig, and NewTransport from each request, so
// neither needs it.
func WithBaseURL(url string) Option {
	return optionFunc(func(c config) config { c.baseURL = url; return c })
}

// WithAgentOps records the calls with c. Without it, a call is recorded by
// the Client of the session its context carries, else by the default Client
// (the one agentops.Init returned last).
func WithAgentOps(c *agentops.Client) Option {
	return optionFunc(func(cfg config) config { cfg.client = c; return cfg })
}

// withClientConfig takes the base URL and API type of a goopenai
// ClientConfig; given before the caller's options, so theirs win.
func withClientConfig(cc *goopenai.ClientConfig) Option {
	return optionFunc(func(c config) config {
		c.baseURL, c.apiType = cc.BaseURL, cc.APIType
		return c
	})
}

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		if o != nil {
			c = o.apply(c)
		}
	}
	return c
}

// endpoint is the provider and server of the configured API: from the base
// URL when known, else OpenAI's own; Azure API types imply Azure OpenAI, and
// WithProvider beats both.
func (c config) endpoint() agentops.Endpoint {
	ep := agentops.Endpoint{Provider: "openai", Host: "api.openai.com", Port: 443}
	if c.baseURL != "" {
		ep = agentops.EndpointFromURL(c.baseURL)
	}
	if c.apiType == goopenai.APITypeAzure || c.apiType == goopenai.APITypeAzureAD {
		ep.Provider = providerAzureOpenAI
	}
	if c.provider != "" {
		ep.Provider = c.provider
	}
	return ep
}

// providerAzureOpenAI is the OTel gen_ai.provider.name of Azure OpenAI.
const providerAzureOpenAI = "azure.ai.openai"

// verbosity is how much the Client that would record a call in ctx records:
// the one given with WithAgentOps, else the session's in ctx, else the
// default one. ok is false when there is none, so that without the SDK a
// wrapped call costs a pointer load or two.
func (c config) verbosity(ctx context.Context) (v agentops.Verbosity, ok bool) {
	if c.client != nil {
		return c.client.Verbosity(), true
	}
	return agentops.VerbosityFor(ctx)
}

// recorded is v for a started span: the zero Verbosity (what the metrics
// need, and no more) when the span is not recorded, sampled out.
func recorded(span *agentops.LLMSpan, v agentops.Verbosity) agentops.Verbosity {
	if !span.Recording() {
		return agentops.Verbosity{}
	}
	return v
}

// start starts the LLM span with the configured Client.
func (c config) start(ctx context.Context, req agentops.LLMRequest) (context.Context, *agentops.LLMSpan) {
	if c.client != nil {
		return c.client.StartLLM(ctx, req)
	}
	return agentops.StartLLM(ctx, req)
}

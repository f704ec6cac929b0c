package openai

import (
	"context"
	"testing"

	goopenai "github.com/sashabaranov/go-openai"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/agentops-go/agentops"
)

func TestEndpoint(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []Option
		want agentops.Endpoint
	}{
		{"nothing known", nil, agentops.Endpoint{Provider: "openai", Host: "api.openai.com", Port: 443}},
		{"base URL", []Option{WithBaseURL("https://api.groq.com/openai/v1")}, agentops.Endpoint{Provider: "groq", Host: "api.groq.com", Port: 443}},
		{"local server", []Option{WithBaseURL("http://localhost:11434/v1")}, agentops.Endpoint{Provider: "ollama", Host: "localhost", Port: 11434}},
		{"provider wins", []Option{WithBaseURL("http://10.0.0.7:8000/v1"), WithProvider("vllm")}, agentops.Endpoint{Provider: "vllm", Host: "10.0.0.7", Port: 8000}},
		{"azure config", []Option{withClientConfig(ptr(goopenai.DefaultAzureConfig("k", "https://my-gateway.example.com")))},
			agentops.Endpoint{Provider: "azure.ai.openai", Host: "my-gateway.example.com", Port: 443}},
		{"azure host", []Option{withClientConfig(ptr(goopenai.DefaultAzureConfig("k", "https://contoso.openai.azure.com")))},
			agentops.Endpoint{Provider: "azure.ai.openai", Host: "contoso.openai.azure.com", Port: 443}},
		{"default config", []Option{withClientConfig(ptr(goopenai.DefaultConfig("k")))}, agentops.Endpoint{Provider: "openai", Host: "api.openai.com", Port: 443}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, newConfig(tc.opts).endpoint())
		})
	}
}

// WithAgentOps records with the Client given, not the default one.
func TestWithAgentOps(t *testing.T) {
	mine := tracetest.NewSpanRecorder()
	c, err := agentops.Init(context.Background(), agentops.WithoutDefaultExporter(), agentops.WithSpanProcessor(mine),
		agentops.WithSourceCapture(false), agentops.WithLogCapture(false))
	require.NoError(t, err)
	defer func() { require.NoError(t, c.Shutdown(context.Background())) }()
	h := setup(t) // now the default
	srv := newFakeOpenAI(t, replyJSON(200, chatPlain))

	_, err = typedAPI(srv, WithAgentOps(c)).chat(context.Background(), capitalQuestion())
	require.NoError(t, err)
	_, err = transportAPI(srv, WithAgentOps(c)).chat(context.Background(), capitalQuestion())
	require.NoError(t, err)
	assert.Len(t, mine.Ended(), 2)
	assert.Empty(t, h.llmSpans())
}

// Without Init, the wrappers pass every call through.
func TestWithoutAgentOps(t *testing.T) {
	require.Nil(t, agentops.Default())
	srv := newFakeOpenAI(t, router(chatStreamChunks(true)))
	for _, mode := range apis {
		a := mode.make(srv)
		resp, err := a.chat(context.Background(), capitalQuestion())
		require.NoError(t, err)
		assert.Equal(t, "The capital of France is Paris.", resp.Choices[0].Message.Content)
		s, err := a.chatStream(context.Background(), streamRequest(true))
		require.NoError(t, err)
		assert.Len(t, drain(t, s), len(chatStreamChunks(true)))
		require.NoError(t, s.Close())
	}
}

// Package chatmodel chooses the OpenAI-compatible chat model that the demo
// and the examples talk to: the real provider when OPENAI_API_KEY is set,
// else a scripted model server in the program's own process, said so and
// named so in the spans.
package chatmodel

import (
	"cmp"
	"fmt"
	"io"
	"os"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/agentops-go/agentops/agentopstest/scripted"
	aoopenai "github.com/agentops-go/agentops/instrument/openai"
)

// DefaultModel is the model asked for when OPENAI_MODEL is not set: cheap,
// and good at tool calls.
const DefaultModel = "gpt-4o-mini"

// scriptedProvider is gen_ai.provider.name for the scripted model, so that
// the dashboard never passes its canned answers off as OpenAI's.
const scriptedProvider = "scripted"

// Model is the OpenAI-compatible chat model an example talks to: a real
// provider when OPENAI_API_KEY is set, else a scripted model server
// running in the example's own process. It is safe for concurrent use.
type Model struct {
	// Name is the model to ask for (OPENAI_MODEL, else DefaultModel). The
	// scripted server answers as that model, so the backend prices its
	// calls as it would a real one's.
	Name string
	// BaseURL is the API's base URL, ending in /v1.
	BaseURL string
	// APIKey is the bearer token the API wants.
	APIKey string
	// Scripted is true when the answers come from the scripted server.
	Scripted bool

	srv *scripted.Server
}

// Open chooses the model: with OPENAI_API_KEY set, that provider
// (OPENAI_BASE_URL, default OpenAI's API; OPENAI_MODEL, default
// DefaultModel); without it, a scripted server on a loopback port answering
// with respond. It says on notices which one it chose. Close releases it.
func Open(respond scripted.Responder, notices io.Writer) (*Model, error) {
	m := &Model{Name: cmp.Or(os.Getenv("OPENAI_MODEL"), DefaultModel)}
	if key := os.Getenv("OPENAI_API_KEY"); key != "" {
		m.APIKey = key
		m.BaseURL = cmp.Or(os.Getenv("OPENAI_BASE_URL"), goopenai.DefaultConfig("").BaseURL)
		fmt.Fprintf(notices, "model: %s at %s (OPENAI_API_KEY is set: real calls, real cost)\n", m.Name, m.BaseURL)
		return m, nil
	}
	srv, err := scripted.Start("", respond)
	if err != nil {
		return nil, fmt.Errorf("starting the scripted model: %w", err)
	}
	m.srv, m.Scripted = srv, true
	m.APIKey, m.BaseURL = "scripted", srv.BaseURL()
	fmt.Fprintf(notices, "model: SCRIPTED (no OPENAI_API_KEY set): canned answers as %s, from a local server at %s\n", m.Name, m.BaseURL)
	return m, nil
}

// ClientConfig is the go-openai configuration for the model's API.
func (m *Model) ClientConfig() goopenai.ClientConfig {
	cfg := goopenai.DefaultConfig(m.APIKey)
	cfg.BaseURL = m.BaseURL
	return cfg
}

// Options are the instrumentation options the model's calls need: for the
// scripted model, a provider name that says so; for a real one, none (the
// provider is read from the base URL).
func (m *Model) Options() []aoopenai.Option {
	if m.Scripted {
		return []aoopenai.Option{aoopenai.WithProvider(scriptedProvider)}
	}
	return nil
}

// Close stops the scripted server, if one was started.
func (m *Model) Close() {
	if m.srv != nil {
		m.srv.Close()
	}
}

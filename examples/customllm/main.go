// Command customllm instruments two hand-written LLM clients, the two ways
// the SDK offers for code it does not wrap:
//
//   - textgenClient speaks a provider's own wire format, which no
//     instrumentation knows: it records each call with the manual API,
//     agentops.StartLLM with the request's messages, then LLMSpan.End with
//     the answer and the token usage the provider reported.
//   - chatClient sends hand-written JSON to an OpenAI-compatible
//     /chat/completions endpoint over a plain net/http client whose
//     transport is instrument/openai's NewTransport, which records the call
//     from the wire.
//
// Both give the same kind of "chat {model}" span: model, provider, server,
// messages, finish reason, token usage.
//
// The textgen provider is imaginary: a scripted stand-in for it runs in
// this process. The OpenAI-compatible model is OpenAI when OPENAI_API_KEY
// is set (OPENAI_BASE_URL and OPENAI_MODEL change where and which model),
// else a scripted model in this process too.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/agentops-go/agentops"
	"github.com/agentops-go/agentops/agentopstest/scripted"
	"github.com/agentops-go/agentops/examples/internal/example"
	aoopenai "github.com/agentops-go/agentops/instrument/openai"
)

const (
	incident = "At 14:02 checkout requests began failing with TLS handshake errors. The payment service's " +
		"certificate had expired at 14:00; the renewal job had been failing silently for a week. " +
		"On-call renewed the certificate by hand at 14:41 and checkout recovered at 14:42."
	textgenModel = "textgen-mini"
)

func main() { example.Main(run) }

func run(ctx context.Context, stdout io.Writer) error {
	provider := startScriptedTextgen()
	defer provider.Close()
	fmt.Fprintf(os.Stderr, "textgen: scripted stand-in at %s; its answers are canned\n", provider.URL)

	env, err := example.Start(ctx, func(*scripted.Request) scripted.Reply {
		return scripted.Reply{Content: "Expired payment certificate halts checkout"}
	})
	if err != nil {
		return err
	}
	defer env.Close() // flushes the session's spans, stops the scripted model
	model := env.Model

	textgen := &textgenClient{baseURL: provider.URL, http: provider.Client()}
	chat := &chatClient{
		baseURL: model.BaseURL,
		apiKey:  model.APIKey,
		// Every call to an OpenAI-compatible API through this client is
		// recorded; other requests pass through untouched.
		http: &http.Client{Transport: aoopenai.NewTransport(nil, model.Options()...)},
	}
	return agentops.RunSession(ctx, "customllm", func(ctx context.Context) error {
		fmt.Fprintln(stdout, "session:", agentops.SessionFromContext(ctx).URL())
		summary, err := textgen.Generate(ctx, textgenRequest{
			Model:           textgenModel,
			System:          "Summarise incident reports in one sentence.",
			Turns:           []textgenTurn{{Speaker: "human", Text: incident}},
			MaxOutputTokens: 80,
		})
		if err != nil {
			return fmt.Errorf("summary: %w", err)
		}
		fmt.Fprintf(stdout, "summary by %s (%d in, %d out tokens): %s\n",
			summary.Model, summary.Tokens.In, summary.Tokens.Out, summary.Text())

		title, err := chat.Complete(ctx, model.Name, "Give this incident a title of at most six words: "+summary.Text())
		if err != nil {
			return fmt.Errorf("title: %w", err)
		}
		fmt.Fprintf(stdout, "title by %s (%d in, %d out tokens): %s\n",
			title.Model, title.Usage.PromptTokens, title.Usage.CompletionTokens, title.Text())
		return nil
	}, agentops.WithTags("example", "customllm"))
}

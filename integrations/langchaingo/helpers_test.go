package agentopslangchain_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tmc/langchaingo/llms/openai"
	"go.uber.org/goleak"

	"github.com/agentops-go/agentops"
	"github.com/agentops-go/agentops/agentopstest"
	"github.com/agentops-go/agentops/agentopstest/scripted"
	agentopslangchain "github.com/agentops-go/agentops/integrations/langchaingo"
	"github.com/agentops-go/agentops/server/model"
)

// No goroutine of the handler (its context.AfterFunc callbacks), of
// langchaingo or of the SDK may outlive the tests.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// env is one test's world: a backend receiving spans, a scripted model, a
// langchaingo openai LLM talking to it, and the handler under test, whose
// LLM view the LLM reports to.
type env struct {
	t       *testing.T
	backend *agentopstest.Server
	client  *agentops.Client
	model   *scripted.Server
	llm     *openai.LLM
	handler *agentopslangchain.Handler
}

func newEnv(t *testing.T, respond scripted.Responder, opts ...agentopslangchain.Option) *env {
	t.Helper()
	backend := agentopstest.NewServer(t)
	client, err := agentops.Init(context.Background(), agentops.WithEndpoint(backend.URL), agentops.WithSourceCapture(false))
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.Shutdown(context.Background()) }) // when the test failed before finish
	srv := scripted.NewServer(t, respond)
	h := agentopslangchain.New(opts...)
	llm, err := openai.New(
		openai.WithBaseURL(srv.BaseURL()), openai.WithToken("scripted"), openai.WithModel("gpt-4o-mini"),
		openai.WithCallback(h.LLM("openai", "gpt-4o-mini")),
	)
	require.NoError(t, err)
	return &env{t: t, backend: backend, client: client, model: srv, llm: llm, handler: h}
}

// finish checks that langchaingo ended every run it started, closes the
// handler and shuts the client down, as a program does on its way out,
// and returns the spans the backend got. It waits for want spans: the
// backend stores what it receives in the background.
func (e *env) finish(want int) []model.Span {
	e.t.Helper()
	require.Zero(e.t, e.handler.Open(), "runs left open")
	e.handler.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(e.t, e.client.Shutdown(ctx))
	return e.backend.WaitForSpans(e.t, want, 5*time.Second)
}

// messages are the messages of an LLM span in one direction, "input" or
// "output".
func messages(s model.Span, direction string) []model.Message {
	var out []model.Message
	for _, m := range s.Derived.Messages {
		if m.Direction == direction {
			out = append(out, m)
		}
	}
	return out
}

// said is who said what in a message: what most assertions compare.
type said struct{ Role, Content string }

// brief is the role and text of each message.
func brief(ms []model.Message) []said {
	out := make([]said, len(ms))
	for i, m := range ms {
		out[i] = said{m.Role, m.Content}
	}
	return out
}

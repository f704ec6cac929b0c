package agentopseino_test

import (
	"context"
	"testing"
	"time"

	"github.com/cloudwego/eino-ext/components/model/openai"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/agentops-go/agentops"
	"github.com/agentops-go/agentops/agentopstest"
	"github.com/agentops-go/agentops/agentopstest/scripted"
	agentopseino "github.com/agentops-go/agentops/integrations/eino"
	"github.com/agentops-go/agentops/server/model"
)

// Every test ends its streams and shuts its client down: no goroutine of
// the handler, of eino or of the SDK may outlive the tests.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// env is one test's world: a backend receiving spans, a scripted model,
// an eino chat model talking to it, and the handler under test.
type env struct {
	t       *testing.T
	backend *agentopstest.Server
	client  *agentops.Client
	llm     *scripted.Server
	model   *openai.ChatModel
	handler *agentopseino.Handler
}

func newEnv(t *testing.T, respond scripted.Responder, opts ...agentopseino.Option) *env {
	t.Helper()
	backend := agentopstest.NewServer(t)
	client, err := agentops.Init(context.Background(), agentops.WithEndpoint(backend.URL), agentops.WithSourceCapture(false))
	require.NoError(t, err)
	llm := scripted.NewServer(t, respond)
	cm, err := openai.NewChatModel(context.Background(), &openai.ChatModelConfig{
		BaseURL: llm.BaseURL(), APIKey: "scripted", Model: "gpt-4o-mini",
	})
	require.NoError(t, err)
	return &env{t: t, backend: backend, client: client, llm: llm, model: cm, handler: agentopseino.New(opts...)}
}

// finish closes the handler and shuts the client down, as a program does
// on its way out, and returns the spans the backend got (see shutdown).
func (e *env) finish(want int) []model.Span {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(e.t, e.handler.Close(ctx))
	return e.shutdown(want)
}

// shutdown shuts the client down and returns the spans the backend got. It
// waits for want spans: the backend stores what it receives in the
// background.
func (e *env) shutdown(want int) []model.Span {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(e.t, e.client.Shutdown(ctx))
	return e.backend.WaitForSpans(e.t, want, 5*time.Second)
}

package agentopseino_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/cloudwego/eino-ext/components/model/openai"
	"github.com/cloudwego/eino/components/prompt"
	"github.com/cloudwego/eino/compose"
	"github.com/cloudwego/eino/schema"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops"
	"github.com/agentops-go/agentops/agentopstest"
	"github.com/agentops-go/agentops/agentopstest/scripted"
	instrumentopenai "github.com/agentops-go/agentops/instrument/openai"
	agentopseino "github.com/agentops-go/agentops/integrations/eino"
	"github.com/agentops-go/agentops/server/model"
)

const question = "What is OpenTelemetry?"

var answer = "scripted reply to: " + question // what scripted.Echo says

// qaChain is a chain ChatTemplate → ChatModel, named so that its spans
// are: "qa.workflow", "prompt.task" and "chat gpt-4o-mini".
func qaChain(t *testing.T, e *env) compose.Runnable[map[string]any, *schema.Message] {
	t.Helper()
	chain := compose.NewChain[map[string]any, *schema.Message]()
	chain.AppendChatTemplate(prompt.FromMessages(schema.FString,
		schema.SystemMessage("You answer in one line."),
		schema.UserMessage("{question}"),
	), compose.WithNodeName("prompt"))
	chain.AppendChatModel(e.model, compose.WithNodeName("model"))
	r, err := chain.Compile(context.Background(), compose.WithGraphName("qa"))
	require.NoError(t, err)
	return r
}

// The spans of one call of the chain, and what they must say whatever the
// call's mode. A chain called with Stream gets its input as a stream, and
// records it as a message (see OnStartWithStreamInput).
func assertQASpans(t *testing.T, spans []model.Span, streamed bool) (workflow, llm model.Span) {
	t.Helper()
	session := agentopstest.One(t, spans, "eino-qa.session")
	workflow = agentopstest.One(t, spans, "qa.workflow")
	tmpl := agentopstest.One(t, spans, "prompt.task")
	llm = agentopstest.One(t, spans, "chat gpt-4o-mini")

	assert.Empty(t, session.ParentSpanID)
	assert.Equal(t, "Success", session.Attributes["agentops.session.end_state"])
	assert.Equal(t, []any{"eino"}, session.Attributes["agentops.tags"])
	agentopstest.RequireChild(t, session, workflow)
	agentopstest.RequireChild(t, workflow, tmpl)
	agentopstest.RequireChild(t, workflow, llm)

	assert.Equal(t, "workflow", workflow.Attributes["agentops.span.kind"])
	assert.JSONEq(t, `{"question":"`+question+`"}`, fmt.Sprint(workflow.Attributes["agentops.workflow.input"]),
		"streamed or not, the input is the span's")
	assert.Contains(t, workflow.Attributes["agentops.workflow.output"], answer)
	assert.Equal(t, "ok", workflow.StatusCode)

	assert.Equal(t, "task", tmpl.Attributes["agentops.span.kind"])
	assert.JSONEq(t, `{"question":"`+question+`"}`, fmt.Sprint(tmpl.Attributes["agentops.task.input"]))
	assert.Contains(t, tmpl.Attributes["agentops.task.output"], "You answer in one line.")

	a := llm.Attributes
	assert.Equal(t, "llm", a["agentops.span.kind"])
	assert.Equal(t, "gpt-4o-mini", a["gen_ai.request.model"])
	assert.Equal(t, "openai", a["gen_ai.provider.name"])
	assert.Equal(t, "system", a["gen_ai.prompt.0.role"])
	assert.Equal(t, "You answer in one line.", a["gen_ai.prompt.0.content"])
	assert.Equal(t, "user", a["gen_ai.prompt.1.role"])
	assert.Equal(t, question, a["gen_ai.prompt.1.content"])
	assert.Equal(t, "assistant", a["gen_ai.completion.0.role"])
	assert.Equal(t, answer, a["gen_ai.completion.0.content"])
	assert.Equal(t, "stop", a["gen_ai.completion.0.finish_reason"])
	assert.Positive(t, llm.Derived.InputTokens)
	assert.Positive(t, llm.Derived.OutputTokens)
	assert.Equal(t, llm.Derived.InputTokens+llm.Derived.OutputTokens, a["gen_ai.usage.total_tokens"])
	assert.Equal(t, "unset", llm.StatusCode, "OTel GenAI leaves a model call that worked Unset")
	assert.Equal(t, streamed, a["gen_ai.request.streaming"], "eino says so only at the end; the chunks tell")
	assert.Equal(t, streamed, llm.Derived.TTFT > 0)
	return workflow, llm
}

func TestChainInvoke(t *testing.T) {
	e := newEnv(t, scripted.Echo, agentopseino.WithSession("eino-qa", agentops.WithTags("eino")))
	out, err := qaChain(t, e).Invoke(context.Background(), map[string]any{"question": question}, compose.WithCallbacks(e.handler))
	require.NoError(t, err)
	require.Equal(t, answer, out.Content)

	assertQASpans(t, e.finish(4), false)
}

// A streamed answer is recorded whole, with its token usage, once the
// stream ends: the same answer and usage as the same call not streamed.
// Here the program starts the sessions, and the runs nest in them.
func TestChainStream(t *testing.T) {
	e := newEnv(t, scripted.Echo)
	qa := qaChain(t, e)
	input := map[string]any{"question": question}

	ctx, streamed := agentops.StartSession(context.Background(), "eino-qa", agentops.WithTags("eino"))
	sr, err := qa.Stream(ctx, input, compose.WithCallbacks(e.handler))
	require.NoError(t, err)
	var chunks []*schema.Message
	for {
		m, err := sr.Recv()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		chunks = append(chunks, m)
	}
	sr.Close()
	streamed.End(agentops.Success)
	require.Greater(t, len(chunks), 1, "the scripted model streams a word at a time")

	ctx, invoked := agentops.StartSession(context.Background(), "eino-qa", agentops.WithTags("eino"))
	_, err = qa.Invoke(ctx, input, compose.WithCallbacks(e.handler))
	require.NoError(t, err)
	invoked.End(agentops.Success)

	e.finish(8)
	_, llm := assertQASpans(t, e.backend.SpansOf(streamed.TraceID().String()), true)
	_, want := assertQASpans(t, e.backend.SpansOf(invoked.TraceID().String()), false)
	assert.Equal(t, want.Derived.InputTokens, llm.Derived.InputTokens)
	assert.Equal(t, want.Derived.OutputTokens, llm.Derived.OutputTokens)
}

// A model that fails fails its span, the chain's, and the session.
func TestChainModelError(t *testing.T) {
	e := newEnv(t, scripted.Sequence(scripted.Reply{Status: 503, Error: "the model is overloaded"}),
		agentopseino.WithSession("eino-qa"))
	_, err := qaChain(t, e).Invoke(context.Background(), map[string]any{"question": question}, compose.WithCallbacks(e.handler))
	require.ErrorContains(t, err, "the model is overloaded")

	spans := e.finish(4)
	session := agentopstest.One(t, spans, "eino-qa.session")
	workflow := agentopstest.One(t, spans, "qa.workflow")
	llm := agentopstest.One(t, spans, "chat gpt-4o-mini")
	agentopstest.RequireChild(t, workflow, llm)
	for _, s := range []model.Span{session, workflow, llm} {
		assert.Equal(t, "error", s.StatusCode, s.Name)
		assert.Contains(t, s.StatusMessage, "the model is overloaded", s.Name)
	}
	assert.Equal(t, "Error", session.Attributes["agentops.session.end_state"])
	assert.Equal(t, "ok", agentopstest.One(t, spans, "prompt.task").StatusCode, "the template worked")
}

// eino-ext's model reports an error in building a streamed request with
// OnError but no OnStart, with the context of the graph that called it:
// that end is not the graph's, which ends with its own error.
func TestChainModelErrorBeforeStart(t *testing.T) {
	e := newEnv(t, scripted.Echo, agentopseino.WithSession("eino-direct"))
	direct, err := compose.NewChain[[]*schema.Message, *schema.Message]().
		AppendChatModel(e.model, compose.WithNodeName("model")).
		Compile(context.Background(), compose.WithGraphName("direct"))
	require.NoError(t, err)
	unsendable := &schema.Message{
		Role:                     schema.User,
		UserInputMultiContent:    []schema.MessageInputPart{{Type: schema.ChatMessagePartTypeText, Text: "a question"}},
		AssistantGenMultiContent: []schema.MessageOutputPart{{Type: schema.ChatMessagePartTypeText, Text: "an answer"}},
	}
	_, err = direct.Stream(context.Background(), []*schema.Message{unsendable}, compose.WithCallbacks(e.handler))
	require.Error(t, err)

	spans := e.finish(2)
	assert.Len(t, agentopstest.SpanNames(spans), 2, "no span for a model call never made")
	workflow := agentopstest.One(t, spans, "direct.workflow")
	assert.Equal(t, "error", workflow.StatusCode)
	assert.Equal(t, err.Error(), workflow.StatusMessage, "the graph's error, not the model's")
	assert.Equal(t, "Error", agentopstest.One(t, spans, "eino-direct.session").Attributes["agentops.session.end_state"])
}

// Calls at once through one handler each get a session of their own, with
// their own runs in it.
func TestConcurrentCalls(t *testing.T) {
	e := newEnv(t, scripted.Echo, agentopseino.WithSession("eino-qa", agentops.WithTags("eino")))
	qa := qaChain(t, e)
	const calls = 8
	var wg sync.WaitGroup
	for range calls {
		wg.Go(func() {
			_, err := qa.Invoke(context.Background(), map[string]any{"question": question}, compose.WithCallbacks(e.handler))
			assert.NoError(t, err)
		})
	}
	wg.Wait()

	e.finish(4 * calls)
	sessions := e.backend.Sessions()
	require.Len(t, sessions, calls)
	for _, s := range sessions {
		spans := e.backend.SpansOf(s.TraceID)
		assert.Len(t, agentopstest.SpanNames(spans), 4)
		assertQASpans(t, spans, false)
	}
}

// A model whose HTTP client records OpenAI calls already (instrument/
// openai's transport) still makes one span per call: the transport leaves
// the call to the span the handler started.
func TestOneSpanWithTheOpenAITransport(t *testing.T) {
	e := newEnv(t, scripted.Echo, agentopseino.WithSession("eino-qa", agentops.WithTags("eino")))
	cm, err := openai.NewChatModel(context.Background(), &openai.ChatModelConfig{
		BaseURL: e.llm.BaseURL(), APIKey: "scripted", Model: "gpt-4o-mini",
		HTTPClient: &http.Client{Transport: instrumentopenai.NewTransport(nil)},
	})
	require.NoError(t, err)
	e.model = cm
	_, err = qaChain(t, e).Invoke(context.Background(), map[string]any{"question": question}, compose.WithCallbacks(e.handler))
	require.NoError(t, err)

	spans := e.finish(4)
	assert.Len(t, agentopstest.SpanNames(spans), 4)
	assertQASpans(t, spans, false)
}

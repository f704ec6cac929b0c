package agentopslangchain_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tmc/langchaingo/chains"
	"github.com/tmc/langchaingo/prompts"
	"github.com/tmc/langchaingo/schema"
	"github.com/tmc/langchaingo/vectorstores"

	"github.com/agentops-go/agentops"
	"github.com/agentops-go/agentops/agentopstest"
	"github.com/agentops-go/agentops/agentopstest/scripted"
)

// shelf is a vector store that finds the same documents for any query.
type shelf []schema.Document

func (s shelf) AddDocuments(context.Context, []schema.Document, ...vectorstores.Option) ([]string, error) {
	return nil, nil
}

func (s shelf) SimilaritySearch(_ context.Context, _ string, n int, _ ...vectorstores.Option) ([]schema.Document, error) {
	return s[:min(n, len(s))], nil
}

// A retrieval QA chain: the retriever's span carries the query and the
// documents it found; the answering chain's chat span gets them in its
// prompt. RetrievalQA itself reports nothing to callbacks, so both are
// children of the program's session.
func TestRetrievalQARecordsTheRetrievalAndTheAnswer(t *testing.T) {
	e := newEnv(t, scripted.Sequence(scripted.Reply{Content: "Spans and metrics."}))
	retriever := vectorstores.ToRetriever(shelf{
		{PageContent: "OpenTelemetry has spans.", Metadata: map[string]any{"source": "a.md"}},
		{PageContent: "OpenTelemetry has metrics.", Metadata: map[string]any{"source": "b.md"}},
	}, 2)
	retriever.CallbacksHandler = e.handler.Named("docs")
	prompt := prompts.NewPromptTemplate("{{.context}}\nQ: {{.question}}", []string{"context", "question"})
	answer := chains.NewLLMChain(e.llm, prompt, chains.WithCallback(e.handler.Named("answer")))
	qa := chains.NewRetrievalQA(chains.NewStuffDocuments(answer), retriever)
	err := agentops.RunSession(context.Background(), "qa", func(ctx context.Context) error {
		_, err := chains.Run(ctx, qa, "What does OpenTelemetry have?")
		return err
	})
	require.NoError(t, err)

	spans := e.finish(4)
	root := agentopstest.One(t, spans, "qa.session")
	docs := agentopstest.One(t, spans, "retrieval docs")
	chain := agentopstest.One(t, spans, "answer.workflow")
	chat := agentopstest.One(t, spans, "chat gpt-4o-mini")
	agentopstest.RequireChild(t, root, docs)
	agentopstest.RequireChild(t, root, chain)
	agentopstest.RequireChild(t, chain, chat)
	assert.False(t, chain.Start.Before(docs.End), "the answer came after the retrieval")

	assert.Equal(t, "retrieval", docs.Attributes["agentops.span.kind"])
	assert.Equal(t, "retrieval", docs.Attributes["gen_ai.operation.name"])
	assert.Equal(t, "ok", docs.StatusCode)
	assert.Equal(t, "What does OpenTelemetry have?", docs.Derived.Input)
	var found []schema.Document
	require.NoError(t, json.Unmarshal([]byte(docs.Derived.Output), &found))
	require.Len(t, found, 2)
	assert.Equal(t, "OpenTelemetry has spans.", found[0].PageContent)
	assert.Equal(t, "b.md", found[1].Metadata["source"])

	in := messages(chat, "input")
	require.Len(t, in, 1)
	assert.Equal(t, "OpenTelemetry has spans.\n\nOpenTelemetry has metrics.\nQ: What does OpenTelemetry have?", in[0].Content)
}

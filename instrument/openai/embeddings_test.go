package openai

import (
	"net/http"
	"testing"

	goopenai "github.com/sashabaranov/go-openai"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
)

func TestEmbeddings(t *testing.T) {
	forEachAPI(t, func() http.HandlerFunc { return replyJSON(200, embeddingsJSON(2)) }, func(t *testing.T, h *harness, srv *fakeOpenAI, a api) {
		ctx, sess := h.session()
		resp, err := a.embeddings(ctx, goopenai.EmbeddingRequestStrings{
			Input:          []string{"The food was delicious and the waiter...", "Service was slow."},
			Model:          goopenai.SmallEmbedding3,
			EncodingFormat: goopenai.EmbeddingEncodingFormatFloat,
		})
		require.NoError(t, err)
		require.Len(t, resp.Data, 2)
		require.Len(t, resp.Data[0].Embedding, 1536)

		s := h.llmSpan()
		checkSpan(t, s, sess, "embeddings text-embedding-3-small", codes.Unset)
		want(t, s, map[string]any{
			"gen_ai.operation.name":             "embeddings",
			"gen_ai.request.type":               "embedding",
			"gen_ai.request.model":              "text-embedding-3-small",
			"gen_ai.request.encoding_formats":   []string{"float"},
			"gen_ai.response.model":             "text-embedding-3-small",
			"gen_ai.embeddings.dimension.count": 1536,
			"gen_ai.usage.input_tokens":         16,
			"gen_ai.usage.output_tokens":        0,
			"gen_ai.usage.prompt_tokens":        16,
			"gen_ai.usage.total_tokens":         16,
			"gen_ai.prompt.0.content":           "The food was delicious and the waiter...",
			"gen_ai.prompt.1.content":           "Service was slow.",
			"gen_ai.request.stream":             nil,
			"gen_ai.response.finish_reasons":    nil,
		})
		h.checkMetrics("embeddings", "text-embedding-3-small", "", 16, 0)
	})
}

// Token arrays are not text: the call is recorded without them.
func TestEmbeddingsOfTokens(t *testing.T) {
	forEachAPI(t, func() http.HandlerFunc { return replyJSON(200, embeddingsJSON(1)) }, func(t *testing.T, h *harness, srv *fakeOpenAI, a api) {
		ctx, _ := h.session()
		_, err := a.embeddings(ctx, goopenai.EmbeddingRequestTokens{Input: [][]int{{791, 3691, 574}}, Model: goopenai.SmallEmbedding3})
		require.NoError(t, err)
		s := h.llmSpan()
		assert.Equal(t, "embeddings text-embedding-3-small", s.Name())
		want(t, s, map[string]any{"gen_ai.prompt.0.content": nil, "gen_ai.embeddings.dimension.count": 1536})
	})
}

func TestCompletion(t *testing.T) {
	forEachAPI(t, func() http.HandlerFunc { return replyJSON(200, textCompletion) }, func(t *testing.T, h *harness, srv *fakeOpenAI, a api) {
		ctx, sess := h.session()
		resp, err := a.completion(ctx, goopenai.CompletionRequest{
			Model: "gpt-3.5-turbo-instruct", Prompt: "Say this is a test", MaxTokens: 7, Temperature: 0.2,
		})
		require.NoError(t, err)
		require.Equal(t, "\n\nThis is indeed a test", resp.Choices[0].Text)

		s := h.llmSpan()
		checkSpan(t, s, sess, "text_completion gpt-3.5-turbo-instruct", codes.Unset)
		want(t, s, map[string]any{
			"gen_ai.operation.name":             "text_completion",
			"gen_ai.request.type":               "completion",
			"gen_ai.request.max_tokens":         7,
			"gen_ai.request.temperature":        0.2,
			"gen_ai.response.id":                "cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7",
			"gen_ai.response.finish_reasons":    []string{"length"},
			"gen_ai.prompt.0.role":              "user",
			"gen_ai.prompt.0.content":           "Say this is a test",
			"gen_ai.completion.0.content":       "\n\nThis is indeed a test",
			"gen_ai.completion.0.finish_reason": "length",
			"gen_ai.usage.input_tokens":         5,
			"gen_ai.usage.output_tokens":        7,
		})
		h.checkMetrics("text_completion", "gpt-3.5-turbo-instruct", "", 5, 7)
	})
}

func TestCompletionOfSeveralPrompts(t *testing.T) {
	forEachAPI(t, func() http.HandlerFunc { return replyJSON(200, textCompletion) }, func(t *testing.T, h *harness, srv *fakeOpenAI, a api) {
		ctx, _ := h.session()
		_, err := a.completion(ctx, goopenai.CompletionRequest{Model: "gpt-3.5-turbo-instruct", Prompt: []string{"one", "two"}})
		require.NoError(t, err)
		want(t, h.llmSpan(), map[string]any{"gen_ai.prompt.0.content": "one", "gen_ai.prompt.1.content": "two"})
	})
}

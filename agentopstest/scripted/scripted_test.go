package scripted_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/agentopstest/scripted"
)

func client(srv *scripted.Server) *openai.Client {
	cfg := openai.DefaultConfig("scripted")
	cfg.BaseURL = srv.BaseURL()
	return openai.NewClientWithConfig(cfg)
}

var weatherTool = openai.Tool{Type: openai.ToolTypeFunction, Function: &openai.FunctionDefinition{
	Name: "get_weather", Parameters: map[string]any{"type": "object"},
}}

func TestPlainAnswerWithUsage(t *testing.T) {
	srv := scripted.NewServer(t, nil)
	resp, err := client(srv).CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
		Model:    "gpt-4o-mini",
		Messages: []openai.ChatCompletionMessage{{Role: "system", Content: "be brief"}, {Role: "user", Content: "what is otel"}},
	})
	require.NoError(t, err)
	assert.Equal(t, "scripted reply to: what is otel", resp.Choices[0].Message.Content)
	assert.Equal(t, openai.FinishReasonStop, resp.Choices[0].FinishReason)
	assert.Equal(t, "gpt-4o-mini", resp.Model, "the requested model is echoed, so prices apply")
	assert.Equal(t, "scripted", resp.SystemFingerprint)
	assert.True(t, strings.HasPrefix(resp.ID, "chatcmpl-scripted-"))
	assert.Equal(t, "true", resp.Header().Get("X-Scripted-Model"))
	assert.Positive(t, resp.Usage.PromptTokens)
	assert.Positive(t, resp.Usage.CompletionTokens)
	assert.Equal(t, resp.Usage.PromptTokens+resp.Usage.CompletionTokens, resp.Usage.TotalTokens)

	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "what is otel", scripted.LastUser(&reqs[0]))
}

func TestToolCallThenAnswerFromResults(t *testing.T) {
	srv := scripted.NewServer(t, func(req *scripted.Request) scripted.Reply {
		if res := scripted.ToolResults(req); len(res) > 0 {
			return scripted.Reply{Content: "it is " + res["call_1"]}
		}
		return scripted.Reply{ToolCalls: []scripted.ToolCall{{ID: "call_1", Name: "get_weather", Arguments: `{"city":"Paris"}`}}}
	})
	c := client(srv)
	req := openai.ChatCompletionRequest{Model: "gpt-4o", Tools: []openai.Tool{weatherTool},
		Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "weather in Paris?"}}}
	resp, err := c.CreateChatCompletion(context.Background(), req)
	require.NoError(t, err)
	msg := resp.Choices[0].Message
	assert.Equal(t, openai.FinishReasonToolCalls, resp.Choices[0].FinishReason)
	require.Len(t, msg.ToolCalls, 1)
	assert.Equal(t, "get_weather", msg.ToolCalls[0].Function.Name)
	assert.JSONEq(t, `{"city":"Paris"}`, msg.ToolCalls[0].Function.Arguments)

	req.Messages = append(req.Messages, msg, openai.ChatCompletionMessage{Role: "tool", ToolCallID: "call_1", Content: "sunny"})
	resp, err = c.CreateChatCompletion(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, "it is sunny", resp.Choices[0].Message.Content)
}

func TestStreamSendsWordsToolCallsAndUsage(t *testing.T) {
	srv := scripted.NewServer(t, scripted.Sequence(scripted.Reply{
		Content:   "Paris is sunny today.",
		ToolCalls: []scripted.ToolCall{{Name: "log_answer", Arguments: `{"ok":true}`}},
	}))
	stream, err := client(srv).CreateChatCompletionStream(context.Background(), openai.ChatCompletionRequest{
		Model: "gpt-4o-mini", Stream: true, StreamOptions: &openai.StreamOptions{IncludeUsage: true},
		Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "weather?"}},
	})
	require.NoError(t, err)
	defer stream.Close()

	var text strings.Builder
	var name, args string
	var finish openai.FinishReason
	var usage *openai.Usage
	chunks := 0
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		chunks++
		if chunk.Usage != nil {
			usage = chunk.Usage
		}
		for _, ch := range chunk.Choices {
			text.WriteString(ch.Delta.Content)
			for _, tc := range ch.Delta.ToolCalls {
				name += tc.Function.Name
				args += tc.Function.Arguments
			}
			if ch.FinishReason != "" {
				finish = ch.FinishReason
			}
		}
	}
	assert.Equal(t, "Paris is sunny today.", text.String())
	assert.Greater(t, chunks, 4, "the content arrives a word at a time")
	assert.Equal(t, "log_answer", name)
	assert.JSONEq(t, `{"ok":true}`, args)
	assert.Equal(t, openai.FinishReasonToolCalls, finish)
	require.NotNil(t, usage, "include_usage asks for a usage chunk")
	assert.Positive(t, usage.CompletionTokens)
}

func TestScriptedErrorsAreOpenAIErrors(t *testing.T) {
	srv := scripted.NewServer(t, scripted.Sequence(scripted.Reply{Status: http.StatusTooManyRequests, Error: "slow down"}))
	_, err := client(srv).CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
		Model: "gpt-4o", Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "hi"}},
	})
	var apiErr *openai.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusTooManyRequests, apiErr.HTTPStatusCode)
	assert.Equal(t, "slow down", apiErr.Message)
	assert.Equal(t, "rate_limit_exceeded", apiErr.Type)
}

func TestMalformedRequestsGetA400ThatSaysWhy(t *testing.T) {
	srv := scripted.NewServer(t, nil)
	for body, want := range map[string]string{
		`{"model":`:                   "not a chat completion request",
		`{"model":"x","messages":[]}`: "at least one message",
	} {
		resp, err := http.Post(srv.BaseURL()+"/chat/completions", "application/json", strings.NewReader(body))
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, body)
		assert.Contains(t, string(b), want)
	}
	resp, err := http.Get(srv.URL + "/v1/embeddings")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.Empty(t, srv.Requests(), "rejected requests are not recorded")
}

func TestDelayHonoursTheClientsDeadline(t *testing.T) {
	srv := scripted.NewServer(t, scripted.Sequence(scripted.Reply{Content: "late", Delay: time.Minute}))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := client(srv).CreateChatCompletion(ctx, openai.ChatCompletionRequest{
		Model: "gpt-4o", Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "hi"}},
	})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 10*time.Second)
}

func TestSequenceRepeatsItsLastReply(t *testing.T) {
	next := scripted.Sequence(scripted.Reply{Content: "a"}, scripted.Reply{Content: "b"})
	var got []string
	for range 3 {
		got = append(got, next(&scripted.Request{}).Content)
	}
	assert.Equal(t, []string{"a", "b", "b"}, got)
}

package main

import (
	"context"
	"net/http"
)

// chatClient sends hand-written JSON to an OpenAI-compatible chat
// completions endpoint, as an LLM wrapper of one's own or a framework's
// provider does. It knows nothing of agentops: the transport of its
// http.Client records the calls. It is safe for concurrent use.
type chatClient struct {
	baseURL string // ending in /v1
	apiKey  string
	http    *http.Client
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type chatRequest struct {
	Model    string        `json:"model"`
	Messages []chatMessage `json:"messages"`
}

type chatResponse struct {
	ID      string `json:"id"`
	Model   string `json:"model"`
	Choices []struct {
		Message      chatMessage `json:"message"`
		FinishReason string      `json:"finish_reason"`
	} `json:"choices"`
	Usage struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
	} `json:"usage"`
}

// Text is the first choice's text.
func (r *chatResponse) Text() string {
	if len(r.Choices) == 0 {
		return ""
	}
	return r.Choices[0].Message.Content
}

// Complete asks model one question.
func (c *chatClient) Complete(ctx context.Context, model, prompt string) (chatResponse, error) {
	var resp chatResponse
	err := postJSON(ctx, c.http, c.baseURL+"/chat/completions", http.Header{"Authorization": {"Bearer " + c.apiKey}},
		chatRequest{Model: model, Messages: []chatMessage{{Role: "user", Content: prompt}}}, &resp)
	return resp, err
}

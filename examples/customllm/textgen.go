package main

import (
	"context"
	"net/http"
	"strings"

	"github.com/agentops-go/agentops"
)

// textgenClient is a hand-written client for the textgen API, whose wire
// format is its own: a system text, turns by "human" and "model", and
// token counts under "tokens". It is safe for concurrent use.
type textgenClient struct {
	baseURL string
	http    *http.Client
}

type textgenRequest struct {
	Model           string        `json:"model"`
	System          string        `json:"system,omitempty"`
	Turns           []textgenTurn `json:"turns"`
	MaxOutputTokens int           `json:"max_output_tokens,omitempty"`
}

type textgenTurn struct {
	Speaker string `json:"speaker"` // "human" or "model"
	Text    string `json:"text"`
}

type textgenResponse struct {
	ID     string `json:"id"`
	Model  string `json:"model"`
	Output []struct {
		Text string `json:"text"`
	} `json:"output"`
	StopReason string `json:"stop_reason"`
	Tokens     struct {
		In  int `json:"in"`
		Out int `json:"out"`
	} `json:"tokens"`
}

// Text is the answer's text, its parts joined.
func (r *textgenResponse) Text() string {
	parts := make([]string, len(r.Output))
	for i, o := range r.Output {
		parts[i] = o.Text
	}
	return strings.Join(parts, "")
}

// Generate sends one request, recorded as a "chat {model}" span: started
// before the request is sent, so that the span covers the whole call, and
// ended with the answer, or the error.
func (c *textgenClient) Generate(ctx context.Context, req textgenRequest) (textgenResponse, error) {
	ctx, call := agentops.StartLLM(ctx, c.llmRequest(&req))
	var resp textgenResponse
	if err := postJSON(ctx, c.http, c.baseURL+"/v1/generate", nil, req, &resp); err != nil {
		call.End(agentops.LLMResponse{}, err) // no answer, so no usage either
		return resp, err
	}
	call.End(llmResponse(&resp), nil)
	return resp, nil
}

// llmRequest describes a request in the SDK's terms: the system text and
// the turns become the conversation's messages, with OpenAI's role names,
// which the dashboards know.
func (c *textgenClient) llmRequest(req *textgenRequest) agentops.LLMRequest {
	ep := agentops.EndpointFromURL(c.baseURL)
	r := agentops.LLMRequest{
		Provider:      "textgen",
		Model:         req.Model,
		ServerAddress: ep.Host,
		ServerPort:    ep.Port,
		MaxTokens:     req.MaxOutputTokens,
	}
	if req.System != "" {
		r.Messages = append(r.Messages, agentops.Message{Role: "system", Content: req.System})
	}
	for _, t := range req.Turns {
		role := "user"
		if t.Speaker == "model" {
			role = "assistant"
		}
		r.Messages = append(r.Messages, agentops.Message{Role: role, Content: t.Text})
	}
	return r
}

// llmResponse describes an answer in the SDK's terms, with the token
// counts the provider reported.
func llmResponse(resp *textgenResponse) agentops.LLMResponse {
	return agentops.LLMResponse{
		ID:    resp.ID,
		Model: resp.Model,
		Choices: []agentops.Choice{{
			Message:      agentops.Message{Role: "assistant", Content: resp.Text()},
			FinishReason: resp.StopReason,
		}},
		Usage: &agentops.Usage{InputTokens: resp.Tokens.In, OutputTokens: resp.Tokens.Out},
	}
}

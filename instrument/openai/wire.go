package openai

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/agentops-go/agentops"
)

// The OpenAI request bodies, as NewTransport reads them off the wire: one
// shape for the chat, completion and embeddings endpoints, with only the
// fields recorded. Texts that may come in several forms (a string or a
// list, content as parts, arguments as a string or an object) decode
// through the small types below, which never fail on a form they do not
// know: a request the transport cannot read fully is still sent, and still
// recorded as far as it could be read.
type wireRequest struct {
	wireParams
	Messages []wireMessage `json:"messages"`
	Prompt   texts         `json:"prompt"`
	Input    texts         `json:"input"`
	Tools    []struct {
		Type     string        `json:"type"`
		Function *wireFunction `json:"function"`
	} `json:"tools"`
	Functions []wireFunction `json:"functions"`
}

// wireParams are the request's parameters: all that is decoded of a
// request whose content is not recorded.
type wireParams struct {
	Model               string   `json:"model"`
	EncodingFormat      string   `json:"encoding_format"`
	MaxTokens           int      `json:"max_tokens"`
	MaxCompletionTokens int      `json:"max_completion_tokens"`
	Temperature         *float64 `json:"temperature"`
	TopP                *float64 `json:"top_p"`
	FrequencyPenalty    *float64 `json:"frequency_penalty"`
	PresencePenalty     *float64 `json:"presence_penalty"`
	Seed                *int64   `json:"seed"`
	Stop                texts    `json:"stop"`
	N                   int      `json:"n"`
	Stream              bool     `json:"stream"`
	ResponseFormat      *struct {
		Type string `json:"type"`
	} `json:"response_format"`
}

type wireMessage struct {
	wireOut
	ToolCallID string `json:"tool_call_id"`
}

type wireToolCall struct {
	Index    *int             `json:"index"` // in stream chunks
	ID       string           `json:"id"`
	Type     string           `json:"type"`
	Function wireFunctionCall `json:"function"`
}

type wireFunctionCall struct {
	Name      string   `json:"name"`
	Arguments jsonText `json:"arguments"`
}

type wireFunction struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Parameters  jsonText `json:"parameters"`
}

// texts is a string or a list of strings; anything else (token arrays)
// is left out.
type texts []string

func (t *texts) UnmarshalJSON(b []byte) error {
	switch firstByte(b) {
	case '"':
		*t = texts{jsonString(b)}
	case '[':
		var list []json.RawMessage
		if json.Unmarshal(b, &list) != nil {
			return nil
		}
		out := make(texts, 0, len(list))
		for _, e := range list {
			if firstByte(e) == '"' {
				out = append(out, jsonString(e))
			}
		}
		*t = out
	}
	return nil
}

// partsText is message content: a string, or parts whose texts are joined
// a line apart (as the typed wrapper joins MultiContent).
type partsText string

func (p *partsText) UnmarshalJSON(b []byte) error {
	switch firstByte(b) {
	case '"':
		*p = partsText(jsonString(b))
	case '[':
		var parts []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		}
		if json.Unmarshal(b, &parts) != nil {
			return nil
		}
		var sb strings.Builder
		for _, part := range parts {
			if part.Type != "text" && part.Text == "" {
				continue
			}
			if sb.Len() > 0 {
				sb.WriteByte('\n')
			}
			sb.WriteString(part.Text)
		}
		*p = partsText(sb.String())
	}
	return nil
}

// jsonText is JSON text kept as written: a string's value (tool call
// arguments are a JSON document in a string), or any other value's JSON.
type jsonText string

func (j *jsonText) UnmarshalJSON(b []byte) error {
	switch firstByte(b) {
	case 'n':
	case '"':
		*j = jsonText(jsonString(b))
	default:
		*j = jsonText(b)
	}
	return nil
}

// jsonString is the value of a JSON string the decoder has already
// validated: without escapes (and in valid UTF-8), its bytes as they are.
func jsonString(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) >= 2 && bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b) {
		return string(b[1 : len(b)-1])
	}
	var s string
	_ = json.Unmarshal(b, &s)
	return s
}

func firstByte(b []byte) byte {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

// llmRequest is the root API's request for a wire request to op.
func (w *wireRequest) llmRequest(op string, ep agentops.Endpoint) agentops.LLMRequest {
	req := agentops.LLMRequest{
		Operation:        op,
		Provider:         ep.Provider,
		Model:            w.Model,
		ServerAddress:    ep.Host,
		ServerPort:       ep.Port,
		MaxTokens:        w.MaxTokens,
		Temperature:      w.Temperature,
		TopP:             w.TopP,
		FrequencyPenalty: w.FrequencyPenalty,
		PresencePenalty:  w.PresencePenalty,
		Seed:             w.Seed,
		StopSequences:    w.Stop,
		ChoiceCount:      w.N,
		Stream:           w.Stream,
	}
	if w.MaxCompletionTokens > 0 {
		req.MaxTokens = w.MaxCompletionTokens
	}
	switch op {
	case agentops.OperationTextCompletion:
		req.Prompts = w.Prompt
	case agentops.OperationEmbeddings:
		req.Prompts = w.Input
		if w.EncodingFormat != "" {
			req.EncodingFormats = []string{w.EncodingFormat}
		}
		// Embeddings have no sampling: what a client sends anyway is noise.
		req.MaxTokens, req.Temperature, req.TopP, req.Stream = 0, nil, nil, false
	}
	if f := w.ResponseFormat; f != nil {
		req.OutputType = outputType(f.Type)
	}
	if len(w.Messages) > 0 {
		req.Messages = make([]agentops.Message, len(w.Messages))
		for i := range w.Messages {
			m := &w.Messages[i]
			req.Messages[i] = m.wireOut.message()
			req.Messages[i].ToolCallID = m.ToolCallID
		}
	}
	if n := len(w.Tools) + len(w.Functions); n > 0 {
		req.Tools = make([]agentops.ToolDefinition, 0, n)
		for _, t := range w.Tools {
			if t.Function == nil {
				req.Tools = append(req.Tools, agentops.ToolDefinition{Name: t.Type})
				continue
			}
			req.Tools = append(req.Tools, t.Function.definition())
		}
		for i := range w.Functions {
			req.Tools = append(req.Tools, w.Functions[i].definition())
		}
	}
	return req
}

func (f *wireFunction) definition() agentops.ToolDefinition {
	return agentops.ToolDefinition{Name: f.Name, Description: f.Description, Parameters: string(f.Parameters)}
}

// wireAnswer is a chat or text completion, or a chunk of a stream of
// either, with only the fields recorded.
type wireAnswer struct {
	ID      string       `json:"id"`
	Model   string       `json:"model"`
	Choices []wireChoice `json:"choices"`
	Usage   *wireUsage   `json:"usage"`
}

type wireChoice struct {
	Index        int     `json:"index"`
	Message      wireOut `json:"message"` // chat
	Delta        wireOut `json:"delta"`   // chat chunk
	Text         string  `json:"text"`    // text completion and its chunks
	FinishReason string  `json:"finish_reason"`
}

// wireOut is what a model says in a chat answer or chunk.
type wireOut struct {
	Role             string            `json:"role"`
	Content          partsText         `json:"content"`
	ReasoningContent string            `json:"reasoning_content"`
	Refusal          string            `json:"refusal"`
	ToolCalls        []wireToolCall    `json:"tool_calls"`
	FunctionCall     *wireFunctionCall `json:"function_call"`
}

type wireUsage struct {
	PromptTokens        int `json:"prompt_tokens"`
	CompletionTokens    int `json:"completion_tokens"`
	TotalTokens         int `json:"total_tokens"`
	PromptTokensDetails *struct {
		CachedTokens int `json:"cached_tokens"`
	} `json:"prompt_tokens_details"`
	CompletionTokensDetails *struct {
		ReasoningTokens int `json:"reasoning_tokens"`
	} `json:"completion_tokens_details"`
}

// usage is the root API's Usage, or nil when there is none.
func (u *wireUsage) usage() *agentops.Usage {
	if u == nil {
		return nil
	}
	var cached, reasoning int
	if d := u.PromptTokensDetails; d != nil {
		cached = d.CachedTokens
	}
	if d := u.CompletionTokensDetails; d != nil {
		reasoning = d.ReasoningTokens
	}
	return newUsage(u.PromptTokens, u.CompletionTokens, u.TotalTokens, cached, reasoning)
}

// response is the root API's response for a whole (not streamed) answer,
// as far as v records it (see chatResponse).
func (w *wireAnswer) response(v agentops.Verbosity) agentops.LLMResponse {
	resp := agentops.LLMResponse{ID: w.ID, Model: w.Model, Usage: w.Usage.usage()}
	if n := len(w.Choices); n > 0 && v.Level >= agentops.LevelStandard {
		resp.Choices = make([]agentops.Choice, n)
		byIndex := inIndexOrder(n, func(i int) int { return w.Choices[i].Index })
		for i := range w.Choices {
			c := &w.Choices[i]
			choice := agentops.Choice{FinishReason: c.FinishReason}
			if v.Content {
				choice.Message = c.Message.message()
				if c.Text != "" {
					choice.Message.Content = c.Text
				}
			}
			resp.Choices[byIndex(i)] = choice
		}
	}
	return resp
}

func (m *wireOut) message() agentops.Message {
	msg := agentops.Message{Role: m.Role, Content: string(m.Content), Reasoning: m.ReasoningContent, Refusal: m.Refusal}
	if n := len(m.ToolCalls); n > 0 || m.FunctionCall != nil {
		msg.ToolCalls = make([]agentops.ToolCall, 0, n+1)
		for _, tc := range m.ToolCalls {
			msg.ToolCalls = append(msg.ToolCalls, agentops.ToolCall{
				ID: tc.ID, Type: tc.Type, Name: tc.Function.Name, Arguments: string(tc.Function.Arguments),
			})
		}
		if fc := m.FunctionCall; fc != nil {
			msg.ToolCalls = append(msg.ToolCalls, agentops.ToolCall{Type: "function", Name: fc.Name, Arguments: string(fc.Arguments)})
		}
	}
	return msg
}

// wireEmbeddings is an embeddings response, read for its model, usage and
// vector length without decoding the vectors.
type wireEmbeddings struct {
	Model string `json:"model"`
	Data  []struct {
		Embedding vectorLen `json:"embedding"`
	} `json:"data"`
	Usage struct {
		PromptTokens int `json:"prompt_tokens"`
		TotalTokens  int `json:"total_tokens"`
	} `json:"usage"`
}

func (w *wireEmbeddings) response() agentops.LLMResponse {
	resp := agentops.LLMResponse{Model: w.Model}
	if w.Usage.PromptTokens != 0 || w.Usage.TotalTokens != 0 {
		resp.Usage = &agentops.Usage{InputTokens: w.Usage.PromptTokens, TotalTokens: w.Usage.TotalTokens}
	}
	if len(w.Data) > 0 {
		resp.EmbeddingDimensions = int(w.Data[0].Embedding)
	}
	return resp
}

// vectorLen is the length of an embedding: a JSON array of numbers, or
// base64 of little-endian float32s (encoding_format "base64").
type vectorLen int

func (v *vectorLen) UnmarshalJSON(b []byte) error {
	switch firstByte(b) {
	case '[':
		// Numbers hold no commas: the elements are one more than the commas.
		if len(bytes.Trim(b, "[] \t\r\n")) == 0 {
			*v = 0
			return nil
		}
		*v = vectorLen(bytes.Count(b, []byte{','}) + 1)
	case '"':
		var s string
		if json.Unmarshal(b, &s) == nil {
			n := base64.StdEncoding.DecodedLen(len(s)) - (len(s) - len(strings.TrimRight(s, "=")))
			*v = vectorLen(max(n, 0) / 4)
		}
	}
	return nil
}

// wireError is the body of a failed call: {"error": {"message": ...}}.
type wireError struct {
	Error *struct {
		Message texts  `json:"message"`
		Type    string `json:"type"`
		Code    any    `json:"code"`
	} `json:"error"`
}

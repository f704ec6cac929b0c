package openai

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/agentops-go/agentops"
)

// This file turns go-openai's typed requests and responses into the root
// package's LLMRequest and LLMResponse. It only reads what it is given: the
// caller's request is never written, and its slices are shared read-only.
// It translates only what the span records (v): below LevelStandard, what
// the span's name and the metrics need; without content, no message,
// prompt or tool.

// callRequest is the part of every request that the span's name and the
// metrics need, at any level.
func callRequest(op, model string, ep agentops.Endpoint, stream bool) agentops.LLMRequest {
	return agentops.LLMRequest{Operation: op, Provider: ep.Provider, Model: model,
		ServerAddress: ep.Host, ServerPort: ep.Port, Stream: stream}
}

func chatRequest(r *goopenai.ChatCompletionRequest, ep agentops.Endpoint, stream bool, v agentops.Verbosity) agentops.LLMRequest {
	req := callRequest(agentops.OperationChat, r.Model, ep, stream)
	if v.Level < agentops.LevelStandard {
		return req
	}
	req.MaxTokens = r.MaxTokens
	if r.MaxCompletionTokens > 0 {
		req.MaxTokens = r.MaxCompletionTokens
	}
	req.Temperature, req.TopP = float32Ptr(r.Temperature), float32Ptr(r.TopP)
	req.FrequencyPenalty, req.PresencePenalty = float32Ptr(r.FrequencyPenalty), float32Ptr(r.PresencePenalty)
	req.Seed, req.StopSequences, req.ChoiceCount = intPtr(r.Seed), r.Stop, r.N
	if f := r.ResponseFormat; f != nil {
		req.OutputType = outputType(string(f.Type))
	}
	if !v.Content {
		return req
	}
	if len(r.Messages) > 0 {
		req.Messages = make([]agentops.Message, len(r.Messages))
		for i := range r.Messages {
			req.Messages[i] = message(&r.Messages[i])
		}
	}
	if n := len(r.Tools) + len(r.Functions); n > 0 {
		req.Tools = make([]agentops.ToolDefinition, 0, n)
		for _, t := range r.Tools {
			if t.Function == nil {
				// A built-in tool (web_search, ...): its type is all it has.
				req.Tools = append(req.Tools, agentops.ToolDefinition{Name: string(t.Type)})
				continue
			}
			req.Tools = append(req.Tools, toolDefinition(t.Function))
		}
		for i := range r.Functions {
			req.Tools = append(req.Tools, toolDefinition(&r.Functions[i]))
		}
	}
	return req
}

func message(m *goopenai.ChatCompletionMessage) agentops.Message {
	msg := agentops.Message{
		Role:       m.Role,
		Content:    m.Content,
		ToolCallID: m.ToolCallID,
		Reasoning:  m.ReasoningContent,
		Refusal:    m.Refusal,
	}
	if m.Content == "" && len(m.MultiContent) > 0 {
		msg.Content = joinText(m.MultiContent)
	}
	if n := len(m.ToolCalls); n > 0 || m.FunctionCall != nil {
		msg.ToolCalls = make([]agentops.ToolCall, 0, n+1)
		for _, tc := range m.ToolCalls {
			msg.ToolCalls = append(msg.ToolCalls, agentops.ToolCall{
				ID: tc.ID, Type: string(tc.Type), Name: tc.Function.Name, Arguments: tc.Function.Arguments,
			})
		}
		if fc := m.FunctionCall; fc != nil { // the legacy form of a tool call
			msg.ToolCalls = append(msg.ToolCalls, agentops.ToolCall{Type: "function", Name: fc.Name, Arguments: fc.Arguments})
		}
	}
	return msg
}

// joinText is the text of a multi-part message, its parts a line apart;
// images and other parts have no text to record.
func joinText(parts []goopenai.ChatMessagePart) string {
	var b strings.Builder
	for _, p := range parts {
		if p.Type != goopenai.ChatMessagePartTypeText && p.Text == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.Text)
	}
	return b.String()
}

func toolDefinition(f *goopenai.FunctionDefinition) agentops.ToolDefinition {
	return agentops.ToolDefinition{Name: f.Name, Description: f.Description, Parameters: schemaText(f.Parameters)}
}

// schemaText is a tool's parameter schema as JSON text; go-openai lets it be
// raw JSON, a string, or anything that marshals.
func schemaText(v any) string {
	switch p := v.(type) {
	case nil:
		return ""
	case json.RawMessage:
		return string(p)
	case []byte:
		return string(p)
	case string:
		return p
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// outputType is gen_ai.output.type for an OpenAI response_format type.
func outputType(format string) string {
	switch format {
	case "json_object", "json_schema":
		return "json"
	case "text":
		return "text"
	}
	return ""
}

// float32Ptr is a go-openai sampling parameter as the root API wants it:
// absent when zero (go-openai cannot send a zero), and as the decimal the
// caller wrote (0.7, not 0.699999988079071).
func float32Ptr(f float32) *float64 {
	if f == 0 {
		return nil
	}
	var buf [32]byte
	v, err := strconv.ParseFloat(string(strconv.AppendFloat(buf[:0], float64(f), 'g', -1, 32)), 64)
	if err != nil {
		v = float64(f)
	}
	return &v
}

func intPtr(p *int) *int64 {
	if p == nil {
		return nil
	}
	v := int64(*p)
	return &v
}

func completionRequest(r *goopenai.CompletionRequest, ep agentops.Endpoint, stream bool, v agentops.Verbosity) agentops.LLMRequest {
	req := callRequest(agentops.OperationTextCompletion, r.Model, ep, stream)
	if v.Level < agentops.LevelStandard {
		return req
	}
	req.MaxTokens = r.MaxTokens
	req.Temperature, req.TopP = float32Ptr(r.Temperature), float32Ptr(r.TopP)
	req.FrequencyPenalty, req.PresencePenalty = float32Ptr(r.FrequencyPenalty), float32Ptr(r.PresencePenalty)
	req.Seed, req.StopSequences, req.ChoiceCount = intPtr(r.Seed), r.Stop, r.N
	if v.Content {
		req.Prompts = prompts(r.Prompt)
	}
	return req
}

func embeddingsRequest(r *goopenai.EmbeddingRequest, ep agentops.Endpoint, v agentops.Verbosity) agentops.LLMRequest {
	req := callRequest(agentops.OperationEmbeddings, string(r.Model), ep, false)
	if v.Level < agentops.LevelStandard {
		return req
	}
	if r.EncodingFormat != "" {
		req.EncodingFormats = []string{string(r.EncodingFormat)}
	}
	if v.Content {
		req.Prompts = prompts(r.Input)
	}
	return req
}

// prompts are the texts of a completion prompt or an embeddings input: a
// string or a list of them. Token arrays are not text and are left out.
func prompts(v any) []string {
	switch p := v.(type) {
	case string:
		return []string{p}
	case []string:
		return p
	case []any:
		out := make([]string, 0, len(p))
		for _, e := range p {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// chatResponse is r as far as v records it: always what the metrics need
// (the model and usage), the choices' finish reasons from LevelStandard up,
// their messages with content.
func chatResponse(r *goopenai.ChatCompletionResponse, v agentops.Verbosity) agentops.LLMResponse {
	resp := agentops.LLMResponse{ID: r.ID, Model: r.Model, Usage: usage(&r.Usage)}
	if n := len(r.Choices); n > 0 && v.Level >= agentops.LevelStandard {
		resp.Choices = make([]agentops.Choice, n)
		byIndex := inIndexOrder(n, func(i int) int { return r.Choices[i].Index })
		for i := range r.Choices {
			c := &r.Choices[i]
			choice := agentops.Choice{FinishReason: finishReason(c.FinishReason)}
			if v.Content {
				choice.Message = message(&c.Message)
			}
			resp.Choices[byIndex(i)] = choice
		}
	}
	return resp
}

// inIndexOrder returns where the i-th of n choices goes: its own index
// when the indexes are 0..n-1 in some order, else where it came.
func inIndexOrder(n int, index func(i int) int) func(i int) int {
	seen := uint64(0)
	for i := range n {
		x := index(i)
		if n > 64 || x < 0 || x >= n || seen&(1<<x) != 0 {
			return func(i int) int { return i }
		}
		seen |= 1 << x
	}
	return index
}

// finishReason drops go-openai's "null", which means none yet.
func finishReason(r goopenai.FinishReason) string {
	if r == goopenai.FinishReasonNull {
		return ""
	}
	return string(r)
}

// usage is the root API's Usage, or nil when the response carried none.
func usage(u *goopenai.Usage) *agentops.Usage {
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

// newUsage is the root API's Usage of OpenAI's counts, or nil when they
// are all zero: an answer without usage.
func newUsage(prompt, completion, total, cached, reasoning int) *agentops.Usage {
	if prompt == 0 && completion == 0 && total == 0 {
		return nil
	}
	return &agentops.Usage{InputTokens: prompt, OutputTokens: completion, TotalTokens: total,
		CacheReadTokens: cached, ReasoningTokens: reasoning}
}

// completionResponse is r as far as v records it, as chatResponse's.
func completionResponse(r *goopenai.CompletionResponse, v agentops.Verbosity) agentops.LLMResponse {
	resp := agentops.LLMResponse{ID: r.ID, Model: r.Model, Usage: usage(r.Usage)}
	if n := len(r.Choices); n > 0 && v.Level >= agentops.LevelStandard {
		resp.Choices = make([]agentops.Choice, n)
		byIndex := inIndexOrder(n, func(i int) int { return r.Choices[i].Index })
		for i := range r.Choices {
			c := &r.Choices[i]
			choice := agentops.Choice{FinishReason: c.FinishReason}
			if v.Content {
				choice.Message.Content = c.Text
			}
			resp.Choices[byIndex(i)] = choice
		}
	}
	return resp
}

func embeddingsResponse(r *goopenai.EmbeddingResponse) agentops.LLMResponse {
	resp := agentops.LLMResponse{Model: string(r.Model)}
	if r.Usage.PromptTokens != 0 || r.Usage.TotalTokens != 0 {
		resp.Usage = &agentops.Usage{InputTokens: r.Usage.PromptTokens, TotalTokens: r.Usage.TotalTokens}
	}
	if len(r.Data) > 0 {
		resp.EmbeddingDimensions = len(r.Data[0].Embedding)
	}
	return resp
}

// errorType is error.type for an error of go-openai: the HTTP status code
// of a failed request, else the type (or code) of an error the API sent in
// the middle of a stream; "" lets the root API name it.
func errorType(err error) string {
	var apiErr *goopenai.APIError
	if errors.As(err, &apiErr) {
		switch {
		case apiErr.HTTPStatusCode > 0:
			return strconv.Itoa(apiErr.HTTPStatusCode)
		case apiErr.Type != "":
			return apiErr.Type
		case apiErr.Code != nil:
			return fmt.Sprint(apiErr.Code)
		}
		return streamErrorType // go-openai's error events carry no status
	}
	var reqErr *goopenai.RequestError
	if errors.As(err, &reqErr) && reqErr.HTTPStatusCode > 0 {
		return strconv.Itoa(reqErr.HTTPStatusCode)
	}
	return ""
}

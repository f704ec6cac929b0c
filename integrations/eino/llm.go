package agentopseino

import (
	"encoding/json"
	"strings"

	"github.com/cloudwego/eino/components/model"
	"github.com/cloudwego/eino/schema"

	"github.com/agentops-go/agentops"
)

// providers maps the type names of eino-ext's chat models to the OTel
// gen_ai.provider.name values, where the type in lower case is not that
// value already ("OpenAI", "DeepSeek", "Ollama" are).
var providers = map[string]string{
	"Claude": "anthropic",
	"Gemini": "gcp.gemini",
}

func providerOf(typ string) string {
	if p, ok := providers[typ]; ok {
		return p
	}
	return strings.ToLower(typ)
}

// llmRequest is the request of a chat model call, as far as eino reports
// it; in is nil when eino reports none.
func llmRequest(typ string, in *model.CallbackInput) *agentops.LLMRequest {
	req := &agentops.LLMRequest{Provider: providerOf(typ)}
	if in == nil {
		return req
	}
	req.Messages = make([]agentops.Message, len(in.Messages))
	for i, m := range in.Messages {
		req.Messages[i] = message(m)
	}
	for _, t := range in.Tools {
		req.Tools = append(req.Tools, toolDefinition(t))
	}
	if c := in.Config; c != nil {
		req.Model = c.Model
		req.MaxTokens = c.MaxTokens
		req.StopSequences = c.Stop
		// eino's config has no "unset": a zero is recorded as not set.
		req.Temperature = nonZero(c.Temperature)
		req.TopP = nonZero(c.TopP)
	}
	return req
}

func nonZero(f float32) *float64 {
	if f == 0 {
		return nil
	}
	v := float64(f)
	return &v
}

// llmResponse is the answer of a chat model call; out is nil when eino
// reports none.
func llmResponse(out *model.CallbackOutput) *agentops.LLMResponse {
	resp := &agentops.LLMResponse{}
	if out == nil {
		return resp
	}
	usage := out.TokenUsage
	if m := out.Message; m != nil {
		c := agentops.Choice{Message: message(m)}
		if meta := m.ResponseMeta; meta != nil {
			c.FinishReason = meta.FinishReason
			// A graph node that reports the callbacks of a model that
			// does not gives only the message, with its usage in it.
			if usage == nil && meta.Usage != nil {
				usage = modelUsage(meta.Usage)
			}
		}
		resp.Choices = []agentops.Choice{c}
	}
	if usage != nil {
		resp.Usage = &agentops.Usage{
			InputTokens:     usage.PromptTokens,
			OutputTokens:    usage.CompletionTokens,
			TotalTokens:     usage.TotalTokens,
			CacheReadTokens: usage.PromptTokenDetails.CachedTokens,
			ReasoningTokens: usage.CompletionTokensDetails.ReasoningTokens,
		}
	}
	return resp
}

// modelUsage is a message's usage in the model package's type, which has
// the same fields.
func modelUsage(u *schema.TokenUsage) *model.TokenUsage {
	return &model.TokenUsage{
		PromptTokens:            u.PromptTokens,
		PromptTokenDetails:      model.PromptTokenDetails{CachedTokens: u.PromptTokenDetails.CachedTokens},
		CompletionTokens:        u.CompletionTokens,
		TotalTokens:             u.TotalTokens,
		CompletionTokensDetails: model.CompletionTokensDetails{ReasoningTokens: u.CompletionTokensDetails.ReasoningTokens},
	}
}

func message(m *schema.Message) agentops.Message {
	if m == nil {
		return agentops.Message{}
	}
	out := agentops.Message{
		Role:       string(m.Role),
		Content:    content(m),
		ToolCallID: m.ToolCallID,
		Reasoning:  m.ReasoningContent,
	}
	for _, c := range m.ToolCalls {
		out.ToolCalls = append(out.ToolCalls, agentops.ToolCall{
			ID: c.ID, Type: c.Type, Name: c.Function.Name, Arguments: c.Function.Arguments,
		})
	}
	return out
}

// content is a message's text: Content, else the text parts of its
// multimodal content (the other parts are not text to record).
func content(m *schema.Message) string {
	if m.Content != "" {
		return m.Content
	}
	var b strings.Builder
	for _, p := range m.UserInputMultiContent {
		b.WriteString(p.Text)
	}
	for _, p := range m.AssistantGenMultiContent {
		b.WriteString(p.Text)
	}
	return b.String()
}

func toolDefinition(t *schema.ToolInfo) agentops.ToolDefinition {
	d := agentops.ToolDefinition{Name: t.Name, Description: t.Desc}
	if t.ParamsOneOf == nil {
		return d // a tool without parameters
	}
	if s, err := t.ToJSONSchema(); err == nil && s != nil {
		if b, err := json.Marshal(s); err == nil {
			d.Parameters = string(b)
		}
	}
	return d
}

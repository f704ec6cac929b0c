package agentopslangchain

import (
	"strings"

	"github.com/agentops-go/agentops"
	"github.com/tmc/langchaingo/llms"
)

// messages converts a request's messages to the SDK's.
func messages(ms []llms.MessageContent) []agentops.Message {
	out := make([]agentops.Message, len(ms))
	for i, mc := range ms {
		out[i] = message(mc)
	}
	return out
}

// message converts one message. Its text parts are joined as the providers
// read them, one after the other; image and binary parts are left out, as
// agentops.Message carries text only.
func message(mc llms.MessageContent) agentops.Message {
	m := agentops.Message{Role: roleOf(mc.Role)}
	var text strings.Builder
	for _, part := range mc.Parts {
		switch p := part.(type) {
		case llms.TextContent:
			text.WriteString(p.Text)
		case llms.ToolCall:
			m.ToolCalls = append(m.ToolCalls, toolCall(p))
		case llms.ToolCallResponse:
			m.ToolCallID = p.ToolCallID
			text.WriteString(p.Content)
		}
	}
	m.Content = text.String()
	return m
}

// roleOf maps langchaingo's message types to the roles of the OpenAI and
// OTel GenAI vocabularies, as langchaingo's openai client sends them (a
// legacy function result is a tool result there).
func roleOf(t llms.ChatMessageType) string {
	switch t {
	case llms.ChatMessageTypeAI:
		return "assistant"
	case llms.ChatMessageTypeHuman, llms.ChatMessageTypeGeneric:
		return "user"
	case llms.ChatMessageTypeFunction, llms.ChatMessageTypeTool:
		return "tool"
	}
	return string(t) // system, and any type a later langchaingo adds
}

func toolCall(tc llms.ToolCall) agentops.ToolCall {
	c := agentops.ToolCall{ID: tc.ID, Type: tc.Type}
	if f := tc.FunctionCall; f != nil {
		c.Name, c.Arguments = f.Name, f.Arguments
	}
	return c
}

// toolResult finds, in a request's messages, the result sent back for the
// tool call id.
func toolResult(ms []llms.MessageContent, id string) (string, bool) {
	if id == "" {
		return "", false
	}
	for _, mc := range ms {
		for _, part := range mc.Parts {
			if p, ok := part.(llms.ToolCallResponse); ok && p.ToolCallID == id {
				return p.Content, true
			}
		}
	}
	return "", false
}

// response converts what the model answered. The model is not in it:
// langchaingo's response has no field for it.
func response(res *llms.ContentResponse) *agentops.LLMResponse {
	if res == nil {
		return nil
	}
	out := &agentops.LLMResponse{Choices: make([]agentops.Choice, 0, len(res.Choices))}
	for _, c := range res.Choices {
		if c == nil {
			continue
		}
		msg := agentops.Message{Role: "assistant", Content: c.Content, Reasoning: c.ReasoningContent}
		for _, tc := range c.ToolCalls {
			msg.ToolCalls = append(msg.ToolCalls, toolCall(tc))
		}
		// A legacy function call; when there are tool calls, langchaingo
		// repeats the first one here, which is not a second call.
		if f := c.FuncCall; f != nil && len(c.ToolCalls) == 0 {
			msg.ToolCalls = []agentops.ToolCall{{Name: f.Name, Arguments: f.Arguments}}
		}
		out.Choices = append(out.Choices, agentops.Choice{Message: msg, FinishReason: c.StopReason})
		// The provider counts tokens per response, and langchaingo copies
		// the count into every choice: it is read once.
		if out.Usage == nil {
			out.Usage = usage(c.GenerationInfo)
		}
	}
	return out
}

// usage reads the token count from a choice's GenerationInfo, in the two
// conventions langchaingo's clients follow, or returns nil when there is
// none: the SDK never estimates.
func usage(info map[string]any) *agentops.Usage {
	// The OpenAI client's keys, which the Google and Ollama clients use
	// too: the prompt count includes cached tokens. The OpenAI client sets
	// them to zero when the response had no usage (a stream without
	// include_usage), and no real call has an empty prompt.
	if prompt := count(info, "PromptTokens"); prompt > 0 {
		cached := count(info, "PromptCachedTokens")
		if cached == 0 {
			cached = count(info, "CacheReadInputTokens")
		}
		return &agentops.Usage{
			InputTokens:     prompt,
			OutputTokens:    count(info, "CompletionTokens"),
			TotalTokens:     count(info, "TotalTokens"),
			CacheReadTokens: cached,
			ReasoningTokens: count(info, "ReasoningTokens"),
		}
	}
	// The Anthropic client's keys: its input count leaves out the tokens
	// read from and written to the cache, which the SDK counts in.
	if input := count(info, "InputTokens"); input > 0 {
		read, created := count(info, "CacheReadInputTokens"), count(info, "CacheCreationInputTokens")
		return &agentops.Usage{
			InputTokens:         input + read + created,
			OutputTokens:        count(info, "OutputTokens"),
			CacheReadTokens:     read,
			CacheCreationTokens: created,
		}
	}
	return nil
}

// count reads a token count, whichever integer type the client stored.
func count(info map[string]any, key string) int {
	switch v := info[key].(type) {
	case int:
		return v
	case int32:
		return int(v)
	case int64:
		return int(v)
	}
	return 0
}

package scripted

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// answer is a Reply dressed for the wire.
type answer struct {
	id      string
	created int64
	model   string
	content string
	calls   []wireToolCall
	finish  string
	usage   wireUsage
}

type wireToolCall struct {
	Index    *int         `json:"index,omitempty"`
	ID       string       `json:"id,omitempty"`
	Type     string       `json:"type,omitempty"`
	Function wireFunction `json:"function"`
}

type wireFunction struct {
	Name      string `json:"name,omitempty"`
	Arguments string `json:"arguments"`
}

type wireUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

type wireMessage struct {
	Role      string         `json:"role,omitempty"`
	Content   *string        `json:"content"`
	ToolCalls []wireToolCall `json:"tool_calls,omitempty"`
}

type wireChoice struct {
	Index        int          `json:"index"`
	Message      *wireMessage `json:"message,omitempty"`
	Delta        *wireMessage `json:"delta,omitempty"`
	FinishReason *string      `json:"finish_reason"`
}

type wireCompletion struct {
	ID                string       `json:"id"`
	Object            string       `json:"object"`
	Created           int64        `json:"created"`
	Model             string       `json:"model"`
	Choices           []wireChoice `json:"choices"`
	Usage             *wireUsage   `json:"usage,omitempty"`
	SystemFingerprint string       `json:"system_fingerprint"`
}

func newAnswer(n int, req *Request, r Reply) *answer {
	a := &answer{
		id:      fmt.Sprintf("chatcmpl-scripted-%d", n),
		created: time.Now().Unix(),
		model:   req.Model,
		content: r.Content,
		finish:  r.FinishReason,
	}
	if a.model == "" {
		a.model = "scripted"
	}
	completion := tokens(r.Content)
	for i, c := range r.ToolCalls {
		id := c.ID
		if id == "" {
			id = fmt.Sprintf("call_scripted_%d_%d", n, i)
		}
		a.calls = append(a.calls, wireToolCall{ID: id, Type: "function", Function: wireFunction{Name: c.Name, Arguments: c.Arguments}})
		completion += tokens(c.Name) + tokens(c.Arguments)
	}
	if a.finish == "" {
		a.finish = "stop"
		if len(a.calls) > 0 {
			a.finish = "tool_calls"
		}
	}
	prompt := 0
	for _, m := range req.Messages {
		prompt += 4 + tokens(messageText(m))
		for _, c := range m.ToolCalls {
			prompt += tokens(c.Function.Name) + tokens(c.Function.Arguments)
		}
	}
	for _, t := range req.Tools {
		if t.Function != nil {
			b, _ := json.Marshal(t.Function)
			prompt += tokens(string(b))
		}
	}
	a.usage = wireUsage{PromptTokens: prompt, CompletionTokens: completion, TotalTokens: prompt + completion}
	return a
}

// tokens approximates a tokenizer: about four characters a token, at
// least one per word. Deterministic, so tests can rely on it.
func tokens(s string) int {
	return max(len(strings.Fields(s)), (len(s)+3)/4)
}

func (a *answer) envelope(object string, choices []wireChoice, usage *wireUsage) wireCompletion {
	return wireCompletion{ID: a.id, Object: object, Created: a.created, Model: a.model,
		Choices: choices, Usage: usage, SystemFingerprint: "scripted"}
}

func (a *answer) completion() wireCompletion {
	msg := &wireMessage{Role: openai.ChatMessageRoleAssistant, ToolCalls: a.calls}
	if a.content != "" || len(a.calls) == 0 {
		msg.Content = &a.content
	}
	return a.envelope("chat.completion", []wireChoice{{Message: msg, FinishReason: &a.finish}}, &a.usage)
}

// chunkGap spaces a stream's chunks, so time to first token and the
// stream's duration differ as they do with a real model.
const chunkGap = 15 * time.Millisecond

// stream writes the answer as server-sent events: the role, the content a
// word at a time, each tool call (name, then its arguments), the finish
// reason, the usage when asked for, and [DONE].
func (a *answer) stream(w http.ResponseWriter, r *http.Request, includeUsage bool) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	send := func(choices []wireChoice, usage *wireUsage) bool {
		b, _ := json.Marshal(a.envelope("chat.completion.chunk", choices, usage))
		if _, err := fmt.Fprintf(w, "data: %s\n\n", b); err != nil {
			return false
		}
		if flusher != nil {
			flusher.Flush()
		}
		select {
		case <-r.Context().Done():
			return false
		case <-time.After(chunkGap):
			return true
		}
	}
	delta := func(m wireMessage) []wireChoice { return []wireChoice{{Delta: &m}} }

	empty := ""
	if !send(delta(wireMessage{Role: openai.ChatMessageRoleAssistant, Content: &empty}), nil) {
		return
	}
	for _, word := range splitWords(a.content) {
		if !send(delta(wireMessage{Content: &word}), nil) {
			return
		}
	}
	for i, c := range a.calls {
		head := c
		head.Index, head.Function.Arguments = &i, ""
		args := wireToolCall{Index: &i, Function: wireFunction{Arguments: c.Function.Arguments}}
		if !send(delta(wireMessage{ToolCalls: []wireToolCall{head}}), nil) ||
			!send(delta(wireMessage{ToolCalls: []wireToolCall{args}}), nil) {
			return
		}
	}
	if !send([]wireChoice{{Delta: &wireMessage{}, FinishReason: &a.finish}}, nil) {
		return
	}
	if includeUsage && !send([]wireChoice{}, &a.usage) {
		return
	}
	_, _ = fmt.Fprint(w, "data: [DONE]\n\n")
	if flusher != nil {
		flusher.Flush()
	}
}

// splitWords cuts s after each space, keeping the spaces, so the pieces
// join back to s.
func splitWords(s string) []string {
	var out []string
	for s != "" {
		i := strings.IndexByte(s, ' ')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

package agentops

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"

	"github.com/agentops-go/agentops/internal/redact"
	"github.com/agentops-go/agentops/internal/semconv"
)

// contentPolicy decides how message content becomes attributes: the
// AgentOps flat keys (gen_ai.prompt.{i}.content, ...) by default, or the
// OTel GenAI JSON form (gen_ai.input.messages, ...) when asked; every text
// through the user's redactor and RedactSecrets, then cut at the
// per-attribute cap.
type contentPolicy struct {
	otelJSON bool
	max      int
	redact   func(string) string
}

func (c *Client) content() contentPolicy {
	return contentPolicy{otelJSON: c.cfg.otelMessages, max: c.cfg.maxPayload, redact: c.cfg.redactContent}
}

// text is s redacted (the user's redactor, then RedactSecrets, which no
// setting turns off: an API key pasted into a prompt must not leave the
// process) and capped, with a visible marker where it was cut.
func (p contentPolicy) text(s string) string {
	if p.redact != nil {
		s = p.redact(s)
	}
	return truncate(redact.String(s), p.max, 0)
}

// body is a raw HTTP body as text: through the user's redactor, then
// RedactSecrets whatever the user's does (a body holds what no one thought
// to mask), then capped. kept is the start of a body of total bytes. Bytes
// that are not UTF-8 are replaced, as OTLP refuses such strings.
func (p contentPolicy) body(kept []byte, total int) string {
	s := strings.ToValidUTF8(string(kept), "\uFFFD")
	if p.redact != nil {
		s = p.redact(s)
	}
	return truncate(redact.String(s), p.max, total-len(kept))
}

// truncate cuts s at max bytes, with a marker saying how many were cut,
// counting the dropped bytes that never reached s.
func truncate(s string, max, dropped int) string {
	if len(s) <= max && dropped == 0 {
		return s
	}
	cut := runeCut(s, max)
	return s[:cut] + "…[truncated " + strconv.Itoa(len(s)-cut+dropped) + " bytes]"
}

// runeCut is where to cut s to keep at most n bytes without splitting a
// UTF-8 sequence.
func runeCut(s string, n int) int {
	cut := min(max(n, 0), len(s))
	for cut > 0 && cut < len(s) && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return cut
}

// contentAttributeCount estimates how many attributes request adds in the
// flat form, to size the start attribute slice once.
func contentAttributeCount(r *LLMRequest) int {
	n := 2*len(r.Messages) + 2*len(r.Prompts) + 3*len(r.Tools)
	for _, m := range r.Messages {
		n += 3 * len(m.ToolCalls)
	}
	return n
}

// request appends the prompt content of r to a.
func (p contentPolicy) request(a []attribute.KeyValue, r *LLMRequest) []attribute.KeyValue {
	if p.otelJSON {
		return p.requestJSON(a, r)
	}
	for i, m := range r.Messages {
		a = p.appendMessage(a, semconv.Prompt(i), m, false)
	}
	for i, prompt := range r.Prompts {
		pre := semconv.Prompt(len(r.Messages) + i)
		a = append(a, attribute.String(pre+"role", "user"), attribute.String(pre+"content", p.text(prompt)))
	}
	for i, t := range r.Tools {
		pre := semconv.Function(i)
		a = append(a,
			attribute.String(pre+"name", t.Name),
			attribute.String(pre+"description", p.text(t.Description)),
			attribute.String(pre+"parameters", p.text(t.Parameters)))
	}
	return a
}

// response appends the completion content of r to a.
func (p contentPolicy) response(a []attribute.KeyValue, r *LLMResponse) []attribute.KeyValue {
	if len(r.Choices) == 0 {
		return a
	}
	if p.otelJSON {
		return p.responseJSON(a, r)
	}
	for i, c := range r.Choices {
		pre := semconv.Completion(i)
		a = p.appendMessage(a, pre, c.Message, true)
		if c.FinishReason != "" {
			a = append(a, attribute.String(pre+"finish_reason", c.FinishReason))
		}
	}
	return a
}

// appendMessage writes one message under pre ("gen_ai.prompt.0." or
// "gen_ai.completion.0."). Completions also carry the tool call type and
// refusals; never a bare gen_ai.completion.
func (p contentPolicy) appendMessage(a []attribute.KeyValue, pre string, m Message, completion bool) []attribute.KeyValue {
	role := m.Role
	if role == "" && completion {
		role = "assistant"
	}
	a = append(a, attribute.String(pre+"role", role))
	if m.Content != "" || len(m.ToolCalls) == 0 {
		a = append(a, attribute.String(pre+"content", p.text(m.Content)))
	}
	if m.ToolCallID != "" && !completion {
		a = append(a, attribute.String(pre+"tool_call_id", m.ToolCallID))
	}
	if m.Refusal != "" && completion {
		a = append(a, attribute.String(pre+"refusal", p.text(m.Refusal)))
	}
	for j, tc := range m.ToolCalls {
		tp := semconv.ToolCallKey(pre, j)
		a = append(a,
			attribute.String(tp+"id", tc.ID),
			attribute.String(tp+"name", tc.Name),
			attribute.String(tp+"arguments", p.text(tc.Arguments)))
		if completion {
			typ := tc.Type
			if typ == "" {
				typ = "function"
			}
			a = append(a, attribute.String(tp+"type", typ))
		}
	}
	return a
}

// The OTel GenAI message shapes.
type (
	otelMessage struct {
		Role         string     `json:"role"`
		Parts        []otelPart `json:"parts"`
		FinishReason string     `json:"finish_reason,omitempty"`
	}
	otelPart struct {
		Type      string `json:"type"`
		Content   string `json:"content,omitempty"`
		ID        string `json:"id,omitempty"`
		Name      string `json:"name,omitempty"`
		Arguments any    `json:"arguments,omitempty"`
		Response  string `json:"response,omitempty"`
	}
	otelTool struct {
		Type        string `json:"type"`
		Name        string `json:"name"`
		Description string `json:"description,omitempty"`
		Parameters  any    `json:"parameters,omitempty"`
	}
)

func (p contentPolicy) requestJSON(a []attribute.KeyValue, r *LLMRequest) []attribute.KeyValue {
	var system []otelPart
	msgs := make([]otelMessage, 0, len(r.Messages)+len(r.Prompts))
	for _, m := range r.Messages {
		if m.Role == "system" || m.Role == "developer" {
			system = append(system, otelPart{Type: "text", Content: p.text(m.Content)})
			continue
		}
		msgs = append(msgs, otelMessage{Role: m.Role, Parts: p.parts(m)})
	}
	for _, prompt := range r.Prompts {
		msgs = append(msgs, otelMessage{Role: "user", Parts: []otelPart{{Type: "text", Content: p.text(prompt)}}})
	}
	if len(msgs) > 0 {
		a = append(a, attribute.String(semconv.InputMessages, marshal(msgs)))
	}
	if len(system) > 0 {
		a = append(a, attribute.String(semconv.SystemInstructions, marshal(system)))
	}
	if len(r.Tools) > 0 {
		tools := make([]otelTool, len(r.Tools))
		for i, t := range r.Tools {
			tools[i] = otelTool{Type: "function", Name: t.Name, Description: p.text(t.Description), Parameters: rawJSON(t.Parameters)}
		}
		a = append(a, attribute.String(semconv.ToolDefinitions, marshal(tools)))
	}
	return a
}

func (p contentPolicy) responseJSON(a []attribute.KeyValue, r *LLMResponse) []attribute.KeyValue {
	msgs := make([]otelMessage, len(r.Choices))
	for i, c := range r.Choices {
		role := c.Message.Role
		if role == "" {
			role = "assistant"
		}
		msgs[i] = otelMessage{Role: role, Parts: p.parts(c.Message), FinishReason: c.FinishReason}
	}
	return append(a, attribute.String(semconv.OutputMessages, marshal(msgs)))
}

// parts is a message in OTel parts: reasoning, text, tool calls, or the
// response to a tool call.
func (p contentPolicy) parts(m Message) []otelPart {
	var parts []otelPart
	if m.Role == "tool" {
		return []otelPart{{Type: "tool_call_response", ID: m.ToolCallID, Response: p.text(m.Content)}}
	}
	if m.Reasoning != "" {
		parts = append(parts, otelPart{Type: "reasoning", Content: p.text(m.Reasoning)})
	}
	if m.Content != "" || (len(m.ToolCalls) == 0 && m.Refusal == "") {
		parts = append(parts, otelPart{Type: "text", Content: p.text(m.Content)})
	}
	if m.Refusal != "" {
		parts = append(parts, otelPart{Type: "refusal", Content: p.text(m.Refusal)})
	}
	for _, tc := range m.ToolCalls {
		parts = append(parts, otelPart{Type: "tool_call", ID: tc.ID, Name: tc.Name, Arguments: rawJSON(p.text(tc.Arguments))})
	}
	return parts
}

// rawJSON keeps valid JSON as JSON and anything else as a string.
func rawJSON(s string) any {
	if s == "" {
		return nil
	}
	if json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	return s
}

// marshal encodes the shapes above, which always encode, without
// escaping < > & (prompts are full of them).
func marshal(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}

// RedactSecrets masks API-key-shaped strings (sk-..., AKIA..., ghp_...),
// bearer tokens, password values and private key blocks in s: the
// redaction the SDK applies to everything it records or uploads (message
// content, tool arguments and results, span inputs and outputs, logs,
// sources, raw bodies), exported for a program's own use. It is safe for
// concurrent use.
func RedactSecrets(s string) string { return redact.String(s) }

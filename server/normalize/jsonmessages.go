package normalize

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/agentops-go/agentops/server/model"
)

// The OTel GenAI form: gen_ai.input.messages and gen_ai.output.messages
// are JSON arrays of {"role", "parts": [...], "finish_reason"}, and
// gen_ai.system_instructions a JSON array of parts. Part types: text
// (content), tool_call (id, name, arguments), tool_call_response (id,
// response), reasoning (content); the SDK also writes refusal.

type jsonMessage struct {
	Role         flexText   `json:"role"`
	Parts        []jsonPart `json:"parts"`
	FinishReason flexText   `json:"finish_reason"`
	// Shapes from before the parts form, seen in the wild.
	Content    flexText `json:"content"`
	ToolCallID flexText `json:"tool_call_id"`
}

type jsonPart struct {
	Type      flexText `json:"type"`
	Content   flexText `json:"content"`
	ID        flexText `json:"id"`
	Name      flexText `json:"name"`
	Arguments flexText `json:"arguments"`
	Response  flexText `json:"response"`
}

// flexText is any JSON value read as text: a string as it is, null as "",
// anything else (tool arguments as an object, a number) as its JSON. It
// never fails, so one odd field does not lose the message.
type flexText string

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexText) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) >= 2 && b[0] == '"':
		if bytes.IndexByte(b, '\\') < 0 {
			// Unmarshal has checked the document: no escapes, so the
			// bytes between the quotes are the string.
			*f = flexText(b[1 : len(b)-1])
			return nil
		}
		var s string
		if json.Unmarshal(b, &s) == nil {
			*f = flexText(s)
		}
	case string(b) == "null":
		*f = ""
	default:
		*f = flexText(b)
	}
	return nil
}

// jsonDocument is the JSON text of an attribute value: a string as it is,
// an array or map (an exporter that sent structure) re-encoded.
func jsonDocument(v any) []byte {
	if s, ok := v.(string); ok {
		return []byte(s)
	}
	return []byte(text(v))
}

// jsonSide is one direction's messages in the JSON form, decoded.
type jsonSide struct {
	msgs    []jsonMessage
	plain   string // the value, when it is not JSON at all
	isPlain bool
}

// decodeJSONMessages decodes v, one direction's messages, with fj when v
// is a string of the usual shapes (the result is then valid until fj is
// reset), else with encoding/json.
func decodeJSONMessages(fj *fastJSON, v any) jsonSide {
	if s, ok := v.(string); ok {
		if msgs, ok := fj.messages(strings.TrimSpace(s)); ok {
			return jsonSide{msgs: msgs}
		}
	}
	doc := bytes.TrimSpace(jsonDocument(v))
	if len(doc) == 0 {
		return jsonSide{}
	}
	var msgs []jsonMessage
	var err error
	switch doc[0] {
	case '[':
		err = json.Unmarshal(doc, &msgs)
	case '{':
		msgs = make([]jsonMessage, 1)
		err = json.Unmarshal(doc, &msgs[0])
	default:
		err = errNotJSON
	}
	var typeErr *json.UnmarshalTypeError
	if err != nil && !errors.As(err, &typeErr) {
		// Not the JSON form: keep the text rather than lose it.
		return jsonSide{plain: string(doc), isPlain: true}
	}
	return jsonSide{msgs: msgs}
}

var errNotJSON = errors.New("not a JSON array or object")

// empty reports whether m is no message at all: a stray number or string
// in the array, decoded as a zero message.
func (m *jsonMessage) empty() bool {
	return m.Role == "" && len(m.Parts) == 0 && m.Content == "" && m.FinishReason == ""
}

// count is how many messages and tool calls js holds.
func (js *jsonSide) count() (msgs, calls int) {
	if js.isPlain {
		return 1, 0
	}
	for k := range js.msgs {
		m := &js.msgs[k]
		if m.empty() {
			continue
		}
		msgs++
		for _, p := range m.Parts {
			if p.Type == "tool_call" {
				calls++
			}
		}
	}
	return msgs, calls
}

// appendTo appends js's messages to out, numbered from first; their tool
// calls are appended to *calls and cut from it.
func (js *jsonSide) appendTo(out []model.Message, dir string, first int, calls *[]model.ToolCall) []model.Message {
	if js.isPlain {
		role := "user"
		if dir == dirOutput {
			role = "assistant"
		}
		return append(out, model.Message{Direction: dir, Index: first, Role: role, Content: js.plain})
	}
	i := first
	for k := range js.msgs {
		m := &js.msgs[k]
		if m.empty() {
			continue
		}
		out = append(out, m.message(dir, i, calls))
		i++
	}
	return out
}

// appendMessages appends the decoded msgs to out, numbered from first.
func appendMessages(out []model.Message, msgs []jsonMessage, dir string, first int) []model.Message {
	var calls []model.ToolCall
	js := jsonSide{msgs: msgs}
	return js.appendTo(out, dir, first, &calls)
}

func (m *jsonMessage) message(dir string, i int, calls *[]model.ToolCall) model.Message {
	msg := model.Message{
		Direction:    dir,
		Index:        i,
		Role:         string(m.Role),
		FinishReason: string(m.FinishReason),
		ToolCallID:   string(m.ToolCallID),
	}
	if msg.Role == "" && dir == dirOutput {
		msg.Role = "assistant"
	}
	var buf [4]string
	texts := buf[:0]
	var refusal string
	start := len(*calls)
	for k := range m.Parts {
		p := &m.Parts[k]
		switch p.Type {
		case "text", "":
			if p.Content != "" {
				texts = append(texts, string(p.Content))
			}
		case "tool_call":
			*calls = append(*calls, model.ToolCall{ID: string(p.ID), Name: string(p.Name), Arguments: string(p.Arguments)})
		case "tool_call_response":
			if msg.ToolCallID == "" {
				msg.ToolCallID = string(p.ID)
			}
			texts = append(texts, string(p.Response))
		case "refusal":
			refusal = string(p.Content)
		}
		// reasoning: model.Message has no place for it yet; uri, blob and
		// file parts are references or binary, not text to show.
	}
	if end := len(*calls); end > start {
		msg.ToolCalls = (*calls)[start:end:end]
	}
	msg.Content = strings.Join(texts, "\n")
	if msg.Content == "" {
		msg.Content = string(m.Content)
	}
	if msg.Content == "" {
		msg.Content = refusal
	}
	return msg
}

// systemMessage is gen_ai.system_instructions as one system message: a
// JSON array of parts (or one part), or plain text.
func systemMessage(v any) (model.Message, bool) {
	content := ""
	var parts []jsonPart
	if s, ok := v.(string); ok {
		parts, _ = fastParts(strings.TrimSpace(s))
	}
	if parts == nil {
		doc := bytes.TrimSpace(jsonDocument(v))
		if len(doc) == 0 {
			return model.Message{}, false
		}
		switch doc[0] {
		case '[':
			_ = json.Unmarshal(doc, &parts) // a type error leaves what it could read
		case '{':
			parts = make([]jsonPart, 1)
			_ = json.Unmarshal(doc, &parts[0])
		default:
			content = string(doc)
		}
	}
	if parts != nil {
		texts := make([]string, 0, len(parts))
		for _, p := range parts {
			if (p.Type == "text" || p.Type == "") && p.Content != "" {
				texts = append(texts, string(p.Content))
			}
		}
		content = strings.Join(texts, "\n")
	}
	if content == "" {
		return model.Message{}, false
	}
	return model.Message{Direction: dirInput, Role: "system", Content: content}, true
}

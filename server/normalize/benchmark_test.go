package normalize

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/agentops-go/agentops/server/model"
)

// benchLLMSpan is a chat call as the SDK records it: the request and
// response scalars in both vocabularies and a 20-message conversation
// with two tool round trips, in the flat form, or in the OTel JSON form.
func benchLLMSpan(jsonForm bool) *model.Span {
	s := llmSpanFlat()
	for k := range s.Attributes {
		if strings.HasPrefix(k, "gen_ai.prompt.") || strings.HasPrefix(k, "gen_ai.completion.") {
			delete(s.Attributes, k)
		}
	}
	text := strings.Repeat("All work and no play makes Jack a dull boy. ", 5) // ~220 bytes
	type part struct {
		Type      string          `json:"type"`
		Content   string          `json:"content,omitempty"`
		ID        string          `json:"id,omitempty"`
		Name      string          `json:"name,omitempty"`
		Arguments json.RawMessage `json:"arguments,omitempty"`
		Response  string          `json:"response,omitempty"`
	}
	type message struct {
		Role         string `json:"role"`
		Parts        []part `json:"parts"`
		FinishReason string `json:"finish_reason,omitempty"`
	}
	var in []message
	for i := range 20 {
		p := "gen_ai.prompt." + strconv.Itoa(i) + "."
		switch {
		case i == 0:
			s.Attributes[p+"role"], s.Attributes[p+"content"] = "system", text
			s.Attributes["gen_ai.system_instructions"] = `[{"type":"text","content":"` + text + `"}]`
			continue
		case i == 6 || i == 12:
			s.Attributes[p+"role"] = "assistant"
			s.Attributes[p+"tool_calls.0.id"] = "call_" + strconv.Itoa(i)
			s.Attributes[p+"tool_calls.0.name"] = "search"
			s.Attributes[p+"tool_calls.0.arguments"] = `{"q":"go books","limit":10}`
			in = append(in, message{Role: "assistant", Parts: []part{{Type: "tool_call", ID: "call_" + strconv.Itoa(i), Name: "search", Arguments: json.RawMessage(`{"q":"go books","limit":10}`)}}})
		case i == 7 || i == 13:
			s.Attributes[p+"role"], s.Attributes[p+"content"] = "tool", text
			s.Attributes[p+"tool_call_id"] = "call_" + strconv.Itoa(i-1)
			in = append(in, message{Role: "tool", Parts: []part{{Type: "tool_call_response", ID: "call_" + strconv.Itoa(i-1), Response: text}}})
		case i%2 == 1:
			s.Attributes[p+"role"], s.Attributes[p+"content"] = "user", text
			in = append(in, message{Role: "user", Parts: []part{{Type: "text", Content: text}}})
		default:
			s.Attributes[p+"role"], s.Attributes[p+"content"] = "assistant", text
			in = append(in, message{Role: "assistant", Parts: []part{{Type: "text", Content: text}}})
		}
	}
	s.Attributes["gen_ai.completion.0.role"] = "assistant"
	s.Attributes["gen_ai.completion.0.content"] = text
	s.Attributes["gen_ai.completion.0.finish_reason"] = "stop"
	if !jsonForm {
		delete(s.Attributes, "gen_ai.system_instructions")
		return s
	}
	for k := range s.Attributes {
		if strings.HasPrefix(k, "gen_ai.prompt.") || strings.HasPrefix(k, "gen_ai.completion.") {
			delete(s.Attributes, k)
		}
	}
	inJSON, _ := json.Marshal(in)
	outJSON, _ := json.Marshal([]message{{Role: "assistant", Parts: []part{{Type: "text", Content: text}}, FinishReason: "stop"}})
	s.Attributes["gen_ai.input.messages"] = string(inJSON)
	s.Attributes["gen_ai.output.messages"] = string(outJSON)
	return s
}

func BenchmarkSpan(b *testing.B) {
	n := New(nil)
	cases := []struct {
		name string
		span *model.Span
	}{
		{"llm-20-messages-flat", benchLLMSpan(false)},
		{"llm-20-messages-otel-json", benchLLMSpan(true)},
		{"tool", toolSpan()},
		{"session", sessionRoot()},
		{"http", &model.Span{Name: "GET", Kind: "client", Attributes: map[string]any{
			"http.request.method": "GET", "url.full": "https://example.com/x", "http.response.status_code": int64(200),
			"server.address": "example.com", "server.port": int64(443),
		}}},
	}
	for _, c := range cases {
		n.Span(c.span) // warm the price cache, as a running server has
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				n.Span(c.span)
			}
		})
	}
}

// BenchmarkSpanParallel is the ingest path's shape: one Normalizer, many
// goroutines.
func BenchmarkSpanParallel(b *testing.B) {
	n := New(nil)
	llm, tool := benchLLMSpan(false), toolSpan()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		l, t := *llm, *tool
		for i := 0; pb.Next(); i++ {
			if i%4 == 0 {
				n.Span(&l)
			} else {
				n.Span(&t)
			}
		}
	})
}

func TestBenchSpansNormalize(t *testing.T) {
	for _, jsonForm := range []bool{false, true} {
		s := benchLLMSpan(jsonForm)
		New(nil).Span(s)
		if got := len(s.Derived.Messages); got != 21 {
			t.Fatalf("json %v: %d messages, want 21: %+v", jsonForm, got, s.Derived.Messages)
		}
	}
}

var sink int

// BenchmarkBaseline is the least any reader of a span's attributes pays:
// one pass over the map. Span's cost is best read against it, in the same
// run, on a busy machine.
func BenchmarkBaseline(b *testing.B) {
	for _, c := range []struct {
		name string
		span *model.Span
	}{{"llm-20-messages-flat", benchLLMSpan(false)}, {"tool", toolSpan()}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for k, v := range c.span.Attributes {
					if v != nil {
						sink += len(k)
					}
				}
			}
		})
	}
}

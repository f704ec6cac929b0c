package api

import (
	"encoding/json"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/agentops-go/agentops/server/model"
)

// The span list and tree are the API's big answers (a megabyte for a
// 1,000-span session), and encoding/json spends most of their time
// reflecting over and sorting the attribute maps. spanEncoder writes the
// same bytes encoding/json would, by hand; TestSpanJSONMatchesEncodingJSON
// fills every field of model.Span by reflection and compares, so a field
// added to the model and not here fails the build's tests.
//
// One difference on purpose: a NaN or infinite float (an OTLP double
// attribute can be one) is written as null, where encoding/json would fail
// the whole answer.
type spanEncoder struct {
	b    []byte
	keys []string // a stack of map keys being sorted, reused across maps
	// w, when set, takes b whenever it passes spillAt between spans, so a
	// tree of megabytes goes out as it is encoded instead of growing (and
	// copying, at each doubling) one buffer the size of the answer.
	w io.Writer
}

// spillAt is how much encoded JSON waits before it is written out.
const spillAt = 64 << 10

// spill writes out what is encoded so far, once there is enough of it.
func (e *spanEncoder) spill() {
	if e.w != nil && len(e.b) >= spillAt {
		_, _ = e.w.Write(e.b) // a client that went away: the rest is written to nobody
		e.b = e.b[:0]
	}
}

func (e *spanEncoder) tree(nodes []*SpanNode) {
	e.b = append(e.b, '[')
	for i, n := range nodes {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.b = append(e.b, '{')
		e.spanFields(n.Span)
		e.spill()
		e.b = append(e.b, `,"children":`...)
		e.tree(n.Children)
		e.b = append(e.b, '}')
	}
	e.b = append(e.b, ']')
}

func (e *spanEncoder) list(spans []model.Span) {
	e.b = append(e.b, '[')
	for i := range spans {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.b = append(e.b, '{')
		e.spanFields(&spans[i])
		e.b = append(e.b, '}')
		e.spill()
	}
	e.b = append(e.b, ']')
}

// spanFields writes the members of s, without braces, in model.Span's
// field order with its tags' omitempty.
func (e *spanEncoder) spanFields(s *model.Span) {
	e.b = append(e.b, `"trace_id":`...)
	e.str(s.TraceID)
	e.b = append(e.b, `,"span_id":`...)
	e.str(s.SpanID)
	e.optStr(`,"parent_span_id":`, s.ParentSpanID)
	e.b = append(e.b, `,"name":`...)
	e.str(s.Name)
	e.b = append(e.b, `,"kind":`...)
	e.str(s.Kind)
	e.b = append(e.b, `,"start":`...)
	e.time(s.Start)
	e.b = append(e.b, `,"end":`...)
	e.time(s.End)
	e.b = append(e.b, `,"status_code":`...)
	e.str(s.StatusCode)
	e.optStr(`,"status_message":`, s.StatusMessage)
	e.b = append(e.b, `,"service":`...)
	e.str(s.Service)
	e.optStr(`,"scope":`, s.Scope)
	e.b = append(e.b, `,"attributes":`...)
	e.object(s.Attributes)
	if len(s.Resource) > 0 {
		e.b = append(e.b, `,"resource":`...)
		e.object(s.Resource)
	}
	if len(s.Events) > 0 {
		e.b = append(e.b, `,"events":[`...)
		for i := range s.Events {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			ev := &s.Events[i]
			e.b = append(e.b, `{"name":`...)
			e.str(ev.Name)
			e.b = append(e.b, `,"time":`...)
			e.time(ev.Time)
			if len(ev.Attributes) > 0 {
				e.b = append(e.b, `,"attributes":`...)
				e.object(ev.Attributes)
			}
			e.b = append(e.b, '}')
		}
		e.b = append(e.b, ']')
	}
	if len(s.Links) > 0 {
		e.b = append(e.b, `,"links":[`...)
		for i := range s.Links {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			l := &s.Links[i]
			e.b = append(e.b, `{"trace_id":`...)
			e.str(l.TraceID)
			e.b = append(e.b, `,"span_id":`...)
			e.str(l.SpanID)
			if len(l.Attributes) > 0 {
				e.b = append(e.b, `,"attributes":`...)
				e.object(l.Attributes)
			}
			e.b = append(e.b, '}')
		}
		e.b = append(e.b, ']')
	}
	e.b = append(e.b, `,"derived":`...)
	e.derived(&s.Derived)
}

func (e *spanEncoder) derived(d *model.Derived) {
	e.b = append(e.b, `{"class":`...)
	e.str(d.Class)
	e.optStr(`,"operation":`, d.Operation)
	e.optStr(`,"label":`, d.Label)
	e.optStr(`,"model":`, d.Model)
	e.optStr(`,"provider":`, d.Provider)
	e.optStr(`,"tool":`, d.Tool)
	e.optInt(`,"input_tokens":`, d.InputTokens)
	e.optInt(`,"output_tokens":`, d.OutputTokens)
	e.optInt(`,"cache_read_tokens":`, d.CacheReadTokens)
	e.optInt(`,"cache_creation_tokens":`, d.CacheCreationTokens)
	e.optInt(`,"reasoning_tokens":`, d.ReasoningTokens)
	e.optFloat(`,"ttft":`, d.TTFT)
	e.optFloat(`,"cost":`, d.Cost)
	e.optStr(`,"cost_source":`, d.CostSource)
	if d.Error {
		e.b = append(e.b, `,"error":true`...)
	}
	e.optStr(`,"error_type":`, d.ErrorType)
	e.optStr(`,"session_name":`, d.SessionName)
	if len(d.Tags) > 0 {
		e.b = append(e.b, `,"tags":[`...)
		for i, t := range d.Tags {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.str(t)
		}
		e.b = append(e.b, ']')
	}
	e.optStr(`,"end_state":`, d.EndState)
	if len(d.Messages) > 0 {
		e.b = append(e.b, `,"messages":[`...)
		for i := range d.Messages {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.message(&d.Messages[i])
		}
		e.b = append(e.b, ']')
	}
	e.optStr(`,"input":`, d.Input)
	e.optStr(`,"output":`, d.Output)
	e.b = append(e.b, '}')
}

func (e *spanEncoder) message(m *model.Message) {
	e.b = append(e.b, `{"direction":`...)
	e.str(m.Direction)
	e.b = append(e.b, `,"index":`...)
	e.b = strconv.AppendInt(e.b, int64(m.Index), 10)
	e.b = append(e.b, `,"role":`...)
	e.str(m.Role)
	e.optStr(`,"content":`, m.Content)
	if len(m.ToolCalls) > 0 {
		e.b = append(e.b, `,"tool_calls":[`...)
		for i := range m.ToolCalls {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			tc := &m.ToolCalls[i]
			e.b = append(e.b, '{')
			if tc.ID != "" {
				e.b = append(e.b, `"id":`...)
				e.str(tc.ID)
				e.b = append(e.b, ',')
			}
			e.b = append(e.b, `"name":`...)
			e.str(tc.Name)
			e.optStr(`,"arguments":`, tc.Arguments)
			e.b = append(e.b, '}')
		}
		e.b = append(e.b, ']')
	}
	e.optStr(`,"tool_call_id":`, m.ToolCallID)
	e.optStr(`,"finish_reason":`, m.FinishReason)
	e.b = append(e.b, '}')
}

func (e *spanEncoder) optStr(key, v string) {
	if v != "" {
		e.b = append(e.b, key...)
		e.str(v)
	}
}

func (e *spanEncoder) optInt(key string, v int64) {
	if v != 0 {
		e.b = append(e.b, key...)
		e.b = strconv.AppendInt(e.b, v, 10)
	}
}

func (e *spanEncoder) optFloat(key string, v float64) {
	if v != 0 {
		e.b = append(e.b, key...)
		e.float(v)
	}
}

// time writes t as time.Time.MarshalJSON does.
func (e *spanEncoder) time(t time.Time) {
	e.b = append(e.b, '"')
	e.b = t.AppendFormat(e.b, time.RFC3339Nano)
	e.b = append(e.b, '"')
}

// object writes a map with its keys sorted, as encoding/json does; nil is
// null.
func (e *spanEncoder) object(m map[string]any) {
	if m == nil {
		e.b = append(e.b, "null"...)
		return
	}
	base := len(e.keys)
	for k := range m {
		e.keys = append(e.keys, k)
	}
	slices.Sort(e.keys[base:])
	e.b = append(e.b, '{')
	for i := base; i < base+len(m); i++ {
		if i > base {
			e.b = append(e.b, ',')
		}
		k := e.keys[i] // re-read: a nested map may have grown e.keys
		e.str(k)
		e.b = append(e.b, ':')
		e.value(m[k])
	}
	e.b = append(e.b, '}')
	e.keys = e.keys[:base]
}

// value writes an attribute value: the types OTLP decoding yields are
// written directly, anything else through encoding/json.
func (e *spanEncoder) value(v any) {
	switch x := v.(type) {
	case nil:
		e.b = append(e.b, "null"...)
	case string:
		e.str(x)
	case bool:
		e.b = strconv.AppendBool(e.b, x)
	case int64:
		e.b = strconv.AppendInt(e.b, x, 10)
	case int:
		e.b = strconv.AppendInt(e.b, int64(x), 10)
	case float64:
		e.float(x)
	case map[string]any:
		e.object(x)
	case []any:
		if x == nil {
			e.b = append(e.b, "null"...)
			return
		}
		e.b = append(e.b, '[')
		for i, y := range x {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.value(y)
		}
		e.b = append(e.b, ']')
	default:
		j, err := json.Marshal(x)
		if err != nil {
			j = []byte("null")
		}
		e.b = append(e.b, j...)
	}
}

// float writes f as encoding/json does (ES6 number formatting), and
// null for NaN and infinities.
func (e *spanEncoder) float(f float64) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		e.b = append(e.b, "null"...)
		return
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	e.b = strconv.AppendFloat(e.b, f, format, -1, 64)
	if format == 'e' {
		// e-09 to e-9
		if n := len(e.b); n >= 4 && e.b[n-4] == 'e' && e.b[n-3] == '-' && e.b[n-2] == '0' {
			e.b[n-2] = e.b[n-1]
			e.b = e.b[:n-1]
		}
	}
}

// htmlSafe are the ASCII bytes encoding/json writes as they are with HTML
// escaping on: not control characters, quote, backslash, <, > or &.
var htmlSafe = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\' && b != '<' && b != '>' && b != '&'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// str writes s quoted exactly as encoding/json does: HTML characters and
// U+2028/U+2029 escaped, invalid UTF-8 replaced by U+FFFD.
func (e *spanEncoder) str(s string) {
	b := append(e.b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if htmlSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	e.b = append(b, '"')
}

// encoders recycles spanEncoders with their buffers.
var encoders = sync.Pool{New: func() any { return new(spanEncoder) }}

// writeSpans answers with spans (a list) or a tree, encoded by hand and
// written as it is encoded (chunked: the length is not known up front).
func writeSpans(w http.ResponseWriter, encode func(*spanEncoder)) {
	e := encoders.Get().(*spanEncoder)
	e.b, e.w = e.b[:0], w
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	encode(e)
	e.b = append(e.b, '\n')
	_, _ = w.Write(e.b)
	e.w = nil
	if cap(e.b) <= maxPooledBuf {
		encoders.Put(e)
	}
}

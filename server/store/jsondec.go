package store

import (
	"errors"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/agentops-go/agentops/server/model"
)

// errSyntax is what a damaged document yields: the decoder never panics
// and never loops on bad input.
var errSyntax = errors.New("store: malformed stored JSON")

// decoder reads the documents jsonenc.go writes (and any other valid JSON,
// with numbers typed as jsonenc.go types them). It is a cursor over one
// byte slice; strings are copied out of it, so the slice may be reused.
type decoder struct {
	b      []byte
	i      int
	err    error
	intern *interner // never nil
	refs   []attrRef
	// msgRefs are message contents stored as attribute keys.
	msgRefs []msgRef
}

type msgRef struct {
	msgs *[]model.Message
	i    int
	key  string
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = errSyntax
	}
	d.i = len(d.b)
}

func (d *decoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, 0 at the end.
func (d *decoder) peek() byte {
	d.ws()
	if d.i >= len(d.b) {
		return 0
	}
	return d.b[d.i]
}

func (d *decoder) expect(c byte) bool {
	if d.peek() != c {
		d.fail()
		return false
	}
	d.i++
	return true
}

func (d *decoder) literal(s string) bool {
	if len(d.b)-d.i < len(s) || string(d.b[d.i:d.i+len(s)]) != s {
		d.fail()
		return false
	}
	d.i += len(s)
	return true
}

// object calls f for each key, positioned at the value; f must consume it.
func (d *decoder) object(f func(key []byte)) {
	if !d.expect('{') {
		return
	}
	if d.peek() == '}' {
		d.i++
		return
	}
	for d.err == nil {
		k := d.rawString()
		if !d.expect(':') {
			return
		}
		f(k)
		switch d.peek() {
		case ',':
			d.i++
		case '}':
			d.i++
			return
		default:
			d.fail()
		}
	}
}

// array calls f for each element; f must consume it.
func (d *decoder) array(f func()) {
	if !d.expect('[') {
		return
	}
	if d.peek() == ']' {
		d.i++
		return
	}
	for d.err == nil {
		f()
		switch d.peek() {
		case ',':
			d.i++
		case ']':
			d.i++
			return
		default:
			d.fail()
		}
	}
}

// rawString returns a string's bytes, unescaped. Without escapes it is a
// sub-slice of the input (valid until the input changes); with escapes, a
// new slice.
func (d *decoder) rawString() []byte {
	if !d.expect('"') {
		return nil
	}
	start := d.i
	for d.i < len(d.b) {
		c := d.b[d.i]
		if c == '"' {
			s := d.b[start:d.i]
			d.i++
			return s
		}
		if c == '\\' {
			return d.escapedString(start)
		}
		d.i++
	}
	d.fail()
	return nil
}

func (d *decoder) escapedString(start int) []byte {
	out := make([]byte, 0, d.i-start+16)
	out = append(out, d.b[start:d.i]...)
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			return out
		case c != '\\':
			out = append(out, c)
			d.i++
			continue
		}
		if d.i+1 >= len(d.b) {
			d.fail()
			return nil
		}
		e := d.b[d.i+1]
		d.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := d.hex4()
			if !ok {
				d.fail()
				return nil
			}
			if utf16.IsSurrogate(r) {
				// A pair, or a lone half (U+FFFD; whatever follows is
				// read on its own).
				save := d.i
				r2 := rune(-1)
				if d.i+1 < len(d.b) && d.b[d.i] == '\\' && d.b[d.i+1] == 'u' {
					d.i += 2
					var ok2 bool
					if r2, ok2 = d.hex4(); !ok2 {
						r2 = -1
					}
				}
				if r = utf16.DecodeRune(r, r2); r == utf8.RuneError {
					d.i = save
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			d.fail()
			return nil
		}
	}
	d.fail()
	return nil
}

func (d *decoder) hex4() (rune, bool) {
	if len(d.b)-d.i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range d.b[d.i : d.i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	d.i += 4
	return r, true
}

func (d *decoder) str() string {
	return d.intern.string(d.rawString())
}

// interner shares the strings that repeat across the spans of one read
// (attribute keys, models, roles, short values): one allocation each
// instead of one per span. The zero value is a no-op; it is not safe for
// concurrent use.
type interner struct {
	m map[string]string
	// kvs is mapValue's scratch: a map is made at its final size.
	kvs []kv
}

const (
	maxInterned    = 64   // longer strings are rarely repeated
	maxInternTable = 8192 // entries per read
)

func newInterner() *interner { return &interner{m: make(map[string]string, 256)} }

func (in *interner) string(b []byte) string {
	if in.m == nil || len(b) > maxInterned {
		return string(b)
	}
	if s, ok := in.m[string(b)]; ok { // no allocation for the lookup
		return s
	}
	s := string(b)
	if len(in.m) < maxInternTable {
		in.m[s] = s
	}
	return s
}

// number reads a number: an int64 when it has neither '.' nor exponent
// (and fits), else a float64.
func (d *decoder) number() any {
	d.ws()
	start := d.i
	isFloat := false
	for d.i < len(d.b) {
		c := d.b[d.i]
		if c >= '0' && c <= '9' || c == '-' || c == '+' {
			d.i++
			continue
		}
		if c == '.' || c == 'e' || c == 'E' {
			isFloat = true
			d.i++
			continue
		}
		break
	}
	num := d.b[start:d.i]
	if len(num) == 0 {
		d.fail()
		return nil
	}
	if !isFloat {
		if n, ok := parseInt(num); ok {
			return n
		}
	}
	f, err := strconv.ParseFloat(string(num), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		d.fail()
		return nil
	}
	return f
}

// parseInt parses a decimal int64 without allocating.
func parseInt(b []byte) (int64, bool) {
	neg := false
	if len(b) > 0 && b[0] == '-' {
		neg = true
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if neg {
		if n > 1<<63 {
			return 0, false
		}
		return -int64(n), true
	}
	if n > math.MaxInt64 {
		return 0, false
	}
	return int64(n), true
}

func (d *decoder) int64() int64 {
	switch v := d.number().(type) {
	case int64:
		return v
	case float64:
		return int64(v)
	}
	return 0
}

func (d *decoder) float64() float64 {
	if d.peek() == '"' { // a non-finite float
		switch d.str() {
		case "NaN":
			return math.NaN()
		case "+Inf":
			return math.Inf(1)
		case "-Inf":
			return math.Inf(-1)
		}
		return 0
	}
	switch v := d.number().(type) {
	case int64:
		return float64(v)
	case float64:
		return v
	}
	return 0
}

func (d *decoder) bool() bool {
	switch d.peek() {
	case 't':
		d.literal("true")
		return true
	case 'f':
		d.literal("false")
	default:
		d.skip()
	}
	return false
}

// value decodes any JSON value into the attribute value types.
func (d *decoder) value(depth int) any {
	if depth > maxDepth+2 {
		d.fail()
		return nil
	}
	switch d.peek() {
	case '"':
		return d.str()
	case '{':
		return d.mapValue(depth)
	case '[':
		a := []any{}
		d.array(func() { a = append(a, d.value(depth+1)) })
		return a
	case 't':
		d.literal("true")
		return true
	case 'f':
		d.literal("false")
		return false
	case 'n':
		d.literal("null")
		return nil
	case 0:
		d.fail()
		return nil
	}
	return d.number()
}

type kv struct {
	k string
	v any
}

func (d *decoder) mapValue(depth int) map[string]any {
	in := d.intern
	base := len(in.kvs) // nested maps stack above their parent's pairs
	d.object(func(k []byte) {
		key := in.string(k)
		v := d.value(depth + 1)
		in.kvs = append(in.kvs, kv{key, v})
	})
	m := make(map[string]any, len(in.kvs)-base)
	for _, e := range in.kvs[base:] {
		m[e.k] = e.v
	}
	clear(in.kvs[base:])
	in.kvs = in.kvs[:base]
	return m
}

// skip consumes one value of any kind.
func (d *decoder) skip() { d.value(0) }

func (d *decoder) strings() []string {
	if d.peek() == 'n' {
		d.literal("null")
		return nil
	}
	s := []string{}
	d.array(func() { s = append(s, d.str()) })
	return s
}

// decodeSpanData fills the parts of sp that appendSpanData wrote. in may
// be nil.
func decodeSpanData(b []byte, sp *model.Span, in *interner) error {
	if in == nil {
		in = &interner{}
	}
	d := decoder{b: b, intern: in}
	d.object(func(k []byte) {
		switch string(k) {
		case "kind":
			sp.Kind = d.str()
		case "status_message":
			sp.StatusMessage = d.str()
		case "scope":
			sp.Scope = d.str()
		case "attributes":
			sp.Attributes = d.mapValue(0)
		case "events":
			sp.Events = []model.Event{}
			d.array(func() {
				var ev model.Event
				d.object(func(k []byte) {
					switch string(k) {
					case "name":
						ev.Name = d.str()
					case "time":
						ev.Time = fromNanos(d.int64())
					case "attributes":
						ev.Attributes = d.mapValue(0)
					default:
						d.skip()
					}
				})
				sp.Events = append(sp.Events, ev)
			})
		case "links":
			sp.Links = []model.Link{}
			d.array(func() {
				var l model.Link
				d.object(func(k []byte) {
					switch string(k) {
					case "trace_id":
						l.TraceID = d.str()
					case "span_id":
						l.SpanID = d.str()
					case "attributes":
						l.Attributes = d.mapValue(0)
					default:
						d.skip()
					}
				})
				sp.Links = append(sp.Links, l)
			})
		case "derived":
			d.derived(&sp.Derived)
		default:
			d.skip()
		}
	})
	if d.err == nil && (len(d.refs) > 0 || len(d.msgRefs) > 0) {
		d.resolve(sp)
	}
	return d.err
}

// attrRef is a derived string stored as the key of the attribute that
// holds it.
type attrRef struct {
	dst *string
	key string
}

// resolve fills the derived strings stored as attribute keys. It runs
// after the whole document, so the order of its keys does not matter;
// the messages slice is complete by then, so the pointers hold.
func (d *decoder) resolve(sp *model.Span) {
	for _, r := range d.refs {
		s, ok := sp.Attributes[r.key].(string)
		if !ok {
			d.fail()
			return
		}
		*r.dst = s
	}
	for _, r := range d.msgRefs {
		s, ok := sp.Attributes[r.key].(string)
		if !ok || r.i >= len(*r.msgs) {
			d.fail()
			return
		}
		(*r.msgs)[r.i].Content = s
	}
}

func (d *decoder) derived(x *model.Derived) {
	d.object(func(k []byte) {
		switch string(k) {
		case "class":
			x.Class = d.str()
		case "operation":
			x.Operation = d.str()
		case "label":
			x.Label = d.str()
		case "model":
			x.Model = d.str()
		case "provider":
			x.Provider = d.str()
		case "tool":
			x.Tool = d.str()
		case "input_tokens":
			x.InputTokens = d.int64()
		case "output_tokens":
			x.OutputTokens = d.int64()
		case "cache_read_tokens":
			x.CacheReadTokens = d.int64()
		case "cache_creation_tokens":
			x.CacheCreationTokens = d.int64()
		case "reasoning_tokens":
			x.ReasoningTokens = d.int64()
		case "ttft":
			x.TTFT = d.float64()
		case "cost":
			x.Cost = d.float64()
		case "cost_source":
			x.CostSource = d.str()
		case "error":
			x.Error = d.bool()
		case "error_type":
			x.ErrorType = d.str()
		case "session_name":
			x.SessionName = d.str()
		case "tags":
			x.Tags = d.strings()
		case "end_state":
			x.EndState = d.str()
		case "messages":
			x.Messages = []model.Message{}
			d.array(func() {
				var m model.Message
				ref := d.message(&m)
				x.Messages = append(x.Messages, m)
				if ref != "" {
					// x.Messages may grow again: point at it once complete.
					d.msgRefs = append(d.msgRefs, msgRef{&x.Messages, len(x.Messages) - 1, ref})
				}
			})
		case "input":
			x.Input = d.str()
		case "output":
			x.Output = d.str()
		case "input_attr":
			d.refs = append(d.refs, attrRef{&x.Input, d.str()})
		case "output_attr":
			d.refs = append(d.refs, attrRef{&x.Output, d.str()})
		default:
			d.skip()
		}
	})
}

// message decodes one message; it returns the attribute key its content
// is stored as, if it is.
func (d *decoder) message(m *model.Message) (contentAttr string) {
	d.object(func(k []byte) {
		switch string(k) {
		case "direction":
			m.Direction = d.str()
		case "index":
			m.Index = int(d.int64())
		case "role":
			m.Role = d.str()
		case "content":
			m.Content = d.str()
		case "content_attr":
			contentAttr = d.str()
		case "tool_calls":
			m.ToolCalls = []model.ToolCall{}
			d.array(func() {
				var tc model.ToolCall
				d.object(func(k []byte) {
					switch string(k) {
					case "id":
						tc.ID = d.str()
					case "name":
						tc.Name = d.str()
					case "arguments":
						tc.Arguments = d.str()
					default:
						d.skip()
					}
				})
				m.ToolCalls = append(m.ToolCalls, tc)
			})
		case "tool_call_id":
			m.ToolCallID = d.str()
		case "finish_reason":
			m.FinishReason = d.str()
		default:
			d.skip()
		}
	})
	return contentAttr
}

// decodeMap decodes an attribute map document (a resource); "null" or an
// empty input is a nil map.
func decodeMap(b []byte) (map[string]any, error) {
	d := decoder{b: b, intern: &interner{}}
	if c := d.peek(); c == 0 || c == 'n' {
		return nil, nil
	}
	m := d.mapValue(0)
	return m, d.err
}

// decodeStrings decodes a JSON array of strings; empty input is nil.
func decodeStrings(b []byte) ([]string, error) {
	d := decoder{b: b, intern: &interner{}}
	if d.peek() == 0 {
		return nil, nil
	}
	s := d.strings()
	return s, d.err
}

// cloneValue deep-copies an attribute value, so spans sharing a decoded
// resource do not share its maps.
func cloneValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return cloneMap(v)
	case []any:
		c := make([]any, len(v))
		for i, e := range v {
			c[i] = cloneValue(e)
		}
		return c
	}
	return v
}

func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = cloneValue(v)
	}
	return c
}

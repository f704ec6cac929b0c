package store

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/agentops-go/agentops/server/model"
)

// The span columns that are not queried are kept as one JSON document per
// span. encoding/json cannot serve here: it decodes every number as
// float64, so an int64 attribute would come back as a float, and its
// reflection costs more than the rest of a write. This encoder writes a
// float so that it always reads back as one (a '.' or an exponent in it),
// an int64 as plain digits, keeps nil and empty maps and slices apart, and
// appends to one buffer per span.

// appendSpanData encodes the parts of sp that have no column of their own.
func appendSpanData(b []byte, sp *model.Span) []byte {
	b = append(b, '{')
	first := true
	key := func(k string) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, k)
		b = append(b, ':')
	}
	if sp.Kind != "" {
		key("kind")
		b = appendString(b, sp.Kind)
	}
	if sp.StatusMessage != "" {
		key("status_message")
		b = appendString(b, sp.StatusMessage)
	}
	if sp.Scope != "" {
		key("scope")
		b = appendString(b, sp.Scope)
	}
	// Long string attributes, which derived fields often repeat (the
	// messages of an LLM call are its gen_ai.prompt/completion
	// attributes): a derived string equal to one is stored as the
	// attribute's key. It halves an LLM span.
	var refs attrRefs
	if sp.Attributes != nil {
		key("attributes")
		b = append(b, '{')
		n := 0
		for k, v := range sp.Attributes {
			if n > 0 {
				b = append(b, ',')
			}
			n++
			b = appendString(b, k)
			b = append(b, ':')
			if s, ok := v.(string); ok {
				refs.add(k, s)
				b = appendString(b, s)
				continue
			}
			b = appendValue(b, v, 1)
		}
		b = append(b, '}')
	}
	if sp.Events != nil {
		key("events")
		b = append(b, '[')
		for i := range sp.Events {
			if i > 0 {
				b = append(b, ',')
			}
			ev := &sp.Events[i]
			b = append(b, `{"name":`...)
			b = appendString(b, ev.Name)
			b = append(b, `,"time":`...)
			b = strconv.AppendInt(b, unixNanos(ev.Time), 10)
			if ev.Attributes != nil {
				b = append(b, `,"attributes":`...)
				b = appendMap(b, ev.Attributes, 0)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if sp.Links != nil {
		key("links")
		b = append(b, '[')
		for i := range sp.Links {
			if i > 0 {
				b = append(b, ',')
			}
			l := &sp.Links[i]
			b = append(b, `{"trace_id":`...)
			b = appendString(b, l.TraceID)
			b = append(b, `,"span_id":`...)
			b = appendString(b, l.SpanID)
			if l.Attributes != nil {
				b = append(b, `,"attributes":`...)
				b = appendMap(b, l.Attributes, 0)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	key("derived")
	b = appendDerived(b, &sp.Derived, &refs)
	return append(b, '}')
}

// minRefLen is the shortest string worth a reference.
const minRefLen = 48

// attrRefs are a span's long string attributes, for derived strings to
// refer to.
type attrRefs struct {
	keys, values []string
	buf          [16]string
	vbuf         [16]string
}

func (r *attrRefs) add(k, v string) {
	if len(v) < minRefLen {
		return
	}
	if r.keys == nil {
		r.keys, r.values = r.buf[:0], r.vbuf[:0]
	}
	r.keys = append(r.keys, k)
	r.values = append(r.values, v)
}

// lookup returns the key of an attribute whose value is s.
func (r *attrRefs) lookup(s string) (string, bool) {
	if r == nil || len(s) < minRefLen {
		return "", false
	}
	for i, v := range r.values {
		if len(v) == len(s) && v == s {
			return r.keys[i], true
		}
	}
	return "", false
}

func appendDerived(b []byte, d *model.Derived, refs *attrRefs) []byte {
	b = append(b, '{')
	first := true
	key := func(k string) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, k)
		b = append(b, ':')
	}
	str := func(k, v string) {
		if v != "" {
			key(k)
			b = appendString(b, v)
		}
	}
	num := func(k string, v int64) {
		if v != 0 {
			key(k)
			b = strconv.AppendInt(b, v, 10)
		}
	}
	flt := func(k string, v float64) {
		if v != 0 {
			key(k)
			b = appendFloat(b, v)
		}
	}
	str("class", d.Class)
	str("operation", d.Operation)
	str("label", d.Label)
	str("model", d.Model)
	str("provider", d.Provider)
	str("tool", d.Tool)
	num("input_tokens", d.InputTokens)
	num("output_tokens", d.OutputTokens)
	num("cache_read_tokens", d.CacheReadTokens)
	num("cache_creation_tokens", d.CacheCreationTokens)
	num("reasoning_tokens", d.ReasoningTokens)
	flt("ttft", d.TTFT)
	flt("cost", d.Cost)
	str("cost_source", d.CostSource)
	if d.Error {
		key("error")
		b = append(b, "true"...)
	}
	str("error_type", d.ErrorType)
	str("session_name", d.SessionName)
	if d.Tags != nil {
		key("tags")
		b = appendStrings(b, d.Tags)
	}
	str("end_state", d.EndState)
	if d.Messages != nil {
		key("messages")
		b = append(b, '[')
		for i := range d.Messages {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendMessage(b, &d.Messages[i], refs)
		}
		b = append(b, ']')
	}
	text := func(k, v string) {
		if k2, ok := refs.lookup(v); ok {
			key(k + "_attr")
			b = appendString(b, k2)
			return
		}
		str(k, v)
	}
	text("input", d.Input)
	text("output", d.Output)
	return append(b, '}')
}

func appendMessage(b []byte, m *model.Message, refs *attrRefs) []byte {
	b = append(b, `{"direction":`...)
	b = appendString(b, m.Direction)
	b = append(b, `,"index":`...)
	b = strconv.AppendInt(b, int64(m.Index), 10)
	b = append(b, `,"role":`...)
	b = appendString(b, m.Role)
	if k, ok := refs.lookup(m.Content); ok {
		b = append(b, `,"content_attr":`...)
		b = appendString(b, k)
	} else if m.Content != "" {
		b = append(b, `,"content":`...)
		b = appendString(b, m.Content)
	}
	if m.ToolCalls != nil {
		b = append(b, `,"tool_calls":[`...)
		for i := range m.ToolCalls {
			if i > 0 {
				b = append(b, ',')
			}
			tc := &m.ToolCalls[i]
			b = append(b, `{"name":`...)
			b = appendString(b, tc.Name)
			if tc.ID != "" {
				b = append(b, `,"id":`...)
				b = appendString(b, tc.ID)
			}
			if tc.Arguments != "" {
				b = append(b, `,"arguments":`...)
				b = appendString(b, tc.Arguments)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if m.ToolCallID != "" {
		b = append(b, `,"tool_call_id":`...)
		b = appendString(b, m.ToolCallID)
	}
	if m.FinishReason != "" {
		b = append(b, `,"finish_reason":`...)
		b = appendString(b, m.FinishReason)
	}
	return append(b, '}')
}

func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// maxDepth bounds the nesting of attribute values, so a cyclic map (which
// OTLP cannot produce, but a caller could) ends in a string, not a stack
// overflow.
const maxDepth = 64

// appendMap encodes an attribute map. Keys are written in map order:
// sorting is left to appendSortedMap, for the few maps whose bytes must be
// stable.
func appendMap(b []byte, m map[string]any, depth int) []byte {
	b = append(b, '{')
	first := true
	for k, v := range m {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, k)
		b = append(b, ':')
		b = appendValue(b, v, depth+1)
	}
	return append(b, '}')
}

// appendSortedMap is appendMap with sorted keys (at the top level), for
// maps whose encoding is hashed.
func appendSortedMap(b []byte, m map[string]any) []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendValue(b, m[k], 1)
	}
	return append(b, '}')
}

// appendValue encodes one attribute value. The types OTLP decoding yields
// round-trip exactly; anything else is written as the closest of them
// (other integers as int64, other slices as []any, the rest as its
// fmt.Sprint text) rather than failing the batch.
func appendValue(b []byte, v any, depth int) []byte {
	if depth > maxDepth {
		return appendString(b, "<too deep>")
	}
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendString(b, v)
	case bool:
		if v {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case int64:
		return strconv.AppendInt(b, v, 10)
	case float64:
		return appendFloat(b, v)
	case []any:
		if v == nil {
			return append(b, "null"...)
		}
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, e, depth+1)
		}
		return append(b, ']')
	case map[string]any:
		if v == nil {
			return append(b, "null"...)
		}
		return appendMap(b, v, depth)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case int32:
		return strconv.AppendInt(b, int64(v), 10)
	case uint32:
		return strconv.AppendInt(b, int64(v), 10)
	case float32:
		return appendFloat(b, float64(v))
	case []string:
		return appendStrings(b, v)
	case []byte:
		return appendString(b, string(v))
	case time.Time:
		return appendString(b, v.Format(time.RFC3339Nano))
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(b, rv.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u := rv.Uint()
		if u > math.MaxInt64 {
			return appendFloat(b, float64(u))
		}
		return strconv.AppendInt(b, int64(u), 10)
	case reflect.Float32, reflect.Float64:
		return appendFloat(b, rv.Float())
	case reflect.Bool:
		if rv.Bool() {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case reflect.String:
		return appendString(b, rv.String())
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return append(b, "null"...)
		}
		b = append(b, '[')
		for i := 0; i < rv.Len(); i++ {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, rv.Index(i).Interface(), depth+1)
		}
		return append(b, ']')
	}
	return appendString(b, fmt.Sprint(v))
}

// appendFloat writes f so that it reads back as a float64: with a '.' or
// an exponent. JSON has no NaN or infinities; they are kept as the strings
// "NaN", "+Inf" and "-Inf".
func appendFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(b, `"+Inf"`...)
	case math.IsInf(f, -1):
		return append(b, `"-Inf"`...)
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, 'g', -1, 64)
	for _, c := range b[start:] {
		if c == '.' || c == 'e' || c == 'E' {
			return b
		}
	}
	return append(b, ".0"...)
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string. Invalid UTF-8 becomes U+FFFD, as
// encoding/json does: the document stays valid JSON. Most of a span's
// bytes are plain ASCII text, skipped eight bytes at a time.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		for i+8 <= len(s) && !needsEscape(load64(s, i)) {
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func load64(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// needsEscape reports whether any byte of x may need more than a copy: a
// control character, '"', '\\', or a non-ASCII byte (false positives only
// cost the slow path).
func needsEscape(x uint64) bool {
	const lsb, msb = 0x0101010101010101, 0x8080808080808080
	ctl := (x - 0x20*lsb) & ^x
	q := x ^ ('"' * lsb)
	bs := x ^ ('\\' * lsb)
	return (ctl|(q-lsb)&^q|(bs-lsb)&^bs|x)&msb != 0
}

// unixNanos is t as Unix nanoseconds, 0 for the zero time (and for times
// outside what int64 nanoseconds can hold, which only odd input has).
func unixNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	y := t.Year()
	if y < 1678 || y > 2261 {
		return 0
	}
	return t.UnixNano()
}

// fromNanos is the inverse of unixNanos, in UTC.
func fromNanos(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

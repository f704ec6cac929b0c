package normalize

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// Attribute values arrive as whatever the exporter chose: OTLP gives
// string, bool, int64, float64, []any and map[string]any, and instrumentations
// put numbers in strings. These helpers read them without trusting them.

// text is v as display text: a string as it is, a number or bool in its
// usual form, an array or map as JSON; "" for nil or what cannot be shown.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case []byte:
		return string(x)
	}
	// JSON detects cycles, where fmt would recurse until the stack ran out.
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return ""
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// maxExactFloat bounds the floats converted to int64 (2^63 is not one).
const maxExactFloat = 1 << 63

// count reads a token count: a non-negative integer, or a float or numeric
// string holding one (fractions are dropped).
func count(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, x >= 0
	case int:
		return int64(x), x >= 0
	case int32:
		return int64(x), x >= 0
	case uint32:
		return int64(x), true
	case uint64:
		return int64(x), x <= math.MaxInt64
	case float64:
		return floatCount(x)
	case float32:
		return floatCount(float64(x))
	case json.Number:
		return parseCount(string(x))
	case string:
		return parseCount(x)
	}
	return 0, false
}

func floatCount(f float64) (int64, bool) {
	if !(f >= 0 && f < maxExactFloat) { // false for NaN too
		return 0, false
	}
	return int64(f), true
}

func parseCount(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, n >= 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	return floatCount(f)
}

// amount reads a non-negative finite number: seconds, dollars.
func amount(v any) (float64, bool) {
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case float32:
		f = float64(x)
	case int64:
		f = float64(x)
	case int:
		f = float64(x)
	case int32:
		f = float64(x)
	case uint32:
		f = float64(x)
	case uint64:
		f = float64(x)
	case json.Number:
		return parseAmount(string(x))
	case string:
		return parseAmount(x)
	default:
		return 0, false
	}
	return f, f >= 0 && !math.IsInf(f, 1)
}

func parseAmount(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, false
	}
	return f, f >= 0 && !math.IsInf(f, 1)
}

// stringList reads a list of strings: an array, or a string holding a JSON
// array or a comma-separated list. Empty items are dropped.
func stringList(v any) []string {
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	switch x := v.(type) {
	case []any:
		out = make([]string, 0, len(x))
		for _, item := range x {
			add(text(item))
		}
	case []string:
		out = make([]string, 0, len(x))
		for _, item := range x {
			add(item)
		}
	case string:
		s := strings.TrimSpace(x)
		if strings.HasPrefix(s, "[") {
			var items []any
			if json.Unmarshal([]byte(s), &items) == nil {
				return stringList(items)
			}
		}
		for item := range strings.SplitSeq(s, ",") {
			add(item)
		}
	default:
		add(text(v))
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

package api

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/server/model"
)

// fill sets every field reachable from v to a non-zero value, so that a
// field the hand-written encoder does not know shows up in the comparison
// with encoding/json.
func fill(v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("v<&>\"\\\n\u2028é")
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(7 + depth))
	case reflect.Float64:
		v.SetFloat(0.125 + float64(depth))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2025, 3, 1, 12, 0, 0, 123456789, time.FixedZone("x", 3600))))
			return
		}
		for i := range v.NumField() {
			fill(v.Field(i), depth+1)
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Map:
		if v.Type() != reflect.TypeFor[map[string]any]() {
			panic("fill: a map of another type: " + v.Type().String())
		}
		v.Set(reflect.ValueOf(attrSample()))
	default:
		panic("fill: a field of kind " + v.Kind().String() + ": teach spanEncoder and fill about it")
	}
}

// attrSample holds every value type OTLP decoding yields, and some that
// only a store could.
func attrSample() map[string]any {
	return map[string]any{
		"s": "text <b>", "b": false, "i": int64(-42), "f": 1e21, "g": 1e-7, "h": 0.1, "z": 0.0,
		"list":   []any{"a", int64(1), 2.5, true, nil, []any{}, map[string]any{"deep": "x"}},
		"nested": map[string]any{"b": map[string]any{"c": []any{int64(1)}}, "a": "first"},
		"null":   nil, "int": 3, "strs": []string{"x", "y"}, "emptymap": map[string]any{}, "nillist": []any(nil),
		"\u00e9\u2029key": "odd key",
	}
}

func encodeList(spans []model.Span) string {
	var e spanEncoder
	e.list(spans)
	return string(e.b)
}

func TestSpanJSONMatchesEncodingJSON(t *testing.T) {
	var full model.Span
	fill(reflect.ValueOf(&full).Elem(), 0)
	for name, spans := range map[string][]model.Span{
		"every field set":   {full},
		"every field zero":  {{}},
		"fixture":           fixtureSpans(),
		"a realistic batch": benchSpans(200),
		"none":              {},
	} {
		want, err := json.Marshal(spans)
		require.NoError(t, err)
		assert.Equal(t, string(want), encodeList(spans), name)
	}
}

func TestSpanTreeJSONMatchesEncodingJSON(t *testing.T) {
	for name, spans := range map[string][]model.Span{
		"fixture with an orphan": fixtureSpans(),
		"a realistic session":    benchSpans(300),
		"empty":                  nil,
	} {
		tree := BuildTree(spans)
		want, err := json.Marshal(tree)
		require.NoError(t, err)
		var e spanEncoder
		e.tree(tree)
		assert.Equal(t, string(want), string(e.b), name)
	}
}

func TestSpanJSONFloats(t *testing.T) {
	for _, f := range []float64{0, 1, -1, 0.1, 1e20, 1e21, 1e-6, 1e-7, 123456789.123, 5e-324, math.MaxFloat64, -1.5e-9, 3.0e100} {
		want, err := json.Marshal(f)
		require.NoError(t, err)
		var e spanEncoder
		e.float(f)
		assert.Equal(t, string(want), string(e.b), "%v", f)
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		var e spanEncoder
		e.value(map[string]any{"x": f})
		assert.Equal(t, `{"x":null}`, string(e.b), "one bad float does not fail the whole answer")
	}
}

func FuzzSpanJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", "<script>&</script>", "\x00\x1f\x7f", "\xff\xfe", "é\u2028\u2029", "\"\\\b\f\n\r\t", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var e spanEncoder
		e.str(s)
		if string(e.b) != string(want) {
			t.Fatalf("str(%q) = %s, encoding/json: %s", s, e.b, want)
		}
	})
}

func FuzzSpanJSONFloat(f *testing.F) {
	for _, x := range []float64{0, 1e21, 1e-7, 0.3} {
		f.Add(x)
	}
	f.Fuzz(func(t *testing.T, x float64) {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return
		}
		want, _ := json.Marshal(x)
		var e spanEncoder
		e.float(x)
		if string(e.b) != string(want) {
			t.Fatalf("float(%v) = %s, encoding/json: %s", x, e.b, want)
		}
	})
}

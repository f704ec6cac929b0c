package store

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/server/model"
)

func TestSpanDataIsJSON(t *testing.T) {
	sp := fullSpan(traceID(1))
	b := appendSpanData(nil, &sp)
	require.True(t, json.Valid(b), "%s", b)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(b, &doc))
	d := doc["derived"].(map[string]any)
	assert.Equal(t, "llm", d["class"])
	// A message that repeats a long attribute names it instead.
	long := strings.Repeat("x", minRefLen)
	sp.Attributes["gen_ai.prompt.0.content"] = long
	sp.Derived.Messages[0].Content = long
	b = appendSpanData(nil, &sp)
	require.NoError(t, json.Unmarshal(b, &doc))
	msgs := doc["derived"].(map[string]any)["messages"].([]any)
	assert.Equal(t, "gen_ai.prompt.0.content", msgs[0].(map[string]any)["content_attr"])
	var back model.Span
	require.NoError(t, decodeSpanData(b, &back, nil))
	assert.Equal(t, long, back.Derived.Messages[0].Content)
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{
		"", "plain", `"quoted"`, `back\slash`, "tab\tnew\nline\r", "\x00\x01\x1f\x7f",
		"é世界😀", "bad \xff utf8 \xc3", "exactly8", "seven77", "sixteen bytes!!!", "<html>&amp;",
		"\u2028\u2029", strings.Repeat("a\"", 20), strings.Repeat("é", 9),
	} {
		b := appendString(nil, s)
		require.True(t, json.Valid(b), "%q -> %s", s, b)
		var back string
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, replaceInvalid(s), back, "%q", s)
		d := decoder{b: b, intern: &interner{}}
		assert.Equal(t, back, d.str())
	}
}

// replaceInvalid replaces each byte of invalid UTF-8 with U+FFFD, as
// encoding/json does.
func replaceInvalid(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString("\uFFFD")
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func TestNeedsEscape(t *testing.T) {
	for c := range 256 {
		want := c < 0x20 || c == '"' || c == '\\' || c >= 0x80
		for pos := range 8 {
			x := uint64(0x6161616161616161) // "aaaaaaaa"
			x &^= 0xff << (8 * pos)
			x |= uint64(c) << (8 * pos)
			if want {
				assert.True(t, needsEscape(x), "byte %#x at %d", c, pos)
			}
		}
	}
	assert.False(t, needsEscape(0x6161616161616161))
}

func TestDecoderRejectsDamage(t *testing.T) {
	sp := fullSpan(traceID(1))
	good := appendSpanData(nil, &sp)
	for i := range good {
		var out model.Span
		_ = decodeSpanData(good[:i], &out, nil) // no panic, no hang
	}
	for _, bad := range []string{"", "{", `{"attributes":`, `{"attributes":{"a":}}`, `{"derived":{"messages":[{"content_attr":"missing"}]}}`,
		`{"attributes":{"a":"\u12"}}`, `[`, `nul`, strings.Repeat("[", 10000)} {
		var out model.Span
		assert.Error(t, decodeSpanData([]byte(bad), &out, nil), "%q", bad)
	}
}

func TestDecoderReadsForeignJSON(t *testing.T) {
	// Valid JSON from elsewhere (json_set, a hand edit) reads back too.
	var sp model.Span
	require.NoError(t, decodeSpanData([]byte(` { "attributes" : { "n" : 1 , "f" : 1.5e3 , "s" : "a\/b\u00e9\ud83d\ude00" , "neg": -7 } , "unknown" : [1, {"x": null}], "derived": {"class": "tool", "error": true} } `), &sp, nil))
	assert.Equal(t, map[string]any{"n": int64(1), "f": 1500.0, "s": "a/bé😀", "neg": int64(-7)}, sp.Attributes)
	assert.Equal(t, "tool", sp.Derived.Class)
	assert.True(t, sp.Derived.Error)
}

func FuzzSpanDataRoundTrip(f *testing.F) {
	f.Add("key", "value", int64(1), 1.5, "content", true)
	f.Add("", "", int64(0), 0.0, "", false)
	f.Add("gen_ai.prompt.0.content", strings.Repeat("long text ", 10), int64(math.MinInt64), math.Inf(1), "\x00\"\\", true)
	f.Add("é", "\xff\xfe", int64(-1), math.Copysign(0, -1), strings.Repeat("long text ", 10), false)
	f.Fuzz(func(t *testing.T, key, value string, n int64, x float64, content string, flag bool) {
		sp := model.Span{
			Kind: key, StatusMessage: value,
			Attributes: map[string]any{key: value, key + ".n": n, key + ".x": x, key + ".b": flag,
				key + ".a": []any{value, n, map[string]any{value: x}}},
			Events: []model.Event{{Name: value, Time: at(int(n % 1000)), Attributes: map[string]any{key: content}}},
			Derived: model.Derived{Class: key, Input: value, Output: content, Cost: x, Error: flag,
				Messages: []model.Message{{Role: key, Content: content, ToolCalls: []model.ToolCall{{Name: value, Arguments: content}}}}},
		}
		b := appendSpanData(nil, &sp)
		require.True(t, json.Valid(b), "%s", b)
		var back model.Span
		require.NoError(t, decodeSpanData(b, &back, newInterner()))

		// Strings come back with invalid UTF-8 replaced; floats that JSON
		// cannot hold come back as their names.
		valid := replaceInvalid
		fix := func(v float64) any {
			switch {
			case math.IsNaN(v):
				return "NaN"
			case math.IsInf(v, 1):
				return "+Inf"
			case math.IsInf(v, -1):
				return "-Inf"
			}
			return v
		}
		want := map[string]any{}
		for k, v := range sp.Attributes {
			switch v := v.(type) {
			case string:
				want[valid(k)] = valid(v)
			case float64:
				want[valid(k)] = fix(v)
			case []any:
				want[valid(k)] = []any{valid(value), n, map[string]any{valid(value): fix(x)}}
			default:
				want[valid(k)] = v
			}
		}
		assert.Equal(t, want, back.Attributes)
		assert.Equal(t, valid(content), back.Derived.Messages[0].Content)
		assert.Equal(t, valid(value), back.Derived.Input)
		assert.Equal(t, valid(content), back.Derived.Output)
		assert.Equal(t, flag, back.Derived.Error)
		if !math.IsNaN(x) {
			assert.Equal(t, x, back.Derived.Cost)
		}
	})
}

func FuzzDecodeSpanData(f *testing.F) {
	sp := fullSpan(traceID(1))
	f.Add(appendSpanData(nil, &sp))
	f.Add([]byte(`{"attributes":{"a":[1,2,{"b":null}]},"derived":{"messages":[{"content_attr":"a"}]}}`))
	f.Add([]byte(`{"events":[{"time":-1}],"links":[{}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var out model.Span
		_ = decodeSpanData(b, &out, newInterner()) // must not panic or hang
		_, _ = decodeMap(b)
		_, _ = decodeStrings(b)
	})
}

package normalize

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/server/model"
)

// slowMessages is what encoding/json reads from doc, the reference the
// fast reader must match; ok is false when encoding/json reports any error.
func slowMessages(doc string) ([]model.Message, bool) {
	var msgs []jsonMessage
	var err error
	switch {
	case strings.HasPrefix(doc, "["):
		err = json.Unmarshal([]byte(doc), &msgs)
	case strings.HasPrefix(doc, "{"):
		msgs = make([]jsonMessage, 1)
		err = json.Unmarshal([]byte(doc), &msgs[0])
	default:
		return nil, false
	}
	if err != nil {
		return nil, false
	}
	return appendMessages(nil, msgs, dirInput, 0), true
}

func slowParts(doc string) ([]jsonPart, bool) {
	var parts []jsonPart
	var err error
	switch {
	case strings.HasPrefix(doc, "["):
		err = json.Unmarshal([]byte(doc), &parts)
	case strings.HasPrefix(doc, "{"):
		parts = make([]jsonPart, 1)
		err = json.Unmarshal([]byte(doc), &parts[0])
	default:
		return nil, false
	}
	return parts, err == nil
}

var jsonSeeds = []string{
	`[]`,
	`{}`,
	`[{"role":"user","parts":[{"type":"text","content":"hi"}]}]`,
	`[{"role":"assistant","parts":[{"type":"tool_call","id":"c1","name":"search","arguments":{"q":"go","n":[1,2.5e3,-0,true,null]}}],"finish_reason":"tool_calls"}]`,
	`[{"role":"tool","parts":[{"type":"tool_call_response","id":"c1","response":{"ok":true}}]}]`,
	`[{"ROLE":"user","Parts":[{"TYPE":"text","Content":"case"}]}]`,
	`[{"role":"user","parts":[{"type":"text","content":"esc \"q\" \\ \/ \b\f\n\r\t \u00e9 \ud83d\ude00 \ud800 \udc00x \u0041"}]}]`,
	"[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"raw \xff\xfe bytes\"}]}]",
	"[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"esc\\n and \xff\"}]}]",
	`[{"role":"user","parts":null,"content":"old"}]`,
	`[{"role":"user","parts":[],"extra":{"a":[{"b":null}]},"finish_reason":null}]`,
	`[{"role":"user","parts":[{"type":"text","content":"a"}],"parts":[{"id":"x"}]}]`,
	`[{"role":1,"parts":[{"type":2,"content":3.5}]}]`,
	`[{"role":"user"},]`,
	`[{"role":"user"}] x`,
	`[{"role":"us` + "\n" + `er"}]`,
	`[{"ro\u006ce":"user"}]`,
	`[{"rôle":"user"}]`,
	`[1]`,
	`[{"parts":"nope"}]`,
	`[{"parts":[1]}]`,
	`[null]`,
	`[{"a":01}]`,
	`[{"a":1.}]`,
	`[{"a":-}]`,
	`[{"a":tru}]`,
	`[{"a":"\x"}]`,
	`[{"a":"\u12"}]`,
	`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
	` [ { "role" : "user" , "parts" : [ { "type" : "text" , "content" : "spaced" } ] } ] `,
}

func TestFastJSONMatchesEncodingJSON(t *testing.T) {
	for _, doc := range jsonSeeds {
		checkFastMessages(t, doc)
		checkFastParts(t, doc)
	}
	// The common shapes take the fast path.
	for _, doc := range jsonSeeds[:11] {
		_, ok := fastMessages(strings.TrimSpace(doc))
		assert.Truef(t, ok, "fast path for %s", doc)
	}
}

func checkFastMessages(t *testing.T, doc string) {
	t.Helper()
	doc = strings.TrimSpace(doc)
	msgs, ok := fastMessages(doc)
	if !ok {
		return // encoding/json decides
	}
	want, wantOK := slowMessages(doc)
	require.Truef(t, wantOK, "the fast reader accepted what encoding/json rejects: %q", doc)
	got := appendMessages(nil, msgs, dirInput, 0)
	require.Equalf(t, want, got, "doc %q", doc)
}

func checkFastParts(t *testing.T, doc string) {
	t.Helper()
	doc = strings.TrimSpace(doc)
	parts, ok := fastParts(doc)
	if !ok {
		return
	}
	want, wantOK := slowParts(doc)
	require.Truef(t, wantOK, "the fast reader accepted what encoding/json rejects: %q", doc)
	if len(want) == 0 && len(parts) == 0 {
		return
	}
	require.Equalf(t, want, parts, "doc %q", doc)
}

func FuzzFastJSON(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		checkFastMessages(t, doc)
		checkFastParts(t, doc)
	})
}

func TestUnescape(t *testing.T) {
	tests := []struct{ in, want string }{
		{`a\nb`, "a\nb"},
		{`\u00e9`, "é"},
		{`\ud83d\ude00`, "😀"},
		{`\ud83d`, "\uFFFD"},
		{`\ud83dx`, "\uFFFDx"},
		{`\ud83d\u0041`, "\uFFFDA"},
		{"\xff\\n", "\uFFFD\n"},
	}
	for _, tt := range tests {
		got, ok := unescape(tt.in)
		require.True(t, ok, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
		var ref string
		require.NoError(t, json.Unmarshal([]byte(`"`+tt.in+`"`), &ref))
		assert.Equal(t, ref, got, "as encoding/json")
	}
	for _, bad := range []string{`\`, `\x`, `\u12`, `\u12g4`, "a\x01"} {
		_, ok := unescape(bad)
		assert.False(t, ok, bad)
	}
}

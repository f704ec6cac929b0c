package normalize

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/server/model"
)

// The fuzz input is a span in a line format, so that seeds are readable
// and mutations still reach every attribute shape:
//
//	@name=chat gpt-4o           the span name (also @status, @parent)
//	@event=<type><payload>      an "exception" event whose exception.type is the value
//	key=<type><payload>         an attribute
//
// Types: s string, q Go-quoted string, i int64, f float64 (NaN, Inf too),
// b bool, n nil, a []any of the comma-separated items, j []string, m a map
// holding the payload, d the payload nested 64 levels deep, c a cyclic map,
// u uint64, k int, e json-ish strings.
func spanFromBytes(data []byte) *model.Span {
	s := &model.Span{Attributes: map[string]any{}}
	for line := range strings.SplitSeq(string(data), "\n") {
		key, raw, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		v := fuzzValue(raw)
		switch key {
		case "@name":
			s.Name = raw
		case "@status":
			s.StatusCode = raw
		case "@parent":
			s.ParentSpanID = raw
		case "@event":
			s.Events = append(s.Events, model.Event{Name: "exception", Attributes: map[string]any{"exception.type": v}})
		case "@nilattrs":
			s.Attributes = nil
		default:
			if s.Attributes != nil {
				s.Attributes[key] = v
			}
		}
	}
	return s
}

func fuzzValue(raw string) any {
	if raw == "" {
		return ""
	}
	typ, p := raw[0], raw[1:]
	switch typ {
	case 's':
		return p
	case 'q':
		if u, err := strconv.Unquote(p); err == nil {
			return u
		}
		return p
	case 'i':
		n, _ := strconv.ParseInt(p, 10, 64)
		return n
	case 'u':
		n, _ := strconv.ParseUint(p, 10, 64)
		return n
	case 'k':
		n, _ := strconv.Atoi(p)
		return n
	case 'f':
		x, _ := strconv.ParseFloat(p, 64)
		return x
	case 'b':
		return p == "true"
	case 'n':
		return nil
	case 'a':
		var items []any
		for item := range strings.SplitSeq(p, ",") {
			items = append(items, fuzzValue(item))
		}
		return items
	case 'j':
		return strings.Split(p, ",")
	case 'm':
		return map[string]any{p: fuzzValue(p), "": []any{p}}
	case 'd':
		var v any = p
		for range 64 {
			v = []any{map[string]any{"x": v}}
		}
		return v
	case 'c':
		m := map[string]any{"k": p}
		m["self"] = m
		return m
	case 'e':
		return []byte(p)
	}
	return raw
}

func spanToBytes(s *model.Span) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "@name=%s\n@status=%s\n", s.Name, s.StatusCode)
	if s.ParentSpanID != "" {
		fmt.Fprintf(&b, "@parent=%s\n", s.ParentSpanID)
	}
	keys := make([]string, 0, len(s.Attributes))
	for k := range s.Attributes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b.WriteString(k + "=")
		switch v := s.Attributes[k].(type) {
		case string:
			b.WriteString("q" + strconv.Quote(v))
		case int64:
			b.WriteString("i" + strconv.FormatInt(v, 10))
		case float64:
			b.WriteString("f" + strconv.FormatFloat(v, 'g', -1, 64))
		case bool:
			b.WriteString("b" + strconv.FormatBool(v))
		case []any:
			items := make([]string, len(v))
			for i, item := range v {
				items[i] = "s" + text(item)
			}
			b.WriteString("a" + strings.Join(items, ","))
		default:
			b.WriteString("q" + strconv.Quote(text(v)))
		}
		b.WriteString("\n")
	}
	return []byte(b.String())
}

var updateSeeds = flag.Bool("update-seeds", false, "rewrite testdata/fuzz/FuzzSpan from the test spans")

// TestFuzzSeeds keeps the seed corpus in step with the test spans: run
// with -update-seeds after changing them.
func TestFuzzSeeds(t *testing.T) {
	seeds := map[string]*model.Span{
		"sdk-session":   sessionRoot(),
		"sdk-tool":      toolSpan(),
		"sdk-llm-flat":  llmSpanFlat(),
		"sdk-llm-json":  llmSpanJSON(),
		"openinference": openInferenceSpan(),
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzSpan")
	for name, s := range seeds {
		path := filepath.Join(dir, name)
		want := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(spanToBytes(s))))
		if *updateSeeds {
			require.NoError(t, os.MkdirAll(dir, 0o755))
			require.NoError(t, os.WriteFile(path, []byte(want), 0o644))
			continue
		}
		got, err := os.ReadFile(path)
		require.NoError(t, err, "run go test -run TestFuzzSeeds -update-seeds")
		require.Equal(t, want, string(got), "run go test -run TestFuzzSeeds -update-seeds")
	}
	// The round trip keeps what the normalizer reads.
	for name, s := range seeds {
		back := spanFromBytes(spanToBytes(s))
		New(nil).Span(s)
		New(nil).Span(back)
		require.Equal(t, s.Derived.Class, back.Derived.Class, name)
		require.Equal(t, s.Derived.Messages, back.Derived.Messages, name)
	}
}

var classes = []string{ClassSession, ClassAgent, ClassTool, ClassLLM, ClassEmbedding, ClassRetrieval, ClassTask,
	ClassWorkflow, ClassGuardrail, ClassChain, ClassOperation, ClassHTTP, ClassDB, ClassOther}

func FuzzSpan(f *testing.F) {
	f.Add([]byte("@name=x.session\n@status=error\nagentops.session.end_state=sFail\nagentops.tags=s[1,\"a\",null]"))
	f.Add([]byte("gen_ai.prompt.3.tool_calls.99999.name=i7\ngen_ai.prompt.0.content=a,sx\ngen_ai.completion.1.refusal=n"))
	f.Add([]byte("gen_ai.input.messages=q\"[{\\\"role\\\":1,\\\"parts\\\":[{\\\"type\\\":\\\"tool_call\\\",\\\"arguments\\\":{}}]}]\"\ngen_ai.system_instructions=m["))
	f.Add([]byte("gen_ai.usage.input_tokens=fNaN\ngen_ai.usage.output_tokens=f-Inf\ngen_ai.usage.total_cost=f+Inf\ngen_ai.request.model=sgpt-4o\ngen_ai.usage.prompt_tokens=u18446744073709551615"))
	f.Add([]byte("input.value=d{\nagentops.tool.output=c\n@event=c\ntool.result=e\xff\xfe\nllm.input_messages.0.message.contents.2.message_content.text=j1,2"))
	f.Add([]byte("@nilattrs=\n@name=a.session\n@event=n"))
	n := New(nil)
	f.Fuzz(func(t *testing.T, data []byte) {
		s := spanFromBytes(data)
		// derive, not Span: Span's safety net would hide a panic.
		d := n.derive(s, new(scan))
		if !slices.Contains(classes, d.Class) {
			t.Fatalf("class %q", d.Class)
		}
		if d.InputTokens < 0 || d.OutputTokens < 0 || d.CacheReadTokens < 0 || d.CacheCreationTokens < 0 || d.ReasoningTokens < 0 {
			t.Fatalf("negative tokens: %+v", d)
		}
		if d.Cost < 0 || math.IsNaN(d.Cost) || math.IsInf(d.Cost, 0) || math.IsNaN(d.TTFT) || d.TTFT < 0 || math.IsInf(d.TTFT, 0) {
			t.Fatalf("cost %v ttft %v", d.Cost, d.TTFT)
		}
		if !slices.Contains([]string{"", "span", "table"}, d.CostSource) {
			t.Fatalf("cost source %q", d.CostSource)
		}
		if d.Error != (d.ErrorType != "") {
			t.Fatalf("error %v with type %q", d.Error, d.ErrorType)
		}
		if d.Class == ClassSession && !slices.Contains([]string{"Success", "Error", "Indeterminate"}, d.EndState) {
			t.Fatalf("end state %q", d.EndState)
		}
		next := map[string]int{}
		for _, m := range d.Messages {
			if m.Index != next[m.Direction] {
				t.Fatalf("%s message %d numbered %d", m.Direction, next[m.Direction], m.Index)
			}
			next[m.Direction]++
		}
		if next["input"]+next["output"] != len(d.Messages) {
			t.Fatalf("messages of other directions: %+v", d.Messages)
		}
		// And through the pooled path, twice, to catch state left behind.
		n.Span(s)
		first := s.Derived
		n.Span(s)
		require.Equal(t, first, s.Derived)
	})
}

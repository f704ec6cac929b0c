package api

import (
	"cmp"
	"net/http"
	"slices"
	"time"

	"github.com/agentops-go/agentops/server/model"
)

// Analysis is what /api/sessions/{id}/analysis serves: where a session's
// time went, what failed, what it repeated, and what to do about it.
type Analysis struct {
	TraceID    string  `json:"trace_id"`
	DurationMS float64 `json:"duration_ms"`
	// Slowest are the longest spans, longest first (at most 10).
	Slowest []SpanTiming `json:"slowest"`
	// CriticalPath starts at the root and follows, at each level, the
	// child that ended last: the chain that set the session's end.
	CriticalPath []SpanTiming `json:"critical_path"`
	// Bottlenecks are the components (class and label) with the most self
	// time, most first (at most 10).
	Bottlenecks       []Bottleneck     `json:"bottlenecks"`
	Errors            []ErrorGroup     `json:"errors"`
	RepeatedToolCalls []RepeatedCall   `json:"repeated_tool_calls"`
	Loops             []Loop           `json:"loops"`
	Recommendations   []Recommendation `json:"recommendations"`
}

// SpanTiming is a span's place in a timing list.
type SpanTiming struct {
	SpanID     string    `json:"span_id"`
	Name       string    `json:"name"`
	Label      string    `json:"label"`
	Class      string    `json:"class"`
	Start      time.Time `json:"start"`
	DurationMS float64   `json:"duration_ms"`
	SelfMS     float64   `json:"self_ms"`
}

// Bottleneck is the self time of one component. Percent is of the
// session's duration; parallel work can make the percentages add up to
// more than 100.
type Bottleneck struct {
	Class   string  `json:"class"`
	Label   string  `json:"label"`
	Count   int     `json:"count"`
	SelfMS  float64 `json:"self_ms"`
	Percent float64 `json:"percent"`
}

// ErrorGroup is the failed spans that share a class, an error type and a
// message, in start order.
type ErrorGroup struct {
	Class     string   `json:"class"`
	ErrorType string   `json:"error_type"`
	Message   string   `json:"message"`
	Count     int      `json:"count"`
	SpanIDs   []string `json:"span_ids"`
}

// RepeatedCall is a tool called MinRepeats or more times with the same
// input. Input is cut to a few hundred characters.
type RepeatedCall struct {
	Tool    string   `json:"tool"`
	Input   string   `json:"input"`
	Count   int      `json:"count"`
	SpanIDs []string `json:"span_ids"`
}

// Loop is a sequence of 2 to 4 tool and LLM labels that repeats
// back-to-back MinRepeats or more times. SameInputs says every repeat gave
// its tools the very same inputs, the sign of an agent that is stuck
// rather than iterating. SpanIDs are the spans of all the repeats.
type Loop struct {
	Pattern    []string `json:"pattern"`
	Repeats    int      `json:"repeats"`
	SameInputs bool     `json:"same_inputs"`
	SpanIDs    []string `json:"span_ids"`
}

// Recommendation is one piece of advice in plain language, with the spans
// it is about. Kind is loop, repeated_tool_call, errors, llm_time or
// bottleneck.
type Recommendation struct {
	Kind    string   `json:"kind"`
	Text    string   `json:"text"`
	SpanIDs []string `json:"span_ids,omitempty"`
}

// Thresholds of the analysis.
const (
	TopN       = 10 // length of Slowest and Bottlenecks
	MinRepeats = 3  // calls or loop iterations before they are reported
	// LLMTimeShare and BottleneckShare are the parts of a session's
	// duration that one model's calls, or one component's own time, must
	// take before a recommendation names them.
	LLMTimeShare    = 0.5
	BottleneckShare = 0.3
	maxInputShown   = 300
)

// Analyze examines a session's spans. It is a pure function, safe for
// concurrent use.
func Analyze(spans []model.Span) Analysis {
	t := newTimeline(spans)
	a := Analysis{
		DurationMS:        ms(t.total),
		Slowest:           slowest(t, TopN),
		CriticalPath:      criticalPath(t),
		Bottlenecks:       bottlenecks(t, TopN),
		Errors:            groupErrors(t),
		RepeatedToolCalls: repeatedToolCalls(t),
		Loops:             findLoops(t),
	}
	if len(spans) > 0 {
		a.TraceID = spans[0].TraceID
	}
	a.Recommendations = recommend(t, &a)
	return a
}

func timing(t *timeline, i int) SpanTiming {
	s := &t.spans[i]
	return SpanTiming{
		SpanID: s.SpanID, Name: s.Name, Label: label(s), Class: class(s), Start: s.Start,
		DurationMS: ms(t.dur[i]), SelfMS: ms(t.self[i]),
	}
}

func slowest(t *timeline, n int) []SpanTiming {
	idx := slices.Clone(t.order)
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(t.dur[b], t.dur[a]) })
	out := make([]SpanTiming, 0, min(n, len(idx)))
	for _, i := range idx[:min(n, len(idx))] {
		out = append(out, timing(t, i))
	}
	return out
}

// criticalPath walks from the root to, at each level, the child that ended
// last (the longer one on a tie, then the earlier). A child that takes
// under 1% of its parent's time, such as the SDK's agentops.sources marker
// at a session's end, is not what the parent waited for, and is skipped.
func criticalPath(t *timeline) []SpanTiming {
	out := []SpanTiming{}
	for i, steps := t.root, 0; i >= 0 && steps < len(t.spans); steps++ {
		out = append(out, timing(t, i))
		next := -1
		for _, c := range t.children[i] {
			if t.dur[c] <= 0 || t.dur[c]*100 < t.dur[i] {
				continue
			}
			if next < 0 || t.spans[c].End.After(t.spans[next].End) ||
				t.spans[c].End.Equal(t.spans[next].End) && t.dur[c] > t.dur[next] {
				next = c
			}
		}
		i = next
	}
	return out
}

func bottlenecks(t *timeline, n int) []Bottleneck {
	type key struct{ class, label string }
	groups := map[key]*Bottleneck{}
	var order []*Bottleneck
	for _, i := range t.order {
		if t.self[i] <= 0 {
			continue
		}
		s := &t.spans[i]
		k := key{class(s), label(s)}
		b := groups[k]
		if b == nil {
			b = &Bottleneck{Class: k.class, Label: k.label}
			groups[k] = b
			order = append(order, b)
		}
		b.Count++
		b.SelfMS += ms(t.self[i])
	}
	slices.SortStableFunc(order, func(a, b *Bottleneck) int { return cmp.Compare(b.SelfMS, a.SelfMS) })
	out := make([]Bottleneck, 0, min(n, len(order)))
	for _, b := range order[:min(n, len(order))] {
		if t.total > 0 {
			b.Percent = 100 * b.SelfMS / ms(t.total)
		}
		out = append(out, *b)
	}
	return out
}

// errorInfo is a failed span's error type and message: the derived ones,
// else those of its exception event.
func errorInfo(s *model.Span) (typ, msg string) {
	typ, msg = s.Derived.ErrorType, s.StatusMessage
	for _, e := range s.Events {
		if typ != "" && msg != "" {
			break
		}
		if e.Name != "exception" {
			continue
		}
		if v, ok := e.Attributes["exception.type"].(string); ok && typ == "" {
			typ = v
		}
		if v, ok := e.Attributes["exception.message"].(string); ok && msg == "" {
			msg = v
		}
	}
	return typ, msg
}

func groupErrors(t *timeline) []ErrorGroup {
	type key struct{ class, typ, msg string }
	groups := map[key]int{}
	out := []ErrorGroup{}
	for _, i := range t.order {
		s := &t.spans[i]
		if !isError(s) {
			continue
		}
		typ, msg := errorInfo(s)
		k := key{class(s), typ, msg}
		g, ok := groups[k]
		if !ok {
			g = len(out)
			groups[k] = g
			out = append(out, ErrorGroup{Class: k.class, ErrorType: typ, Message: msg})
		}
		out[g].Count++
		out[g].SpanIDs = append(out[g].SpanIDs, s.SpanID)
	}
	slices.SortStableFunc(out, func(a, b ErrorGroup) int { return cmp.Compare(b.Count, a.Count) })
	return out
}

func toolName(s *model.Span) string {
	if s.Derived.Tool != "" {
		return s.Derived.Tool
	}
	return label(s)
}

// repeatedToolCalls finds tools called MinRepeats+ times with one input.
// Calls without a recorded input are left out: nothing says they repeat.
func repeatedToolCalls(t *timeline) []RepeatedCall {
	type key struct{ tool, input string }
	groups := map[key]int{}
	var all []RepeatedCall
	for _, i := range t.order {
		s := &t.spans[i]
		if s.Derived.Class != "tool" || s.Derived.Input == "" {
			continue
		}
		k := key{toolName(s), s.Derived.Input}
		g, ok := groups[k]
		if !ok {
			g = len(all)
			groups[k] = g
			all = append(all, RepeatedCall{Tool: k.tool, Input: truncate(k.input, maxInputShown)})
		}
		all[g].Count++
		all[g].SpanIDs = append(all[g].SpanIDs, s.SpanID)
	}
	out := []RepeatedCall{}
	for _, c := range all {
		if c.Count >= MinRepeats {
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b RepeatedCall) int { return cmp.Compare(b.Count, a.Count) })
	return out
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}

// findLoops scans the tool and LLM calls in start order for a sequence of
// 2 to 4 labels repeating back-to-back MinRepeats+ times. At each position
// it takes the period that covers the most calls (the shorter on a tie)
// and continues after the loop. A sequence that is itself a repetition
// (a a, a b a b) is left to the shorter period or, for one label, to
// repeatedToolCalls.
func findLoops(t *timeline) []Loop {
	var calls []int
	var labels []string
	for _, i := range t.order {
		s := &t.spans[i]
		if c := s.Derived.Class; c == "tool" || c == "llm" {
			calls = append(calls, i)
			labels = append(labels, label(s))
		}
	}
	out := []Loop{}
	for i := 0; i < len(labels); {
		bestP, bestK := 0, 0
		for p := 2; p <= 4 && i+p*MinRepeats <= len(labels); p++ {
			if !primitive(labels[i : i+p]) {
				continue
			}
			k := 1
			for i+(k+1)*p <= len(labels) && slices.Equal(labels[i:i+p], labels[i+k*p:i+(k+1)*p]) {
				k++
			}
			if k >= MinRepeats && k*p > bestK*bestP {
				bestP, bestK = p, k
			}
		}
		if bestP == 0 {
			i++
			continue
		}
		span := calls[i : i+bestP*bestK]
		l := Loop{Pattern: slices.Clone(labels[i : i+bestP]), Repeats: bestK, SameInputs: sameInputs(t, span, bestP)}
		for _, c := range span {
			l.SpanIDs = append(l.SpanIDs, t.spans[c].SpanID)
		}
		out = append(out, l)
		i += bestP * bestK
	}
	return out
}

// primitive reports whether p is not a shorter sequence repeated.
func primitive(p []string) bool {
	for d := 1; d < len(p); d++ {
		if len(p)%d != 0 {
			continue
		}
		rep := true
		for j := d; j < len(p) && rep; j++ {
			rep = p[j] == p[j-d]
		}
		if rep {
			return false
		}
	}
	return true
}

// sameInputs reports whether the loop's tool calls got the same non-empty
// input in every repeat, position by position.
func sameInputs(t *timeline, loop []int, period int) bool {
	tools := 0
	for pos := range period {
		s := &t.spans[loop[pos]]
		if s.Derived.Class != "tool" {
			continue
		}
		tools++
		in := s.Derived.Input
		if in == "" {
			return false
		}
		for j := pos + period; j < len(loop); j += period {
			if t.spans[loop[j]].Derived.Input != in {
				return false
			}
		}
	}
	return tools > 0
}

func (a *API) getAnalysis(w http.ResponseWriter, r *http.Request) {
	id, ok := pathTraceID(w, r, "id")
	if !ok {
		return
	}
	spans, err := a.loadSpans(r, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	an := Analyze(spans)
	an.TraceID = id
	writeJSON(w, http.StatusOK, an)
}

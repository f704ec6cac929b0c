package api

import (
	"cmp"
	"math"
	"net/http"
	"slices"

	"github.com/agentops-go/agentops/server/model"
)

// Summary is a session's totals, as /api/sessions/{id}/summary serves
// them.
type Summary struct {
	TraceID    string  `json:"trace_id"`
	DurationMS float64 `json:"duration_ms"`
	Spans      int     `json:"spans"`
	Tokens     Tokens  `json:"tokens"`
	Cost       float64 `json:"cost"`
	// Models breaks calls, tokens and cost down by model, costliest first.
	Models []ModelUsage `json:"models"`
	// Classes is the time per span class, most total time first.
	Classes []ClassTime `json:"classes"`
	// LLMCalls counts llm and embedding spans, as the sessions list does.
	LLMCalls  int       `json:"llm_calls"`
	ToolCalls int       `json:"tool_calls"`
	Errors    int       `json:"errors"`
	TTFT      TTFTStats `json:"ttft"`
}

// Tokens are token counts. Cache reads are part of Input and reasoning
// tokens part of Output, as the providers count them; Total is
// Input+Output.
type Tokens struct {
	Input         int64 `json:"input"`
	Output        int64 `json:"output"`
	CacheRead     int64 `json:"cache_read"`
	CacheCreation int64 `json:"cache_creation"`
	Reasoning     int64 `json:"reasoning"`
	Total         int64 `json:"total"`
}

func (t *Tokens) add(d *model.Derived) {
	t.Input += d.InputTokens
	t.Output += d.OutputTokens
	t.CacheRead += d.CacheReadTokens
	t.CacheCreation += d.CacheCreationTokens
	t.Reasoning += d.ReasoningTokens
	t.Total = t.Input + t.Output
}

// ModelUsage is one model's share of a session. Calls counts llm and
// embedding spans.
type ModelUsage struct {
	Model    string  `json:"model"`
	Provider string  `json:"provider,omitempty"`
	Calls    int     `json:"calls"`
	Tokens   Tokens  `json:"tokens"`
	Cost     float64 `json:"cost"`
}

// ClassTime is the time spent in one span class: TotalMS adds the spans'
// durations (nested and parallel spans count each time), SelfMS the parts
// no child span covers.
type ClassTime struct {
	Class   string  `json:"class"`
	Count   int     `json:"count"`
	TotalMS float64 `json:"total_ms"`
	SelfMS  float64 `json:"self_ms"`
}

// TTFTStats describe the time to first token of the LLM calls that
// reported one.
type TTFTStats struct {
	Count  int     `json:"count"`
	MinMS  float64 `json:"min_ms"`
	MeanMS float64 `json:"mean_ms"`
	P50MS  float64 `json:"p50_ms"`
	P90MS  float64 `json:"p90_ms"`
	MaxMS  float64 `json:"max_ms"`
}

// Summarize adds up a session's spans. Tokens and cost are taken from the
// innermost spans that carry them, so a framework that also records the
// total on an enclosing agent span is not counted twice. Summarize is a
// pure function, safe for concurrent use.
func Summarize(spans []model.Span) Summary {
	return summarize(newTimeline(spans))
}

func summarize(t *timeline) Summary {
	sum := Summary{Spans: len(t.spans), DurationMS: ms(t.total), Models: []ModelUsage{}, Classes: []ClassTime{}}
	if len(t.spans) > 0 {
		sum.TraceID = t.spans[0].TraceID
	}
	counted := usageSpans(t)
	models := map[string]*ModelUsage{}
	modelOf := func(d *model.Derived) *ModelUsage {
		name := d.Model
		if name == "" {
			name = "unknown"
		}
		m := models[name]
		if m == nil {
			m = &ModelUsage{Model: name}
			models[name] = m
		}
		if m.Provider == "" {
			m.Provider = d.Provider
		}
		return m
	}
	classes := map[string]*ClassTime{}
	var ttft []float64
	for i := range t.spans {
		s := &t.spans[i]
		d := &s.Derived
		c := classes[class(s)]
		if c == nil {
			c = &ClassTime{Class: class(s)}
			classes[c.Class] = c
		}
		c.Count++
		c.TotalMS += ms(t.dur[i])
		c.SelfMS += ms(t.self[i])

		switch d.Class {
		case "llm", "embedding":
			sum.LLMCalls++
			modelOf(d).Calls++
			if d.TTFT > 0 {
				ttft = append(ttft, d.TTFT*1000)
			}
		case "tool":
			sum.ToolCalls++
		}
		if isError(s) {
			sum.Errors++
		}
		if counted[i] {
			sum.Tokens.add(d)
			sum.Cost += d.Cost
			m := modelOf(d)
			m.Tokens.add(d)
			m.Cost += d.Cost
		}
	}
	for _, m := range models {
		sum.Models = append(sum.Models, *m)
	}
	slices.SortFunc(sum.Models, func(a, b ModelUsage) int {
		return cmp.Or(cmp.Compare(b.Cost, a.Cost), cmp.Compare(b.Calls, a.Calls), cmp.Compare(a.Model, b.Model))
	})
	for _, c := range classes {
		sum.Classes = append(sum.Classes, *c)
	}
	slices.SortFunc(sum.Classes, func(a, b ClassTime) int {
		return cmp.Or(cmp.Compare(b.TotalMS, a.TotalMS), cmp.Compare(a.Class, b.Class))
	})
	sum.TTFT = ttftStats(ttft)
	return sum
}

func hasUsage(d *model.Derived) bool {
	return d.InputTokens != 0 || d.OutputTokens != 0 || d.CacheReadTokens != 0 ||
		d.CacheCreationTokens != 0 || d.ReasoningTokens != 0 || d.Cost != 0
}

// usageSpans marks the spans whose tokens and cost count: those that carry
// usage while none of their descendants does.
func usageSpans(t *timeline) []bool {
	below := make([]bool, len(t.spans)) // a descendant carries usage
	for i := range t.spans {
		if !hasUsage(&t.spans[i].Derived) {
			continue
		}
		for p := t.parent[i]; p >= 0 && !below[p]; p = t.parent[p] {
			below[p] = true
		}
	}
	counted := make([]bool, len(t.spans))
	for i := range t.spans {
		counted[i] = !below[i] && hasUsage(&t.spans[i].Derived)
	}
	return counted
}

// ttftStats takes milliseconds; percentiles are nearest-rank.
func ttftStats(v []float64) TTFTStats {
	if len(v) == 0 {
		return TTFTStats{}
	}
	slices.Sort(v)
	var total float64
	for _, x := range v {
		total += x
	}
	rank := func(p float64) float64 {
		return v[max(0, int(math.Ceil(p*float64(len(v))))-1)]
	}
	return TTFTStats{
		Count: len(v), MinMS: v[0], MaxMS: v[len(v)-1], MeanMS: total / float64(len(v)),
		P50MS: rank(0.5), P90MS: rank(0.9),
	}
}

func (a *API) getSummary(w http.ResponseWriter, r *http.Request) {
	id, ok := pathTraceID(w, r, "id")
	if !ok {
		return
	}
	spans, err := a.loadSpans(r, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	sum := Summarize(spans)
	sum.TraceID = id
	writeJSON(w, http.StatusOK, sum)
}

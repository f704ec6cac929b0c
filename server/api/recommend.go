package api

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// recommend turns the findings of an analysis into advice, most
// actionable first: loops, repeated calls, errors, then where the time
// went.
func recommend(t *timeline, a *Analysis) []Recommendation {
	out := []Recommendation{}
	for _, l := range a.Loops {
		seq := strings.Join(l.Pattern, " → ")
		text := fmt.Sprintf("the sequence %s repeated %d times in a row: if the agent is not making progress, add a stop condition or cap its iterations", seq, l.Repeats)
		if l.SameInputs {
			text = fmt.Sprintf("the sequence %s repeated %d times in a row with the same tool inputs: the agent looks stuck; add a stop condition or cap its iterations", seq, l.Repeats)
		}
		out = append(out, Recommendation{Kind: "loop", Text: text, SpanIDs: l.SpanIDs})
	}
	for _, c := range a.RepeatedToolCalls {
		out = append(out, Recommendation{
			Kind:    "repeated_tool_call",
			Text:    fmt.Sprintf("%s ran %d times with the same input: cache its result", c.Tool, c.Count),
			SpanIDs: c.SpanIDs,
		})
	}
	out = append(out, errorAdvice(a.Errors)...)
	out = append(out, llmTimeAdvice(t)...)
	out = append(out, bottleneckAdvice(a.Bottlenecks)...)
	return out
}

// transientMarks are what the type or message of an error that a retry
// can cure contains.
var transientMarks = []string{
	"timeout", "timed out", "deadline", "rate limit", "ratelimit", "too many requests", "429",
	"502", "503", "504", "unavailable", "overloaded", "temporar", "connection reset",
}

func transient(typ, msg string) bool {
	s := strings.ToLower(typ + " " + msg)
	for _, m := range transientMarks {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

// errorAdvice speaks of errors per class and type (the messages of one
// type often differ only in an id). The session root's error echoes its
// children's and gets no advice of its own.
func errorAdvice(groups []ErrorGroup) []Recommendation {
	type key struct{ class, typ string }
	type agg struct {
		key
		count     int
		transient bool
		msg       string
		spans     []string
	}
	index := map[key]*agg{}
	var order []*agg
	for _, g := range groups {
		if g.Class == "session" {
			continue
		}
		k := key{g.Class, g.ErrorType}
		x := index[k]
		if x == nil {
			x = &agg{key: k, msg: g.Message}
			index[k] = x
			order = append(order, x)
		}
		x.count += g.Count
		x.transient = x.transient || transient(g.ErrorType, g.Message)
		x.spans = append(x.spans, g.SpanIDs...)
	}
	slices.SortStableFunc(order, func(a, b *agg) int { return cmp.Compare(b.count, a.count) })
	out := make([]Recommendation, 0, len(order))
	for _, x := range order {
		noun := "error"
		if x.count != 1 {
			noun = "errors"
		}
		what := fmt.Sprintf("%d %s %s", x.count, x.class, noun)
		if x.typ != "" {
			what += " of type " + x.typ
		}
		var advice string
		switch {
		case x.transient:
			advice = "add retries with backoff"
		case x.class == "tool":
			advice = "check the arguments the tool gets and validate them before calling it"
		case x.class == "llm":
			advice = "check the requests sent to the model"
		default:
			advice = "look at the first one, span " + x.spans[0]
		}
		if x.msg != "" && !x.transient {
			// The first line only: a message may carry a whole stack.
			first, _, _ := strings.Cut(x.msg, "\n")
			advice += ` ("` + truncate(strings.TrimSpace(first), 120) + `")`
		}
		out = append(out, Recommendation{Kind: "errors", Text: what + ": " + advice, SpanIDs: x.spans})
	}
	return out
}

// llmTimeAdvice names each model whose calls took LLMTimeShare or more of
// the session (parallel calls count once).
func llmTimeAdvice(t *timeline) []Recommendation {
	if t.total <= 0 {
		return nil
	}
	byModel := map[string][]int{}
	var models []string
	for _, i := range t.order {
		d := &t.spans[i].Derived
		if d.Class != "llm" {
			continue
		}
		name := cmp.Or(d.Model, label(&t.spans[i]))
		if byModel[name] == nil {
			models = append(models, name)
		}
		byModel[name] = append(byModel[name], i)
	}
	var out []Recommendation
	for _, m := range models {
		share := float64(unionDuration(t.spans, byModel[m])) / float64(t.total)
		if share < LLMTimeShare {
			continue
		}
		out = append(out, Recommendation{
			Kind: "llm_time",
			Text: fmt.Sprintf("%d%% of the session was spent in llm calls to %s: consider a smaller model for the simpler steps, fewer calls, or running independent calls in parallel",
				percent(share), m),
			SpanIDs: spanIDs(t, byModel[m]),
		})
	}
	return out
}

// containerClasses are the spans that group others: their self time is
// the program's own, untraced work.
var containerClasses = map[string]bool{"session": true, "agent": true, "workflow": true, "chain": true, "task": true}

// bottleneckAdvice names components whose own time took BottleneckShare
// or more of the session. LLM time has its own advice.
func bottleneckAdvice(bs []Bottleneck) []Recommendation {
	var out []Recommendation
	for _, b := range bs {
		if b.Class == "llm" || b.Percent < 100*BottleneckShare {
			continue
		}
		var text string
		if containerClasses[b.Class] {
			text = fmt.Sprintf("%d%% of the session was spent in %s %s outside any traced call: trace the work inside it to see where the time goes",
				percent(b.Percent/100), b.Class, b.Label)
		} else {
			text = fmt.Sprintf("%d%% of the session was spent in %s %s: make it faster, cache its results, or run it concurrently with other work",
				percent(b.Percent/100), b.Class, b.Label)
		}
		out = append(out, Recommendation{Kind: "bottleneck", Text: text})
	}
	return out
}

func percent(share float64) int { return int(math.Round(100 * share)) }

func spanIDs(t *timeline, idx []int) []string {
	out := make([]string, len(idx))
	for k, i := range idx {
		out[k] = t.spans[i].SpanID
	}
	return out
}

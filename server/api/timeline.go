package api

import (
	"slices"
	"time"

	"github.com/agentops-go/agentops/server/model"
)

// timeline is what the summary and the analysis both derive from a
// trace's spans: the parent links, each span's duration and self time,
// and the trace's extent.
type timeline struct {
	spans    []model.Span
	order    []int   // span indices by start
	parent   []int   // -1 for a root (no parent received)
	children [][]int // by start
	dur      []time.Duration
	// self is the part of a span's duration no child covers: overlapping
	// (parallel) children count once, so it is never negative.
	self []time.Duration
	// root is the session root, else the longest root; -1 without spans.
	root int
	// total is the session's duration: the root's when it is the session
	// span, else from the earliest start to the latest end.
	total time.Duration
}

func newTimeline(spans []model.Span) *timeline {
	n := len(spans)
	t := &timeline{
		spans:    spans,
		order:    startOrder(spans),
		parent:   make([]int, n),
		children: make([][]int, n),
		dur:      make([]time.Duration, n),
		self:     make([]time.Duration, n),
		root:     -1,
	}
	index := make(map[string]int, n)
	for _, i := range t.order {
		if _, dup := index[spans[i].SpanID]; !dup {
			index[spans[i].SpanID] = i
		}
	}
	var first, last time.Time
	for _, i := range t.order {
		s := &spans[i]
		t.dur[i] = spanDuration(s)
		t.parent[i] = -1
		if p, ok := index[s.ParentSpanID]; ok && s.ParentSpanID != "" && p != i {
			t.parent[i] = p
			t.children[p] = append(t.children[p], i)
		}
		if first.IsZero() || s.Start.Before(first) {
			first = s.Start
		}
		if s.End.After(last) {
			last = s.End
		}
	}
	for i := range spans {
		t.self[i] = t.dur[i] - covered(spans, i, t.children[i])
		if t.parent[i] >= 0 {
			continue
		}
		switch {
		case t.root < 0:
			t.root = i
		case isSession(&spans[i]) != isSession(&spans[t.root]):
			if isSession(&spans[i]) {
				t.root = i
			}
		case t.dur[i] > t.dur[t.root]:
			t.root = i
		}
	}
	if t.root >= 0 && isSession(&spans[t.root]) && t.dur[t.root] > 0 {
		t.total = t.dur[t.root]
	} else if last.After(first) {
		t.total = last.Sub(first)
	}
	return t
}

func isSession(s *model.Span) bool { return s.Derived.Class == "session" }

func spanDuration(s *model.Span) time.Duration {
	if s.Start.IsZero() || !s.End.After(s.Start) {
		return 0
	}
	return s.End.Sub(s.Start)
}

// covered is how much of span i the union of its children's intervals
// covers.
func covered(spans []model.Span, i int, kids []int) time.Duration {
	lo, hi := spans[i].Start, spans[i].End
	if !hi.After(lo) {
		return 0
	}
	return union(len(kids), func(k int) (time.Time, time.Time) {
		s, e := spans[kids[k]].Start, spans[kids[k]].End
		if s.Before(lo) {
			s = lo
		}
		if e.After(hi) {
			e = hi
		}
		return s, e
	})
}

// unionDuration is the length of the union of the intervals of spans idx.
func unionDuration(spans []model.Span, idx []int) time.Duration {
	idx = slices.Clone(idx)
	slices.SortFunc(idx, func(a, b int) int { return spans[a].Start.Compare(spans[b].Start) })
	return union(len(idx), func(k int) (time.Time, time.Time) { return spans[idx[k]].Start, spans[idx[k]].End })
}

// union is the length of the union of n intervals given in start order.
func union(n int, interval func(k int) (start, end time.Time)) time.Duration {
	var sum time.Duration
	var curS, curE time.Time
	open := false
	for k := range n {
		s, e := interval(k)
		switch {
		case !e.After(s):
		case !open:
			curS, curE, open = s, e, true
		case s.After(curE):
			sum += curE.Sub(curS)
			curS, curE = s, e
		case e.After(curE):
			curE = e
		}
	}
	if open {
		sum += curE.Sub(curS)
	}
	return sum
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// label is the short name of a span: its derived label, else its name.
func label(s *model.Span) string {
	if s.Derived.Label != "" {
		return s.Derived.Label
	}
	return s.Name
}

// class is the span's derived class, "other" when normalize left none.
func class(s *model.Span) string {
	if s.Derived.Class != "" {
		return s.Derived.Class
	}
	return "other"
}

func isError(s *model.Span) bool { return s.Derived.Error || s.StatusCode == "error" }

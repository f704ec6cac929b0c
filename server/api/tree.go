package api

import (
	"net/http"
	"slices"

	"github.com/agentops-go/agentops/server/model"
)

// SpanNode is a span with its children, the shape /spans serves: the
// span's own fields, plus "children" (never null) ordered by start.
type SpanNode struct {
	*model.Span
	Children []*SpanNode `json:"children"`
}

// BuildTree nests spans under their parents and returns the roots, each
// level ordered by start. A span whose parent was not received (an
// orphan), or that is its own parent, is an extra root, as is one of each
// cycle that forged parent ids could make: every span appears exactly
// once. The nodes point into spans, which must outlive them. BuildTree is
// a pure function, safe for concurrent use.
func BuildTree(spans []model.Span) []*SpanNode {
	n := len(spans)
	order := startOrder(spans)
	nodes := make([]SpanNode, n)
	index := make(map[string]int32, n)
	for _, i := range order {
		nodes[i].Span = &spans[i]
		if _, dup := index[spans[i].SpanID]; !dup {
			index[spans[i].SpanID] = int32(i)
		}
	}
	parent := make([]int32, n)
	count := make([]int32, n)
	roots := 0
	for i := range spans {
		parent[i] = -1
		if p, ok := index[spans[i].ParentSpanID]; ok && spans[i].ParentSpanID != "" && int(p) != i {
			parent[i] = p
			count[p]++
		} else {
			roots++
		}
	}
	// Every child list is a window of one backing array, so a tree of n
	// spans costs a constant number of allocations.
	backing := make([]*SpanNode, n)
	off := 0
	for i := range nodes {
		c := int(count[i])
		nodes[i].Children = backing[off : off : off+c]
		off += c
	}
	out := make([]*SpanNode, 0, roots)
	for _, i := range order {
		if p := parent[i]; p >= 0 {
			nodes[p].Children = append(nodes[p].Children, &nodes[i])
		} else {
			out = append(out, &nodes[i])
		}
	}
	if roots+reachable(out) < n {
		out = breakCycles(nodes, parent, order, out)
	}
	return out
}

// reachable counts the descendants of roots.
func reachable(roots []*SpanNode) int {
	seen := 0
	stack := slices.Clone(roots)
	for len(stack) > 0 {
		nd := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		seen += len(nd.Children)
		stack = append(stack, nd.Children...)
	}
	return seen
}

// breakCycles makes the earliest span of each unreachable group a root,
// detaching it from its parent, until every span is reachable.
func breakCycles(nodes []SpanNode, parent []int32, order []int, roots []*SpanNode) []*SpanNode {
	seen := make([]bool, len(nodes))
	idx := make(map[*SpanNode]int, len(nodes))
	for i := range nodes {
		idx[&nodes[i]] = i
	}
	mark := func(i int) {
		stack := []int{i}
		for len(stack) > 0 {
			j := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			seen[j] = true
			for _, c := range nodes[j].Children {
				if k := idx[c]; !seen[k] {
					stack = append(stack, k)
				}
			}
		}
	}
	for _, r := range roots {
		mark(idx[r])
	}
	for _, i := range order {
		if seen[i] {
			continue
		}
		p := parent[i]
		nodes[p].Children = slices.DeleteFunc(slices.Clone(nodes[p].Children), func(c *SpanNode) bool { return c == &nodes[i] })
		parent[i] = -1
		roots = append(roots, &nodes[i])
		mark(i)
	}
	slices.SortStableFunc(roots, func(a, b *SpanNode) int { return a.Start.Compare(b.Start) })
	return roots
}

// startOrder returns the indices of spans ordered by start (stable). The
// store already orders them, so the common case is one pass.
func startOrder(spans []model.Span) []int {
	order := make([]int, len(spans))
	sorted := true
	for i := range spans {
		order[i] = i
		if i > 0 && spans[i].Start.Before(spans[i-1].Start) {
			sorted = false
		}
	}
	if !sorted {
		slices.SortStableFunc(order, func(a, b int) int { return byStart(spans[a], spans[b]) })
	}
	return order
}

func byStart(a, b model.Span) int { return a.Start.Compare(b.Start) }

func (a *API) getSpans(w http.ResponseWriter, r *http.Request) {
	id, ok := pathTraceID(w, r, "id")
	if !ok {
		return
	}
	flat, err := parseBool(r.URL.Query(), "flat")
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	spans, err := a.loadSpans(r, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if flat {
		if !slices.IsSortedFunc(spans, byStart) {
			spans = slices.Clone(spans)
			slices.SortStableFunc(spans, byStart)
		}
		writeSpans(w, func(e *spanEncoder) { e.list(spans) })
		return
	}
	tree := BuildTree(spans)
	writeSpans(w, func(e *spanEncoder) { e.tree(tree) })
}

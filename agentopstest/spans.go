package agentopstest

import (
	"slices"
	"testing"

	"github.com/agentops-go/agentops/server/model"
)

// Helpers to look spans up in what a Server received, for assertions on a
// span tree.

// Named returns the spans called name, in the order given.
func Named(spans []model.Span, name string) []model.Span {
	var out []model.Span
	for _, s := range spans {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// One returns the span called name, and fails t unless there is exactly
// one; the failure lists the names there are.
func One(t testing.TB, spans []model.Span, name string) model.Span {
	t.Helper()
	found := Named(spans, name)
	if len(found) != 1 {
		t.Fatalf("%d spans named %q among %q", len(found), name, SpanNames(spans))
	}
	return found[0]
}

// SpanNames are the names of spans, sorted: for failure messages that
// show what arrived.
func SpanNames(spans []model.Span) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = s.Name
	}
	slices.Sort(out)
	return out
}

// RequireChild fails t unless child is a child of parent, in its trace.
func RequireChild(t testing.TB, parent, child model.Span) {
	t.Helper()
	if child.TraceID != parent.TraceID {
		t.Fatalf("%q (trace %s) is not in the trace of %q (%s)", child.Name, child.TraceID, parent.Name, parent.TraceID)
	}
	if child.ParentSpanID != parent.SpanID {
		t.Fatalf("%q is not a child of %q: its parent is %q, not %q", child.Name, parent.Name, child.ParentSpanID, parent.SpanID)
	}
}

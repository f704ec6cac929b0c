package api

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/server/model"
)

// shape renders a tree as "id(child,child)" for compact assertions.
func shape(nodes []*SpanNode) string {
	out := ""
	for i, n := range nodes {
		if i > 0 {
			out += ","
		}
		out += n.SpanID[len(n.SpanID)-1:]
		if len(n.Children) > 0 {
			out += "(" + shape(n.Children) + ")"
		}
	}
	return out
}

func count(nodes []*SpanNode) int {
	n := len(nodes)
	for _, c := range nodes {
		n += count(c.Children)
	}
	return n
}

func TestBuildTreeOrphansBecomeRoots(t *testing.T) {
	tree := BuildTree(fixtureSpans())
	assert.Equal(t, "1(2(3,4,5,6)),7", shape(tree))
}

func TestBuildTreeOrdersByStartWhateverTheInput(t *testing.T) {
	spans := []model.Span{
		mk("0000000000000004", "0000000000000001", "d", "tool", 300, 400),
		mk("0000000000000002", "0000000000000001", "b", "tool", 100, 200),
		mk("0000000000000001", "", "a", "session", 0, 1000),
		mk("0000000000000003", "0000000000000001", "c", "tool", 200, 300),
		mk("0000000000000005", "0000000000000009", "e", "tool", 50, 60), // orphan, starts before b
	}
	assert.Equal(t, "1(2,3,4),5", shape(BuildTree(spans)))
}

func TestBuildTreeSurvivesBadParents(t *testing.T) {
	spans := []model.Span{
		mk("0000000000000001", "", "root", "session", 0, 100),
		mk("0000000000000002", "0000000000000002", "self", "tool", 10, 20), // its own parent
		mk("0000000000000003", "0000000000000004", "x", "tool", 20, 30),    // 3 <-> 4: a cycle
		mk("0000000000000004", "0000000000000003", "y", "tool", 30, 40),
		mk("0000000000000005", "0000000000000004", "z", "tool", 35, 38), // hangs off the cycle
		mk("0000000000000001", "", "dup", "session", 50, 60),            // a duplicate id
		mk("0000000000000006", "0000000000000001", "kid", "tool", 70, 80),
	}
	tree := BuildTree(spans)
	assert.Equal(t, len(spans), count(tree), "every span appears exactly once")
	assert.Equal(t, "1(6),2,3(4(5)),1", shape(tree), "the earliest of a cycle becomes a root; children go to the first of duplicate ids")
}

func TestBuildTreeEmpty(t *testing.T) {
	tree := BuildTree(nil)
	b, err := json.Marshal(tree)
	require.NoError(t, err)
	assert.Equal(t, "[]", string(b))
}

func TestSpanNodeJSON(t *testing.T) {
	tree := BuildTree(fixtureSpans()[:2])
	b, err := json.Marshal(tree)
	require.NoError(t, err)
	var got []map[string]any
	require.NoError(t, json.Unmarshal(b, &got))
	root := got[0]
	for _, k := range []string{"trace_id", "span_id", "name", "kind", "start", "end", "status_code", "service", "attributes", "derived", "children"} {
		assert.Contains(t, root, k)
	}
	assert.NotContains(t, root, "parent_span_id", "omitempty as in model.Span")
	child := root["children"].([]any)[0].(map[string]any)
	assert.Equal(t, "0000000000000001", child["parent_span_id"])
	assert.Equal(t, []any{}, child["children"])
}

package api

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/server/model"
)

func sid(n int) string { return fmt.Sprintf("%016x", n) }

// researchSession: an agent that searches the same thing three times in
// a loop, times out three times on fetch, and spends most of its time in
// gpt-4o. A summarize tool runs beside the last LLM call and ends last.
func researchSession() []model.Span {
	const root, agent = 1, 2
	gpt := llm("gpt-4o", 100, 10, 0.001, 0)
	return []model.Span{
		mk(sid(root), "", "research", "session", 0, 10000),
		mk(sid(agent), sid(root), "researcher", "agent", 0, 9500),
		mk(sid(3), sid(agent), "chat", "llm", 0, 1000, gpt),
		mk(sid(4), sid(agent), "web_search", "tool", 1000, 1500, tool("golang")),
		mk(sid(5), sid(agent), "chat", "llm", 1500, 2500, gpt),
		mk(sid(6), sid(agent), "web_search", "tool", 2500, 3000, tool("golang")),
		mk(sid(7), sid(agent), "chat", "llm", 3000, 4000, gpt),
		mk(sid(8), sid(agent), "web_search", "tool", 4000, 4500, tool("golang")),
		mk(sid(9), sid(agent), "chat", "llm", 4500, 5500, gpt),
		mk(sid(10), sid(agent), "fetch", "tool", 5500, 6000, tool("a"), failed("timeout", "deadline exceeded")),
		mk(sid(11), sid(agent), "fetch", "tool", 6000, 6500, tool("b"), failed("timeout", "deadline exceeded")),
		mk(sid(12), sid(agent), "fetch", "tool", 6500, 7000, tool("c"), failed("timeout", "read timeout")),
		mk(sid(13), sid(agent), "chat", "llm", 7000, 9400, gpt),
		mk(sid(14), sid(agent), "summarize", "tool", 8000, 9450, tool("all")),
		mk(sid(15), sid(14), "db.query", "db", 8100, 9440),
	}
}

func TestAnalyzeResearchSession(t *testing.T) {
	a := Analyze(researchSession())
	assert.Equal(t, traceA, a.TraceID)
	assert.Equal(t, 10000.0, a.DurationMS)

	var slow []string
	for _, s := range a.Slowest {
		slow = append(slow, s.SpanID)
	}
	assert.Equal(t, []string{sid(1), sid(2), sid(13), sid(14), sid(15), sid(3), sid(5), sid(7), sid(9), sid(4)}, slow)

	assert.Equal(t, []SpanTiming{
		{SpanID: sid(1), Name: "research", Label: "research", Class: "session", Start: at(0), DurationMS: 10000, SelfMS: 500},
		{SpanID: sid(2), Name: "researcher", Label: "researcher", Class: "agent", Start: at(0), DurationMS: 9500, SelfMS: 50},
		{SpanID: sid(14), Name: "summarize", Label: "summarize", Class: "tool", Start: at(8000), DurationMS: 1450, SelfMS: 110},
		{SpanID: sid(15), Name: "db.query", Label: "db.query", Class: "db", Start: at(8100), DurationMS: 1340, SelfMS: 1340},
	}, a.CriticalPath, "the summarize tool ended after the last LLM call, though it started later")

	require.GreaterOrEqual(t, len(a.Bottlenecks), 4)
	assert.Equal(t, Bottleneck{Class: "llm", Label: "gpt-4o", Count: 5, SelfMS: 6400, Percent: 64}, a.Bottlenecks[0])
	assert.Equal(t, Bottleneck{Class: "tool", Label: "web_search", Count: 3, SelfMS: 1500, Percent: 15}, a.Bottlenecks[1])
	assert.Equal(t, Bottleneck{Class: "tool", Label: "fetch", Count: 3, SelfMS: 1500, Percent: 15}, a.Bottlenecks[2])
	assert.Equal(t, "db.query", a.Bottlenecks[3].Label)

	assert.Equal(t, []ErrorGroup{
		{Class: "tool", ErrorType: "timeout", Message: "deadline exceeded", Count: 2, SpanIDs: []string{sid(10), sid(11)}},
		{Class: "tool", ErrorType: "timeout", Message: "read timeout", Count: 1, SpanIDs: []string{sid(12)}},
	}, a.Errors)

	assert.Equal(t, []RepeatedCall{
		{Tool: "web_search", Input: "golang", Count: 3, SpanIDs: []string{sid(4), sid(6), sid(8)}},
	}, a.RepeatedToolCalls)

	assert.Equal(t, []Loop{{
		Pattern: []string{"gpt-4o", "web_search"}, Repeats: 3, SameInputs: true,
		SpanIDs: []string{sid(3), sid(4), sid(5), sid(6), sid(7), sid(8)},
	}}, a.Loops)

	var texts []string
	for _, r := range a.Recommendations {
		texts = append(texts, r.Kind+": "+r.Text)
	}
	assert.Equal(t, []string{
		"loop: the sequence gpt-4o → web_search repeated 3 times in a row with the same tool inputs: the agent looks stuck; add a stop condition or cap its iterations",
		"repeated_tool_call: web_search ran 3 times with the same input: cache its result",
		"errors: 3 tool errors of type timeout: add retries with backoff",
		"llm_time: 64% of the session was spent in llm calls to gpt-4o: consider a smaller model for the simpler steps, fewer calls, or running independent calls in parallel",
	}, texts)
	assert.Equal(t, []string{sid(10), sid(11), sid(12)}, a.Recommendations[2].SpanIDs)
	assert.Len(t, a.Recommendations[3].SpanIDs, 5)
}

func TestFindLoops(t *testing.T) {
	seq := func(labels ...string) *timeline {
		var spans []model.Span
		for i, l := range labels {
			class := "tool"
			if l[0] == 'L' {
				class = "llm"
			}
			spans = append(spans, mk(sid(i+1), "", l, class, i*10, i*10+5, tool(fmt.Sprint("in", i))))
		}
		return newTimeline(spans)
	}
	patterns := func(t *timeline) []string {
		var out []string
		for _, l := range findLoops(t) {
			out = append(out, fmt.Sprint(l.Pattern, "x", l.Repeats, " same=", l.SameInputs))
		}
		return out
	}
	assert.Equal(t, []string{"[L a b]x3 same=false"}, patterns(seq("x", "L", "a", "b", "L", "a", "b", "L", "a", "b", "L")),
		"period 3; the trailing L starts no fourth repeat")
	assert.Equal(t, []string{"[a b]x4 same=false"}, patterns(seq("a", "b", "a", "b", "a", "b", "a", "b")),
		"a b a b is the period-2 loop, not a period-4 one")
	assert.Empty(t, patterns(seq("a", "a", "a", "a", "a", "a")), "one label repeating is a repeated call, not a loop")
	assert.Empty(t, patterns(seq("a", "b", "a", "b", "c", "a", "b")), "two repeats are not enough")
	assert.Equal(t, []string{"[a b c d]x3 same=false", "[x y]x3 same=false"},
		patterns(seq("a", "b", "c", "d", "a", "b", "c", "d", "a", "b", "c", "d", "x", "y", "x", "y", "x", "y")))
	assert.Empty(t, patterns(seq()))

	// Other classes do not break a loop: only tool and LLM calls count.
	spans := researchSession()
	spans = append(spans[:4], append([]model.Span{mk(sid(99), sid(2), "think", "task", 1400, 1450)}, spans[4:]...)...)
	assert.Len(t, findLoops(newTimeline(spans)), 1)
}

func TestPrimitive(t *testing.T) {
	assert.True(t, primitive([]string{"a", "b"}))
	assert.True(t, primitive([]string{"a", "b", "a"}))
	assert.True(t, primitive([]string{"a", "a", "b", "b"}))
	assert.False(t, primitive([]string{"a", "a"}))
	assert.False(t, primitive([]string{"a", "b", "a", "b"}))
	assert.False(t, primitive([]string{"c", "c", "c"}))
}

func TestRepeatedToolCallsNeedSameToolAndInput(t *testing.T) {
	spans := []model.Span{
		mk(sid(1), "", "s", "session", 0, 100),
		mk(sid(2), sid(1), "lookup", "tool", 1, 2, tool("x")),
		mk(sid(3), sid(1), "lookup", "tool", 3, 4, tool("x")),
		mk(sid(4), sid(1), "lookup", "tool", 5, 6, tool("y")),
		mk(sid(5), sid(1), "other", "tool", 7, 8, tool("x")),
		mk(sid(6), sid(1), "lookup", "tool", 9, 10), // no recorded input
		mk(sid(7), sid(1), "lookup", "tool", 11, 12),
		mk(sid(8), sid(1), "lookup", "tool", 13, 14),
	}
	assert.Empty(t, Analyze(spans).RepeatedToolCalls)

	spans = append(spans, mk(sid(9), sid(1), "lookup", "tool", 15, 16, tool("x")))
	a := Analyze(spans)
	require.Len(t, a.RepeatedToolCalls, 1)
	assert.Equal(t, 3, a.RepeatedToolCalls[0].Count)
	assert.Equal(t, "lookup ran 3 times with the same input: cache its result", a.Recommendations[0].Text)

	long := string(make([]byte, 1000))
	spans = []model.Span{
		mk(sid(1), "", "t", "tool", 0, 1, tool(long)),
		mk(sid(2), "", "t", "tool", 1, 2, tool(long)),
		mk(sid(3), "", "t", "tool", 2, 3, tool(long)),
	}
	in := Analyze(spans).RepeatedToolCalls[0].Input
	assert.Equal(t, maxInputShown+len("…"), len(in), "a long input is cut")
}

func TestErrorAdvice(t *testing.T) {
	spans := []model.Span{
		mk(sid(1), "", "s", "session", 0, 1000, failed("", "child failed")),
		mk(sid(2), sid(1), "chat", "llm", 0, 100, failed("BadRequestError", "invalid model: gpt-5x")),
		mk(sid(3), sid(1), "chat", "llm", 100, 200, failed("RateLimitError", "slow down")),
		mk(sid(4), sid(1), "parse", "tool", 200, 300, failed("ValueError", "bad json\ngoroutine 7 [running]:\nmain.parse(...)")),
		mk(sid(5), sid(1), "step", "task", 300, 400, failed("", "")),
	}
	// An error the span only records as an exception event.
	spans[4].Derived.ErrorType, spans[4].StatusMessage = "", ""
	spans[4].Events = []model.Event{{Name: "exception", Attributes: map[string]any{"exception.type": "KeyError", "exception.message": "'x'"}}}

	a := Analyze(spans)
	require.Len(t, a.Errors, 5)
	assert.Equal(t, ErrorGroup{Class: "task", ErrorType: "KeyError", Message: "'x'", Count: 1, SpanIDs: []string{sid(5)}}, a.Errors[4])

	var texts []string
	for _, r := range a.Recommendations {
		if r.Kind == "errors" {
			texts = append(texts, r.Text)
		}
	}
	assert.Equal(t, []string{
		`1 llm error of type BadRequestError: check the requests sent to the model ("invalid model: gpt-5x")`,
		`1 llm error of type RateLimitError: add retries with backoff`,
		`1 tool error of type ValueError: check the arguments the tool gets and validate them before calling it ("bad json")`,
		`1 task error of type KeyError: look at the first one, span ` + sid(5) + ` ("'x'")`,
	}, texts, "the session root's echo of its children's errors gets no advice; a stack after the message is not quoted")
}

func TestBottleneckAdvice(t *testing.T) {
	spans := []model.Span{
		mk(sid(1), "", "my-run", "session", 0, 1000),
		mk(sid(2), sid(1), "vector_db", "retrieval", 0, 400),
		mk(sid(3), sid(1), "chat", "llm", 400, 500, llm("gpt-4o", 1, 1, 0, 0)),
	}
	a := Analyze(spans)
	var texts []string
	for _, r := range a.Recommendations {
		texts = append(texts, r.Kind+": "+r.Text)
	}
	assert.Equal(t, []string{
		"bottleneck: 50% of the session was spent in session my-run outside any traced call: trace the work inside it to see where the time goes",
		"bottleneck: 40% of the session was spent in retrieval vector_db: make it faster, cache its results, or run it concurrently with other work",
	}, texts, "10% in gpt-4o is below every threshold")
}

func TestAnalyzeEmpty(t *testing.T) {
	a := Analyze(nil)
	assert.Equal(t, Analysis{
		Slowest: []SpanTiming{}, CriticalPath: []SpanTiming{}, Bottlenecks: []Bottleneck{}, Errors: []ErrorGroup{},
		RepeatedToolCalls: []RepeatedCall{}, Loops: []Loop{}, Recommendations: []Recommendation{},
	}, a)
}

func TestCriticalPathWithoutSessionRoot(t *testing.T) {
	// The root has not arrived: the longest orphan is where the path starts.
	spans := []model.Span{
		mk(sid(2), sid(1), "agent", "agent", 0, 500),
		mk(sid(3), sid(2), "chat", "llm", 0, 200),
		mk(sid(4), sid(2), "tool", "tool", 200, 500),
		mk(sid(5), sid(1), "short", "tool", 600, 700),
	}
	var ids []string
	for _, s := range Analyze(spans).CriticalPath {
		ids = append(ids, s.SpanID)
	}
	assert.Equal(t, []string{sid(2), sid(4)}, ids)
}

// The SDK ends a session with an instant agentops.sources span: it ends
// last, but takes (next to) no time, so the path goes through the work.
func TestCriticalPathSkipsInstants(t *testing.T) {
	spans := []model.Span{
		mk(sid(1), "", "s", "session", 0, 1000),
		mk(sid(2), sid(1), "agent", "agent", 0, 990),
		mk(sid(3), sid(2), "chat", "llm", 500, 990),
		mk(sid(4), sid(1), "agentops.sources", "other", 995, 1000),
		mk(sid(5), sid(2), "marker", "other", 990, 990),
	}
	var ids []string
	for _, s := range Analyze(spans).CriticalPath {
		ids = append(ids, s.SpanID)
	}
	assert.Equal(t, []string{sid(1), sid(2), sid(3)}, ids)
}

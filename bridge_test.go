package agentops

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/internal/fakebackend"
)

// A framework's run as callbacks report it: a session, an agent step with
// an LLM call and a tool call inside, each named by its run id and parent.
func TestBridgeMapsAFrameworksRunToSpans(t *testing.T) {
	b := fakebackend.New(t)
	c := newTestClient(t, b)
	br := NewBridge()

	ctx := br.StartSession(context.Background(), "run-0", "framework-run", WithTags("bridge"))
	br.Start(ctx, BridgeStart{Key: "run-1", Parent: "run-0", Kind: KindAgent, Name: "planner", Input: "plan a trip"})
	br.Start(context.Background(), BridgeStart{Key: "run-2", Parent: "run-1", Kind: KindLLM, LLM: &LLMRequest{
		Model: "gpt-4o-mini", Messages: []Message{{Role: "user", Content: "plan a trip"}},
	}})
	require.True(t, br.End("run-2", BridgeEnd{LLM: &LLMResponse{
		Model: "gpt-4o-mini", Choices: []Choice{{Message: Message{Role: "assistant", Content: "call the tool"}, FinishReason: "tool_calls"}},
		Usage: &Usage{InputTokens: 12, OutputTokens: 3},
	}}))
	br.Start(context.Background(), BridgeStart{Key: "run-3", Parent: "run-1", Kind: KindTool, Name: "search",
		Tool: &ToolCall{ID: "call_1", Name: "search", Arguments: `{"q":"lisbon"}`}})
	require.True(t, br.Message("run-1", "assistant", "searching"))
	require.True(t, br.End("run-3", BridgeEnd{Output: "3 hotels"}))
	require.True(t, br.End("run-1", BridgeEnd{Output: "done"}))
	require.True(t, br.End("run-0", BridgeEnd{}))
	assert.Zero(t, br.Open())
	flush(t, c)

	spans := byName(t, b.WaitForSpans(t, 4, 5*time.Second))
	root, agent := spans["framework-run.session"], spans["invoke_agent planner"]
	llm, tool := spans["chat gpt-4o-mini"], spans["execute_tool search"]
	assert.Empty(t, root.ParentSpanID)
	assert.Equal(t, "Success", root.Attrs["agentops.session.end_state"])
	assert.Equal(t, root.SpanID, agent.ParentSpanID)
	assert.Equal(t, agent.SpanID, llm.ParentSpanID, "the parent run id nests the LLM call, whatever ctx came with it")
	assert.Equal(t, agent.SpanID, tool.ParentSpanID)
	for _, s := range []fakebackend.Span{agent, llm, tool} {
		assert.Equal(t, root.TraceID, s.TraceID)
	}
	assert.Equal(t, int64(12), llm.Attrs["gen_ai.usage.input_tokens"])
	assert.Equal(t, "call_1", tool.Attrs["gen_ai.tool.call.id"])
	assert.Equal(t, `{"q":"lisbon"}`, tool.Attrs["gen_ai.tool.call.arguments"])
	assert.Equal(t, "3 hotels", tool.Attrs["gen_ai.tool.call.result"])
	require.Len(t, agent.Events, 1)
	assert.Equal(t, "agentops.message", agent.Events[0].Name)
	assert.Equal(t, "searching", agent.Events[0].Attrs["agentops.message.content"])
}

// Without a parent run id, the context decides: a run started with the
// context another run's Start returned nests under it.
func TestBridgeNestsByContext(t *testing.T) {
	b := fakebackend.New(t)
	c := newTestClient(t, b)
	br := NewBridge()
	ctx := br.StartSession(context.Background(), 1, "ctx-run")
	ctx = br.Start(ctx, BridgeStart{Key: 2, Kind: KindTask, Name: "step"})
	_, span := StartSpan(ctx, KindTool, "inner") // the user's own span inside the step
	span.End(nil)
	br.Start(ctx, BridgeStart{Key: 3, Kind: KindTool, Name: "silent", Input: "x"})
	br.End(3, BridgeEnd{}) // a tool that reports no result
	br.Start(ctx, BridgeStart{Key: 5, Kind: KindTool, Name: "typed", Input: map[string]int{"n": 1}})
	br.End(5, BridgeEnd{Output: map[string]string{"ok": "yes"}})
	br.Start(ctx, BridgeStart{Key: 6, Kind: KindTool, Name: "late-args"})
	assert.True(t, br.SetInput(6, `{"q":"later"}`))
	br.End(6, BridgeEnd{Output: "done"})
	br.Start(ctx, BridgeStart{Key: 4, Kind: KindTask, Name: "streamed"})
	assert.True(t, br.SetInput(4, map[string]string{"q": "known later"}))
	br.End(4, BridgeEnd{})
	br.End(2, BridgeEnd{})
	br.End(1, BridgeEnd{Err: errors.New("the graph failed")})
	flush(t, c)

	spans := byName(t, b.WaitForSpans(t, 7, 5*time.Second))
	typed := spans["execute_tool typed"]
	assert.JSONEq(t, `{"n":1}`, typed.Attrs["gen_ai.tool.call.arguments"].(string), "typed arguments are JSON, as WithInput records them")
	assert.JSONEq(t, `{"ok":"yes"}`, typed.Attrs["gen_ai.tool.call.result"].(string))
	late := spans["execute_tool late-args"]
	assert.Equal(t, `{"q":"later"}`, late.Attrs["gen_ai.tool.call.arguments"], "a tool's late input is its arguments, in every key RunTool uses")
	assert.Equal(t, `{"q":"later"}`, late.Attrs["agentops.tool.input"])
	assert.Equal(t, spans["step.task"].SpanID, spans["execute_tool inner"].ParentSpanID)
	assert.JSONEq(t, `{"q":"known later"}`, spans["streamed.task"].Attrs["agentops.task.input"].(string))
	silent := spans["execute_tool silent"]
	assert.Equal(t, "x", silent.Attrs["gen_ai.tool.call.arguments"])
	assert.NotContains(t, silent.Attrs, "gen_ai.tool.call.result", "no result reported, none recorded")
	assert.Equal(t, string(Failure), spans["ctx-run.session"].Attrs["agentops.session.end_state"])
	assert.Equal(t, "error", spans["ctx-run.session"].Status.Code)
}

// Many runs interleaved on many goroutines, with keys reused by recursion:
// every end closes its own start, and every span ends exactly once.
func TestBridgeKeepsStartsAndEndsPairedUnderConcurrency(t *testing.T) {
	b := fakebackend.New(t)
	c := newTestClient(t, b)
	br := NewBridge()
	ctx := br.StartSession(context.Background(), "root", "concurrent")
	const workers, depth = 8, 3
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			key := fmt.Sprintf("worker-%d", w)
			for d := range depth { // the same key, nested: a recursive chain
				br.Start(ctx, BridgeStart{Key: key, Parent: "root", Kind: KindTask, Name: fmt.Sprintf("w%d-d%d", w, d)})
			}
			for range depth {
				assert.True(t, br.End(key, BridgeEnd{}))
			}
		})
	}
	wg.Wait()
	br.End("root", BridgeEnd{})
	assert.Zero(t, br.Open())
	assert.Zero(t, br.Unmatched())
	flush(t, c)

	spans := b.WaitForSpans(t, 1+workers*depth, 5*time.Second)
	names := map[string]int{}
	for _, s := range spans {
		names[s.Name]++
		assert.False(t, s.EndTime.Before(s.StartTime), s.Name)
	}
	for w := range workers {
		for d := range depth {
			assert.Equal(t, 1, names[fmt.Sprintf("w%d-d%d.task", w, d)], "each run is one span")
		}
	}
	// The last started of a key ends first: its span lies inside the
	// span of the one started before it.
	byN := map[string]fakebackend.Span{}
	for _, s := range spans {
		byN[s.Name] = s
	}
	outer, inner := byN["w0-d0.task"], byN["w0-d2.task"]
	assert.False(t, inner.EndTime.After(outer.EndTime))
}

// Ends without a start, odd keys, and runs the framework never ended.
func TestBridgeSurvivesAFrameworksMistakes(t *testing.T) {
	b := fakebackend.New(t)
	c := newTestClient(t, b)
	br := NewBridge()

	assert.False(t, br.End("never-started", BridgeEnd{}))
	assert.Equal(t, uint64(1), br.Unmatched())
	ctx := context.Background()
	assert.Equal(t, ctx, br.Start(ctx, BridgeStart{Key: []string{"not", "comparable"}, Kind: KindTask, Name: "x"}),
		"an unusable key records nothing rather than panicking")
	assert.False(t, br.End([]string{"not", "comparable"}, BridgeEnd{}))
	assert.False(t, br.Message("nobody", "user", "hi"))
	assert.False(t, br.SetInput("nobody", "x"))
	assert.Equal(t, ctx, br.Start(ctx, BridgeStart{Kind: KindTask, Name: "no key"}), "a nil key would pair every keyless run")

	sctx := br.StartSession(ctx, "s", "abandoned")
	br.Start(sctx, BridgeStart{Key: "a", Parent: "s", Kind: KindAgent, Name: "left-open"})
	br.Start(sctx, BridgeStart{Key: "b", Parent: "a", Kind: KindLLM, Name: "gpt-4o"})
	assert.Equal(t, 3, br.Open())
	br.Close()
	assert.Zero(t, br.Open())
	flush(t, c)

	spans := byName(t, b.WaitForSpans(t, 3, 5*time.Second))
	for _, name := range []string{"abandoned.session", "invoke_agent left-open", "chat gpt-4o"} {
		assert.Equal(t, "error", spans[name].Status.Code, name)
	}
	assert.Contains(t, spans["invoke_agent left-open"].Status.Message, "never reported the end")
	assert.False(t, spans["chat gpt-4o"].EndTime.After(spans["invoke_agent left-open"].EndTime), "children end before parents")
	assert.False(t, spans["invoke_agent left-open"].EndTime.After(spans["abandoned.session"].EndTime))
}

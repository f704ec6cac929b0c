package agentops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// A planner runs three sub-agents at once, each calling a model and a
// tool; one tool fails, and one tool outlives the planner that started it.
// The trace nests every step under its parent, by start, and sums them up.
func TestRecorderTreeWithConcurrentSubAgents(t *testing.T) {
	newStepsClient(t)
	ctx, sess := StartSession(context.Background(), "research")
	rec := RecordSteps(sess)

	pctx, planner := StartSpan(ctx, KindAgent, "planner")
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Go(func() {
			actx, worker := StartSpan(pctx, KindAgent, fmt.Sprint("worker-", i))
			_, llm := StartLLM(actx, LLMRequest{Provider: "openai", Model: "gpt-4o-mini",
				Messages: []Message{{Role: "user", Content: fmt.Sprint("question ", i)}}})
			llm.End(LLMResponse{Model: "gpt-4o-mini-2024-07-18",
				Choices: []Choice{{Message: Message{Role: "assistant", Content: fmt.Sprint("answer ", i)}, FinishReason: "stop"}},
				Usage:   &Usage{InputTokens: 100, OutputTokens: 10, CacheReadTokens: 20}}, nil)
			_ = Do(actx, KindTool, "search", func(context.Context) error {
				if i == 1 {
					return errors.New("search is down")
				}
				return nil
			})
			worker.End(nil)
		})
	}
	wg.Wait()
	_, late := StartSpan(pctx, KindTool, "late_write")
	planner.End(nil)
	late.End(nil)
	sess.End(Success)

	tr := rec.Trace()
	root := tr.Root
	assert.Equal(t, "research.session", root.Name)
	assert.Equal(t, "session", root.Kind)
	assert.Equal(t, StepOK, root.Status)
	require.Len(t, root.Children, 1)
	plan := root.Children[0]
	assert.Equal(t, "invoke_agent planner", plan.Name)
	require.Len(t, plan.Children, 4)
	assert.Equal(t, "execute_tool late_write", plan.Children[3].Name, "a step that ended after its parent stays under it")
	assert.Equal(t, StepOK, plan.Children[3].Status)

	workers := map[string]bool{}
	for _, w := range plan.Children[:3] {
		workers[w.Name] = true
		require.Len(t, w.Children, 2, w.Name)
		chat, search := w.Children[0], w.Children[1]
		assert.Equal(t, "chat gpt-4o-mini", chat.Name)
		assert.Equal(t, "llm", chat.Kind)
		assert.Equal(t, "gpt-4o-mini-2024-07-18", chat.Model)
		assert.Equal(t, "openai", chat.Provider)
		assert.Equal(t, 100, chat.InputTokens)
		assert.Equal(t, 10, chat.OutputTokens)
		assert.Equal(t, 20, chat.CachedTokens)
		suffix := w.Name[len(w.Name)-1:]
		assert.Equal(t, "question "+suffix, chat.Input, "an LLM step's input is its last prompt message")
		assert.Equal(t, "answer "+suffix, chat.Output)
		assert.Equal(t, "execute_tool search", search.Name)
		if suffix == "1" {
			assert.Equal(t, StepError, search.Status)
			assert.Equal(t, "search is down", search.Error)
		}
	}
	assert.Equal(t, map[string]bool{"invoke_agent worker-0": true, "invoke_agent worker-1": true, "invoke_agent worker-2": true}, workers)
	assertOrderedByStart(t, root)

	assert.Equal(t, TraceTotals{
		Duration: root.Duration, Steps: 12, LLMCalls: 3, ToolCalls: 4,
		InputTokens: 300, OutputTokens: 30, CachedTokens: 60, Errors: 1,
	}, tr.Totals)

	// The JSON form is the API answer, and reads back whole.
	data, err := json.Marshal(tr)
	require.NoError(t, err)
	var back Trace
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, tr, back)
	assert.Contains(t, string(data), `"totals":{"duration_ns":`)
	assert.Contains(t, string(data), `"llm_calls":3,"tool_calls":4`)
}

func assertOrderedByStart(t *testing.T, s Step) {
	t.Helper()
	for i, c := range s.Children {
		if i > 0 {
			assert.False(t, c.Start.Before(s.Children[i-1].Start), "%s starts before its older sibling", c.Name)
		}
		assertOrderedByStart(t, c)
	}
}

func TestRecorderLifetime(t *testing.T) {
	c := newStepsClient(t)

	t.Run("while the session runs, and after Close", func(t *testing.T) {
		ctx, sess := c.StartSession(context.Background(), "live")
		rec := RecordSteps(sess)
		_, long := StartSpan(ctx, KindTask, "long")

		tr := rec.Trace()
		assert.Equal(t, StepRunning, tr.Root.Status)
		require.Len(t, tr.Root.Children, 1)
		assert.Equal(t, StepRunning, tr.Root.Children[0].Status)
		assert.Equal(t, 2, tr.Totals.Steps)

		long.End(nil)
		rec.Close()
		rec.Close()
		_ = Do(ctx, KindTask, "unrecorded", func(context.Context) error { return nil })
		sess.End(Success)

		tr = rec.Trace()
		assert.Equal(t, StepRunning, tr.Root.Status, "the root's end came after Close")
		require.Len(t, tr.Root.Children, 1)
		assert.Equal(t, StepOK, tr.Root.Children[0].Status)
		assert.Nil(t, c.pipe.steps.sinks.Load(), "a closed Recorder leaves the hub")
	})

	t.Run("until the session ends", func(t *testing.T) {
		ctx, sess := c.StartSession(context.Background(), "ending")
		rec := RecordSteps(sess)
		_, straggler := StartSpan(ctx, KindTask, "straggler")
		sess.End(Success)
		straggler.End(nil)

		tr := rec.Trace()
		assert.Equal(t, StepOK, tr.Root.Status)
		require.Len(t, tr.Root.Children, 1)
		assert.Equal(t, StepRunning, tr.Root.Children[0].Status, "the recording stopped at the session's end")
		assert.Nil(t, c.pipe.steps.sinks.Load())
	})

	t.Run("a session already ended", func(t *testing.T) {
		_, sess := c.StartSession(context.Background(), "over")
		sess.End(Failure)
		tr := RecordSteps(sess).Trace()
		assert.Equal(t, "over.session", tr.Root.Name)
		assert.Equal(t, StepError, tr.Root.Status)
		assert.Equal(t, 1, tr.Totals.Errors)
		assert.Nil(t, c.pipe.steps.sinks.Load())
	})

	t.Run("no session", func(t *testing.T) {
		_, noop := (*Client)(nil).StartSession(context.Background(), "noop")
		assert.Equal(t, Trace{}, RecordSteps(noop).Trace())
		assert.Equal(t, Trace{}, RecordSteps(nil).Trace())
	})
}

// Past StepRecordLimit a recording drops new steps and counts them.
func TestRecorderLimit(t *testing.T) {
	newStepsClient(t)
	ctx, sess := StartSession(context.Background(), "long")
	rec := RecordSteps(sess)
	const over = 5
	for range StepRecordLimit - 1 + over {
		_, s := StartSpan(ctx, KindTask, "step")
		s.End(nil)
	}
	sess.End(Success)

	tr := rec.Trace()
	assert.Equal(t, StepRecordLimit, tr.Totals.Steps)
	assert.EqualValues(t, over, tr.Totals.Dropped)
	assert.Equal(t, StepOK, tr.Root.Status, "the end of a step already held is recorded when full")
	assert.Len(t, tr.Root.Children, StepRecordLimit-1)
}

// A session the sampler drops sends no span to the hub: neither a Recorder
// nor a Subscription waits for it there.
func TestSampledOutSessionIsNotWaitedFor(t *testing.T) {
	c := newStepsClient(t, WithSampler(sdktrace.NeverSample()))
	_, sess := c.StartSession(context.Background(), "dropped")
	defer sess.End(Success)

	assert.Equal(t, Trace{}, RecordSteps(sess).Trace())
	assert.Empty(t, collect(t, Subscribe(ForSession(sess))))
	assert.Nil(t, c.pipe.steps.sinks.Load())
}

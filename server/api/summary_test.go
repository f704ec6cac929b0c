package api

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/server/model"
)

func TestSummarizeFixture(t *testing.T) {
	s := Summarize(fixtureSpans())
	assert.Equal(t, traceA, s.TraceID)
	assert.Equal(t, 7, s.Spans)
	assert.Equal(t, 1000.0, s.DurationMS, "the session root's duration")
	assert.Equal(t, Tokens{Input: 300, Output: 130, CacheRead: 20, Reasoning: 10, Total: 430}, s.Tokens)
	assert.InDelta(t, 0.03, s.Cost, 1e-12)
	assert.Equal(t, 2, s.LLMCalls)
	assert.Equal(t, 3, s.ToolCalls)
	assert.Equal(t, 1, s.Errors)

	require.Len(t, s.Models, 1)
	m := s.Models[0]
	assert.Equal(t, "gpt-4o", m.Model)
	assert.Equal(t, "openai", m.Provider)
	assert.Equal(t, 2, m.Calls)
	assert.Equal(t, s.Tokens, m.Tokens)
	assert.InDelta(t, 0.03, m.Cost, 1e-12)

	// session 0-1000 holds the agent 0-900: self 100 (the orphan 950-990
	// is not its child). The agent's four calls cover 10-860: self 50.
	assert.Equal(t, []ClassTime{
		{Class: "session", Count: 1, TotalMS: 1000, SelfMS: 100},
		{Class: "agent", Count: 1, TotalMS: 900, SelfMS: 50},
		{Class: "llm", Count: 2, TotalMS: 600, SelfMS: 600},
		{Class: "tool", Count: 3, TotalMS: 290, SelfMS: 290},
	}, s.Classes)

	assert.Equal(t, TTFTStats{Count: 2, MinMS: 100, MeanMS: 200, P50MS: 100, P90MS: 300, MaxMS: 300}, s.TTFT)
}

func TestSummarizeCountsUsageOnce(t *testing.T) {
	withUsage := func(in, out int64, cost float64) func(*model.Span) {
		return func(s *model.Span) { s.Derived.InputTokens, s.Derived.OutputTokens, s.Derived.Cost = in, out, cost }
	}
	spans := []model.Span{
		// The agent repeats its calls' totals, as some frameworks record.
		mk("0000000000000001", "", "agent", "agent", 0, 100, withUsage(30, 12, 0.3)),
		mk("0000000000000002", "0000000000000001", "a", "llm", 0, 40, llm("gpt-4o-mini", 10, 5, 0.1, 0)),
		mk("0000000000000003", "0000000000000001", "b", "llm", 40, 80, llm("claude-3-5-haiku", 20, 7, 0.2, 0)),
		// An embedding without a model name, and an LLM call that reported
		// no usage.
		mk("0000000000000004", "0000000000000001", "embed", "embedding", 80, 90, withUsage(4, 0, 0)),
		mk("0000000000000005", "0000000000000001", "c", "llm", 90, 95, llm("gpt-4o-mini", 0, 0, 0, 0)),
	}
	s := Summarize(spans)
	assert.Equal(t, Tokens{Input: 34, Output: 12, Total: 46}, s.Tokens)
	assert.InDelta(t, 0.3, s.Cost, 1e-12)
	assert.Equal(t, 4, s.LLMCalls, "embeddings count, as in the store's session roll-up")
	require.Len(t, s.Models, 3)
	assert.Equal(t, "claude-3-5-haiku", s.Models[0].Model, "costliest first")
	assert.Equal(t, 1, s.Models[0].Calls)
	assert.Equal(t, "gpt-4o-mini", s.Models[1].Model)
	assert.Equal(t, 2, s.Models[1].Calls)
	assert.Equal(t, int64(15), s.Models[1].Tokens.Total)
	assert.Equal(t, ModelUsage{Model: "unknown", Calls: 1, Tokens: Tokens{Input: 4, Total: 4}}, s.Models[2])
}

func TestSummarizeEmptyAndUnended(t *testing.T) {
	s := Summarize(nil)
	assert.Equal(t, Summary{Models: []ModelUsage{}, Classes: []ClassTime{}}, s)

	// No session root yet, one span with an end before its start: the
	// duration is the spans' extent, from 0 to 300 ms, and the broken span
	// counts zero.
	spans := []model.Span{
		mk("0000000000000001", "", "a", "", 0, 50),
		mk("0000000000000002", "", "b", "tool", 100, 300),
	}
	spans[0].End = spans[0].End.AddDate(-1, 0, 0)
	s = Summarize(spans)
	assert.Equal(t, 300.0, s.DurationMS)
	assert.Equal(t, []ClassTime{{Class: "tool", Count: 1, TotalMS: 200, SelfMS: 200}, {Class: "other", Count: 1}}, s.Classes)
}

func TestTTFTPercentiles(t *testing.T) {
	v := []float64{10, 1, 9, 2, 8, 3, 7, 4, 6, 5}
	assert.Equal(t, TTFTStats{Count: 10, MinMS: 1, MeanMS: 5.5, P50MS: 5, P90MS: 9, MaxMS: 10}, ttftStats(v))
	assert.Equal(t, TTFTStats{Count: 1, MinMS: 7, MeanMS: 7, P50MS: 7, P90MS: 7, MaxMS: 7}, ttftStats([]float64{7}))
}

package agentops

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/steps")

// goldenEvents are a session's events at fixed times: a planner calls a
// model, a tool that fails, the model again, and leaves a task running.
func goldenEvents() []StepEvent {
	t0 := time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	const trace = "4bf92f3577b34da6a3ce929d0e0e4736"
	step := func(id, parent, name, kind string, start time.Duration) Step {
		return Step{TraceID: trace, SpanID: id, ParentID: parent, Name: name, Kind: kind, Start: at(start), Status: StepRunning}
	}
	end := func(s Step, d time.Duration) Step {
		s.End, s.Duration, s.Status = s.Start.Add(d), d, StepOK
		return s
	}
	root := step("00f067aa0ba902b7", "", "research.session", "session", 0)
	root.Input = "Which Go release added range-over-func?"
	planner := step("a1b2c3d4e5f60718", root.SpanID, "invoke_agent planner", "agent", 2*time.Millisecond)
	chat1 := step("b1b2c3d4e5f60718", planner.SpanID, "chat gpt-4o-mini", "llm", 5*time.Millisecond)
	chat1Done := end(chat1, 420*time.Millisecond)
	chat1Done.Model, chat1Done.Provider = "gpt-4o-mini-2024-07-18", "openai"
	chat1Done.InputTokens, chat1Done.OutputTokens, chat1Done.CachedTokens = 120, 30, 64
	chat1Done.Input = "Which Go release added range-over-func?"
	chat1Done.Output = "I will search the release notes."
	search := step("c1b2c3d4e5f60718", planner.SpanID, "execute_tool web_search", "tool", 430*time.Millisecond)
	search.ToolName = "web_search"
	searchDone := end(search, 1310*time.Millisecond)
	searchDone.Status, searchDone.Error = StepError, "GET https://search.example: 503 Service Unavailable\nretry later"
	searchDone.Input = `{"q": "go 1.23 range over func"}`
	searchDone.Cost = 0.0005
	chat2 := step("d1b2c3d4e5f60718", planner.SpanID, "chat gpt-4o-mini", "llm", 1750*time.Millisecond)
	chat2Done := end(chat2, 850*time.Microsecond)
	chat2Done.Model, chat2Done.Provider = "gpt-4o-mini-2024-07-18", "openai"
	chat2Done.InputTokens, chat2Done.OutputTokens, chat2Done.ReasoningTokens = 180, 45, 12
	chat2Done.Output = "Go 1.23 <August 2024> added range-over-func & iterators."
	chat2Done.Cost = 0.00011
	cleanup := step("e1b2c3d4e5f60718", planner.SpanID, "cleanup.task", "task", 1760*time.Millisecond)
	plannerDone := end(planner, 1800*time.Millisecond)
	rootDone := end(root, 72*time.Second)

	var events []StepEvent
	for _, ev := range []struct {
		typ  StepEventType
		step Step
	}{
		{StepStarted, root}, {StepStarted, planner}, {StepStarted, chat1}, {StepEnded, chat1Done},
		{StepStarted, search}, {StepEnded, searchDone}, {StepStarted, chat2}, {StepEnded, chat2Done},
		{StepStarted, cleanup}, {StepEnded, plannerDone}, {StepEnded, rootDone},
	} {
		events = append(events, StepEvent{Type: ev.typ, Step: ev.step})
	}
	return events
}

func goldenTrace() Trace {
	events := goldenEvents()
	c := &stepCollector{rootID: events[0].Step.SpanID, index: map[string]int{}}
	for _, ev := range events {
		c.add(ev)
	}
	return c.trace()
}

// checkGolden compares got with testdata/steps/name, or rewrites the file
// under -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "steps", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -run %s -update to create it", t.Name())
	assert.Equal(t, string(want), string(got))
}

func TestTraceFormats(t *testing.T) {
	tr := goldenTrace()
	for _, f := range []Format{FormatCompact, FormatDetailed, FormatJSON} {
		t.Run(f.String(), func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, tr.Print(&b, f))
			checkGolden(t, f.String()+".golden", b.Bytes())
		})
	}
}

func TestTraceJSONReadsBack(t *testing.T) {
	tr := goldenTrace()
	var b bytes.Buffer
	require.NoError(t, tr.Print(&b, FormatJSON))
	var back Trace
	require.NoError(t, json.Unmarshal(b.Bytes(), &back))
	assert.Equal(t, tr, back)
}

func TestStreamSteps(t *testing.T) {
	events := goldenEvents()
	sub := &Subscription{events: make(chan StepEvent, len(events))}
	for _, ev := range events {
		sub.events <- ev
	}
	sub.Close()

	var b bytes.Buffer
	require.NoError(t, StreamSteps(context.Background(), &b, sub))
	checkGolden(t, "stream.golden", b.Bytes())
}

func TestStreamStepsStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	open := &Subscription{events: make(chan StepEvent, 1)}
	assert.ErrorIs(t, StreamSteps(ctx, &bytes.Buffer{}, open), context.Canceled)

	broken := errors.New("the client went away")
	open.events <- goldenEvents()[3]
	assert.ErrorIs(t, StreamSteps(context.Background(), failingWriter{broken}, open), broken)
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

func TestPrintEdges(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, Trace{}.Print(&b, FormatCompact))
	assert.Empty(t, b.String(), "an empty trace has no step to show")
	require.NoError(t, Trace{}.Print(&b, FormatDetailed))
	assert.Equal(t, "totals: 0s, 0 steps, 0 LLM calls, 0 tool calls, 0 tokens (0 in, 0 out), 0 errors\n", b.String())

	assert.ErrorContains(t, goldenTrace().Print(&b, Format(0)), "Format(0) is not a Format")
	broken := errors.New("disk full")
	assert.ErrorIs(t, goldenTrace().Print(failingWriter{broken}, FormatCompact), broken)
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                          "0s",
		850*time.Microsecond + 400: "850µs",
		420*time.Millisecond + 499*time.Microsecond: "420ms",
		1254 * time.Millisecond:                     "1.25s",
		59*time.Second + 994*time.Millisecond:       "59.99s",
		123 * time.Second:                           "2m3s",
	} {
		assert.Equal(t, want, formatDuration(d), "%d", d)
	}
}

package agentops

import (
	"cmp"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/agentops-go/agentops/internal/semconv"
)

// Trace is one session's steps as a tree, with their totals: what an API
// can answer with to show how the program came to its answer. json.Marshal
// gives its documented form. The zero Trace is empty.
type Trace struct {
	// Root is the session's root step, and every other step hangs beneath
	// it: under its parent, or under the root itself when its parent was
	// not recorded.
	Root   Step        `json:"root,omitzero"`
	Totals TraceTotals `json:"totals"`
}

// TraceTotals sums up a Trace.
type TraceTotals struct {
	// Duration is the root's, or while it runs the time from its start to
	// the latest start or end of a step.
	Duration        time.Duration `json:"duration_ns"`
	Steps           int           `json:"steps"`
	LLMCalls        int           `json:"llm_calls"`
	ToolCalls       int           `json:"tool_calls"`
	InputTokens     int           `json:"input_tokens"`
	OutputTokens    int           `json:"output_tokens"`
	CachedTokens    int           `json:"cached_tokens,omitempty"`
	ReasoningTokens int           `json:"reasoning_tokens,omitempty"`
	Cost            float64       `json:"cost_usd,omitempty"`
	// Errors counts the steps that ended with an error.
	Errors int `json:"errors"`
	// Dropped counts the steps not recorded because the recording held
	// StepRecordLimit steps already when they started.
	Dropped uint64 `json:"dropped,omitempty"`
}

// StepRecordLimit bounds the steps one recording holds (a Recorder, or a
// session under WithConsole), so that an agent that loops for hours cannot
// grow it without end. Past it new steps are dropped and counted; the ends
// of the steps already held are still recorded.
const StepRecordLimit = 10_000

// stepCollector gathers one session's steps from their start and end
// events, in whatever order concurrent goroutines deliver them.
//
// It is safe for concurrent use.
type stepCollector struct {
	rootID string

	mu      sync.Mutex
	index   map[string]int // span ID → position in steps
	steps   []Step
	dropped uint64
}

func newStepCollector(root trace.SpanID) *stepCollector {
	return &stepCollector{rootID: root.String(), index: map[string]int{}}
}

// add records an event. A step's end replaces its start; a start that
// comes after the end (a recording that read a span as it was ending)
// is ignored.
func (c *stepCollector) add(ev StepEvent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i, known := c.index[ev.Step.SpanID]
	switch {
	case known && ev.Type == StepEnded:
		c.steps[i] = ev.Step
	case known:
	case len(c.steps) >= StepRecordLimit:
		// Counted at its start, so that its end does not count it twice.
		if ev.Type == StepStarted {
			c.dropped++
		}
	default:
		c.index[ev.Step.SpanID] = len(c.steps)
		c.steps = append(c.steps, ev.Step)
	}
}

// trace builds the tree of the steps recorded so far.
func (c *stepCollector) trace() Trace {
	c.mu.Lock()
	steps, dropped := slices.Clone(c.steps), c.dropped
	c.mu.Unlock()
	return buildTrace(c.rootID, steps, dropped)
}

// buildTrace nests steps under rootID, each step's children ordered by
// start (then span ID, so that equal starts come out the same every time).
func buildTrace(rootID string, steps []Step, dropped uint64) Trace {
	t := Trace{Totals: TraceTotals{Steps: len(steps), Dropped: dropped}}
	recorded := make(map[string]bool, len(steps))
	for _, s := range steps {
		recorded[s.SpanID] = true
	}
	root := -1
	children := map[string][]int{}
	var latest time.Time
	for i, s := range steps {
		t.Totals.add(s)
		latest = maxTime(latest, s.Start, s.End)
		if s.SpanID == rootID {
			root = i
			continue
		}
		parent := s.ParentID
		if !recorded[parent] {
			parent = rootID
		}
		children[parent] = append(children[parent], i)
	}
	if root < 0 {
		return t
	}
	for _, kids := range children {
		slices.SortFunc(kids, func(a, b int) int {
			return cmp.Or(steps[a].Start.Compare(steps[b].Start), cmp.Compare(steps[a].SpanID, steps[b].SpanID))
		})
	}
	t.Root = nestSteps(steps, children, root)
	t.Totals.Duration = t.Root.Duration
	if t.Root.Status == StepRunning {
		t.Totals.Duration = latest.Sub(t.Root.Start)
	}
	return t
}

func nestSteps(steps []Step, children map[string][]int, i int) Step {
	s := steps[i]
	for _, c := range children[s.SpanID] {
		s.Children = append(s.Children, nestSteps(steps, children, c))
	}
	return s
}

func (t *TraceTotals) add(s Step) {
	switch s.Kind {
	case semconv.KindLLM:
		t.LLMCalls++
	case semconv.KindTool:
		t.ToolCalls++
	}
	if s.Status == StepError {
		t.Errors++
	}
	t.InputTokens += s.InputTokens
	t.OutputTokens += s.OutputTokens
	t.CachedTokens += s.CachedTokens
	t.ReasoningTokens += s.ReasoningTokens
	t.Cost += s.Cost
}

func maxTime(ts ...time.Time) time.Time {
	var m time.Time
	for _, t := range ts {
		if t.After(m) {
			m = t
		}
	}
	return m
}

// Recorder records one session's steps for Trace: the answer to "how did
// you get this?" that a program can send with its answer. It records from
// RecordSteps until the session's root ends, or until Close or
// Client.Shutdown.
//
// It is safe for concurrent use.
type Recorder struct {
	traceID trace.TraceID
	steps   *stepCollector
	hub     *stepHub
	closed  atomic.Bool
}

// RecordSteps starts recording sess's steps. The session's root is read as
// it is now, its other steps as they start and end from now on: call it
// right after StartSession. For a session that is not recorded (a no-op
// session, one sampled out or already ended) the Recorder holds at most the
// root.
func RecordSteps(sess *Session) *Recorder {
	if sess == nil {
		return &Recorder{steps: newStepCollector(trace.SpanID{})}
	}
	r := &Recorder{traceID: sess.traceID, steps: newStepCollector(sess.span.SpanContext().SpanID())}
	// Only a recorded session's spans reach the hub; for any other there is
	// nothing to wait for.
	if c := sess.client; sess.span.IsRecording() && c != nil && c.pipe != nil {
		r.hub = c.pipe.steps
	}
	if r.hub == nil || !r.hub.add(r) {
		r.closed.Store(true)
	}
	// The root started before the Recorder: read it now that the Recorder
	// is in place, so that its end cannot fall between the two.
	if ro, ok := sess.span.(sdktrace.ReadOnlySpan); ok {
		ev := StepEvent{Type: StepStarted, Step: stepFromSpan(ro)}
		if ev.Step.Status != StepRunning {
			ev.Type = StepEnded
			r.Close()
		}
		r.steps.add(ev)
	}
	return r
}

// Trace returns the steps recorded so far as a tree, with their totals.
// Steps still running have the status StepRunning.
func (r *Recorder) Trace() Trace { return r.steps.trace() }

// Close stops the recording; Trace still answers with what was recorded.
// Calls after the first do nothing.
func (r *Recorder) Close() {
	if r.closed.CompareAndSwap(false, true) {
		r.hub.remove(r)
	}
}

func (r *Recorder) wants(id trace.TraceID) bool { return id == r.traceID }

func (r *Recorder) receive(ev StepEvent) {
	if r.closed.Load() { // an event that raced with Close
		return
	}
	r.steps.add(ev)
	if ev.Type == StepEnded && ev.Step.SpanID == r.steps.rootID {
		r.Close()
	}
}

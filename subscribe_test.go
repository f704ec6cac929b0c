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
)

// newStepsClient is a Client that exports nowhere: steps need no backend.
// Init replaces the default Client, so tests that use it must not run in
// parallel.
func newStepsClient(t *testing.T, opts ...Option) *Client {
	t.Helper()
	base := []Option{WithoutDefaultExporter(), WithLogger(discardLogger()), WithSourceCapture(false)}
	c, err := Init(context.Background(), append(base, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = c.Shutdown(ctx)
	})
	return c
}

// collect reads sub until its channel closes, and fails the test if it
// stays open.
func collect(t *testing.T, sub *Subscription) []StepEvent {
	t.Helper()
	var events []StepEvent
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev, ok := <-sub.Events():
			if !ok {
				return events
			}
			events = append(events, ev)
		case <-timeout:
			t.Fatalf("the subscription is still open after %d events", len(events))
		}
	}
}

func eventNames(events []StepEvent) []string {
	names := make([]string, len(events))
	for i, ev := range events {
		names[i] = string(ev.Type) + " " + ev.Step.Name
	}
	return names
}

func TestSubscriptionOrdersStartsAndEnds(t *testing.T) {
	c := newStepsClient(t)
	ctx, sess := c.StartSession(context.Background(), "research")
	sub := Subscribe(ForSession(sess))

	actx, agent := StartSpan(ctx, KindAgent, "planner")
	_, tool := StartSpan(actx, KindTool, "web_search", WithInput(map[string]string{"q": "go"}))
	tool.SetOutput("two hits")
	tool.End(nil)
	agent.End(errors.New("the planner gave up"))
	sess.End(Success)

	// The channel closes after the session's root ends.
	events := collect(t, sub)
	require.Equal(t, []string{
		"started invoke_agent planner",
		"started execute_tool web_search",
		"ended execute_tool web_search",
		"ended invoke_agent planner",
		"ended research.session",
	}, eventNames(events))
	assert.Zero(t, sub.Dropped())

	started, ended := events[1].Step, events[2].Step
	assert.Equal(t, StepRunning, started.Status)
	assert.True(t, started.End.IsZero())
	assert.Empty(t, started.Output, "nothing is known of a step's output at its start")

	agentID := events[0].Step.SpanID
	assert.Equal(t, sess.TraceID().String(), ended.TraceID)
	assert.Equal(t, started.SpanID, ended.SpanID)
	assert.Equal(t, agentID, ended.ParentID)
	assert.Equal(t, "tool", ended.Kind)
	assert.Equal(t, "web_search", ended.ToolName)
	assert.Equal(t, `{"q":"go"}`, ended.Input)
	assert.Equal(t, "two hits", ended.Output)
	assert.Equal(t, StepOK, ended.Status)
	assert.Equal(t, ended.End.Sub(ended.Start), ended.Duration)
	assert.Positive(t, ended.Duration)

	failed := events[3].Step
	assert.Equal(t, StepError, failed.Status)
	assert.Equal(t, "the planner gave up", failed.Error)

	root := events[4].Step
	assert.Equal(t, "session", root.Kind)
	assert.Empty(t, root.ParentID)
	assert.Equal(t, root.SpanID, events[0].Step.ParentID)
}

// Two sessions run at once: each session's subscription gets its own
// session's events only, and an unfiltered one gets both.
func TestSubscriptionFiltersBySession(t *testing.T) {
	c := newStepsClient(t)
	all := c.Subscribe(WithBuffer(1000))
	const tools = 20

	type run struct {
		ctx  context.Context
		sess *Session
		sub  *Subscription
	}
	runs := map[string]*run{}
	for _, name := range []string{"a", "b"} {
		ctx, sess := StartSession(context.Background(), name)
		runs[name] = &run{ctx: ctx, sess: sess, sub: Subscribe(ForSession(sess))}
	}
	var wg sync.WaitGroup
	for name, r := range runs {
		wg.Go(func() {
			for i := range tools {
				_ = Do(r.ctx, KindTool, fmt.Sprintf("%s-%d", name, i), func(context.Context) error { return nil })
			}
			r.sess.End(Success)
		})
	}
	wg.Wait()

	perTrace := map[string]int{}
	for name, r := range runs {
		events := collect(t, r.sub)
		require.Len(t, events, 2*tools+1, "session %s: its tools' starts and ends, and its root's end", name)
		for _, ev := range events {
			require.Equal(t, r.sess.TraceID().String(), ev.Step.TraceID, "session %s got %s", name, ev.Step.Name)
		}
		assert.Equal(t, name+".session", events[len(events)-1].Step.Name)
		perTrace[r.sess.TraceID().String()] = 0
	}

	all.Close()
	for _, ev := range collect(t, all) {
		perTrace[ev.Step.TraceID]++
	}
	assert.Len(t, perTrace, 2, "the unfiltered subscription sees both sessions and nothing else")
	for id, n := range perTrace {
		assert.Equal(t, 2*tools+2, n, "trace %s: its tools, and its root's start and end", id)
	}
	assert.Zero(t, all.Dropped())
}

// A subscriber that never reads costs the agent nothing but the events it
// misses, and says how many.
func TestSlowSubscriberNeverBlocksTheAgent(t *testing.T) {
	c := newStepsClient(t)
	sub := c.Subscribe(WithBuffer(4))
	const spans = 100

	done := make(chan struct{})
	go func() {
		defer close(done)
		ctx, sess := StartSession(context.Background(), "busy")
		for i := range spans {
			_, s := StartSpan(ctx, KindTool, fmt.Sprint("t", i))
			s.End(nil)
		}
		sess.End(Success)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a subscriber that does not read blocked the agent")
	}

	assert.EqualValues(t, 2*spans+2-4, sub.Dropped(), "every event past the buffer's 4 is dropped and counted")
	sub.Close()
	events := collect(t, sub)
	assert.Equal(t, []string{"started busy.session", "started execute_tool t0", "ended execute_tool t0", "started execute_tool t1"},
		eventNames(events), "the buffer keeps the first events, not the latest")
}

func TestSubscriptionLifecycle(t *testing.T) {
	t.Run("without a Client", func(t *testing.T) {
		collect(t, (*Client)(nil).Subscribe())
		_, noop := (*Client)(nil).StartSession(context.Background(), "noop")
		collect(t, Subscribe(ForSession(noop)))
		collect(t, Subscribe(ForSession(nil)))
	})

	c := newStepsClient(t)
	hub := c.pipe.steps

	t.Run("Close", func(t *testing.T) {
		sub := c.Subscribe()
		sub.Close()
		sub.Close()
		collect(t, sub)
		_, s := c.StartSpan(context.Background(), KindTask, "after-close")
		s.End(nil) // must not send on the closed channel
		assert.Nil(t, hub.sinks.Load(), "a closed subscription leaves the hub")
	})

	t.Run("an ended session", func(t *testing.T) {
		_, sess := c.StartSession(context.Background(), "over")
		sess.End(Success)
		assert.Empty(t, collect(t, Subscribe(ForSession(sess))))
	})

	t.Run("a session's end", func(t *testing.T) {
		ctx, sess := c.StartSession(context.Background(), "short")
		sub := c.Subscribe(ForTrace(sess.TraceID()))
		_ = Do(ctx, KindTask, "step", func(context.Context) error { return nil })
		sess.End(Success)
		assert.Len(t, collect(t, sub), 3)
		assert.Nil(t, hub.sinks.Load(), "a subscription that ended with its session leaves the hub")
	})

	t.Run("Shutdown", func(t *testing.T) {
		open := c.Subscribe()
		_, sess := c.StartSession(context.Background(), "left-open")
		forSession := Subscribe(ForSession(sess))
		require.NoError(t, c.Shutdown(context.Background()))

		assert.Equal(t, []string{"started left-open.session", "ended left-open.session"}, eventNames(collect(t, open)),
			"subscribers get the sessions Shutdown ends")
		assert.Equal(t, []string{"ended left-open.session"}, eventNames(collect(t, forSession)))
		collect(t, c.Subscribe())
		assert.Nil(t, hub.sinks.Load())
	})
}

// Closing subscriptions while spans end on other goroutines neither sends
// on a closed channel nor races (under -race).
func TestSubscriptionCloseRacesDelivery(t *testing.T) {
	c := newStepsClient(t)
	ctx, sess := c.StartSession(context.Background(), "racy")
	defer sess.End(Success)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
					_, s := StartSpan(ctx, KindTask, "work")
					s.End(nil)
				}
			}
		})
	}
	var closers sync.WaitGroup
	for range 200 {
		sub := c.Subscribe(WithBuffer(1))
		closers.Go(sub.Close)
		sub.Close()
	}
	closers.Wait()
	close(stop)
	wg.Wait()
	assert.Nil(t, c.pipe.steps.sinks.Load())
}

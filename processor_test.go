package agentops

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// errorLog collects what a processor reports.
type errorLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorLog) handle(err error) { l.mu.Lock(); l.errs = append(l.errs, err); l.mu.Unlock() }

func (l *errorLog) all() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.errs...)
}

// procHarness is a bare provider with only the internal processor on it.
func procHarness(t *testing.T, hooks ...sessionHook) (*Client, *processor, *errorLog) {
	log := &errorLog{}
	p := newProcessor(&diagnostics{handler: log.handle}, hooks, nil)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(p))
	c := &Client{cfg: config{traceName: "default", maxPayload: 1 << 10, instrumentLLM: true}, proc: p,
		tracer: tp.Tracer("test")}
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return c, p, log
}

func TestOnEndNeverWaitsForHooks(t *testing.T) {
	release := make(chan struct{})
	started := make(chan string, jobQueueSize+10)
	c, p, log := procHarness(t, func(ctx context.Context, e SessionEnd) error {
		started <- e.Name
		select {
		case <-release:
		case <-ctx.Done():
		}
		return nil
	})

	_, first := c.StartSession(context.Background(), "first")
	first.End(Success)
	require.Equal(t, "first", <-started, "the worker is busy with the first session")

	// The worker is stuck; fill the queue and one more. None of these Ends
	// may block the caller.
	done := make(chan struct{})
	go func() {
		for i := range jobQueueSize + 1 {
			_, s := c.StartSession(context.Background(), fmt.Sprintf("s%d", i))
			s.End(Success)
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("session End blocked on a busy worker")
	}
	assert.Equal(t, uint64(1), p.dropped.Load(), "the one that did not fit was dropped and counted")
	errs := log.all()
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Error(), fmt.Sprintf(`session "s%d"`, jobQueueSize))
	assert.Contains(t, errs[0].Error(), "skipped")

	close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, p.ForceFlush(ctx))
	assert.Len(t, started, jobQueueSize, "every queued session ran once ForceFlush returned")
}

func TestShutdownCancelsAHungHook(t *testing.T) {
	hookSawCancel := make(chan struct{})
	c, p, _ := procHarness(t, func(ctx context.Context, _ SessionEnd) error {
		<-ctx.Done()
		close(hookSawCancel)
		return ctx.Err()
	})
	_, s := c.StartSession(context.Background(), "hung")
	s.End(Success)

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := p.Shutdown(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), time.Second)
	<-hookSawCancel
	select {
	case <-p.done:
	case <-time.After(time.Second):
		t.Fatal("the worker did not stop")
	}
	require.NoError(t, p.Shutdown(context.Background()), "a second Shutdown is harmless")
}

func TestHookFailuresAreReportedAndTheWorkerGoesOn(t *testing.T) {
	var ran []string
	c, p, log := procHarness(t,
		func(_ context.Context, e SessionEnd) error {
			if e.Name == "panics" {
				panic("hook bug")
			}
			return errors.New("upload failed for " + e.Name)
		},
		func(_ context.Context, e SessionEnd) error { ran = append(ran, e.Name); return nil },
	)
	for _, name := range []string{"panics", "plain"} {
		_, s := c.StartSession(context.Background(), name)
		s.End(Success)
	}
	require.NoError(t, p.ForceFlush(context.Background()))
	assert.Equal(t, []string{"panics", "plain"}, ran, "later hooks and sessions still run")
	var msgs []string
	for _, err := range log.all() {
		msgs = append(msgs, err.Error())
	}
	joined := strings.Join(msgs, "\n")
	assert.Contains(t, joined, `panicked for session "panics": hook bug`)
	assert.Contains(t, joined, "upload failed for plain")
}

func TestProcessorForgetsEndedSessions(t *testing.T) {
	c, p, _ := procHarness(t)
	ctx, s := c.StartSession(context.Background(), "one")
	_, child := c.StartSpan(ctx, KindTask, "child")
	assert.Len(t, p.openSessions(), 1)
	child.End(nil)
	s.End(Success)
	assert.Empty(t, p.openSessions(), "no per-session state outlives the session")
}

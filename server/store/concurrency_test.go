package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/server/model"
)

func TestConcurrentReadsAndWrites(t *testing.T) {
	var committed atomic.Int64
	s := openStore(t, Options{OnCommit: func(c Commit) { committed.Add(int64(len(c.Sessions))) }})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var e errs
	var wg sync.WaitGroup
	const writers, batches, perBatch = 4, 25, 20
	for g := range writers {
		wg.Go(func() {
			for i := range batches {
				tr := traceID(g*1000 + i + 1)
				b := &model.Batch{Spans: []model.Span{rootSpan(tr, i, i+100, "Success")},
					Logs: []model.LogUpload{{TraceID: tr, Text: fmt.Sprintf("log of writer%d batch%d", g, i)}}}
				for j := range perBatch - 1 {
					b.Spans = append(b.Spans, llmSpan(tr, j+2, i+j, i+j+1, "gpt-4o", fmt.Sprintf("w%d b%d s%d", g, i, j)))
				}
				for {
					err := s.Write(ctx, b)
					if errors.Is(err, ErrOverloaded) {
						time.Sleep(time.Millisecond)
						continue
					}
					e.add(err)
					break
				}
			}
		})
	}
	var readers sync.WaitGroup
	var reads atomic.Int64
	var stop atomic.Bool
	for g := range 4 {
		readers.Go(func() {
			ctx := context.Background()
			for !stop.Load() {
				page, err := s.ListSessions(ctx, model.SessionQuery{Limit: 10, Search: []string{"", "log", "w1"}[g%3]})
				e.add(err)
				for _, se := range page.Sessions {
					spans, err := s.Spans(ctx, se.TraceID)
					e.add(err)
					if len(spans) > 0 && int64(len(spans)) < se.Spans {
						e.add(fmt.Errorf("session %s: %d spans read, roll-up says %d", se.TraceID, len(spans), se.Spans))
					}
					_, err = s.Logs(ctx, se.TraceID)
					e.add(err)
				}
				_, err = s.Stats(ctx)
				e.add(err)
				reads.Add(1)
			}
		})
	}
	wg.Wait()
	stop.Store(true)
	readers.Wait()
	require.Empty(t, e.all)
	assert.Positive(t, reads.Load())

	st, err := s.Stats(context.Background())
	require.NoError(t, err)
	assert.EqualValues(t, writers*batches, st.Sessions)
	assert.EqualValues(t, writers*batches*perBatch, st.Spans)
	assert.EqualValues(t, writers*batches*(perBatch-1), st.LLMCalls)
	assert.EqualValues(t, writers*batches, committed.Load(), "one change per batch: each is its own trace")
	page, err := s.ListSessions(context.Background(), model.SessionQuery{Search: "writer3 batch7"})
	require.NoError(t, err)
	assert.Equal(t, []string{traceID(3007 + 1)}, traceIDs(page.Sessions))
}

// TestOverloaded fills the queue behind a writer held in OnCommit.
func TestOverloaded(t *testing.T) {
	entered := make(chan struct{}, 10)
	release := make(chan struct{})
	s := openStore(t, Options{QueueSize: 1, OnCommit: func(Commit) {
		entered <- struct{}{}
		<-release
	}})
	ctx := context.Background()
	batch := func(n int) *model.Batch {
		return &model.Batch{Spans: []model.Span{rootSpan(traceID(n), 0, 1, "Success")}}
	}
	results := make(chan error, 2)
	go func() { results <- s.Write(ctx, batch(1)) }()
	<-entered // the writer is held, after committing batch 1

	go func() { results <- s.Write(ctx, batch(2)) }()
	require.Eventually(t, func() bool { return len(s.queue) == 1 }, 5*time.Second, time.Millisecond)

	start := time.Now()
	err := s.Write(ctx, batch(3))
	require.ErrorIs(t, err, ErrOverloaded)
	require.ErrorIs(t, err, model.ErrOverloaded)
	assert.Less(t, time.Since(start), time.Second, "overload is answered at once")

	// A deadline does not make Write wait for room.
	ctx2, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	assert.ErrorIs(t, s.Write(ctx2, batch(4)), ErrOverloaded)

	close(release)
	require.NoError(t, <-results)
	require.NoError(t, <-results)
	for _, n := range []int{1, 2} {
		_, err := s.Session(ctx, traceID(n))
		assert.NoError(t, err)
	}
	_, err = s.Session(ctx, traceID(3))
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestWriteContext(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	s := openStore(t, Options{OnCommit: func(Commit) { once.Do(func() { <-release }) }})
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, s.Write(canceled, &model.Batch{Spans: []model.Span{rootSpan(traceID(1), 0, 1, "")}}), context.Canceled)

	ctx, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	start := time.Now()
	err := s.Write(ctx, &model.Batch{Spans: []model.Span{rootSpan(traceID(2), 0, 1, "")}})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second)
	close(release)
	// The batch was queued before the deadline: it is written anyway.
	require.Eventually(t, func() bool {
		_, err := s.Session(context.Background(), traceID(2))
		return err == nil
	}, 5*time.Second, time.Millisecond)
}

func TestCloseDrainsTheQueue(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agentops.db")
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	s, err := Open(context.Background(), path, Options{OnCommit: func(Commit) {
		once.Do(func() {
			close(entered)
			<-release
		})
	}})
	require.NoError(t, err)
	write1 := make(chan error)
	go func() {
		write1 <- s.Write(context.Background(), &model.Batch{Spans: []model.Span{rootSpan(traceID(100), 0, 1, "")}})
	}()
	<-entered // the writer is held

	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			assert.NoError(t, s.Write(context.Background(), &model.Batch{Spans: []model.Span{rootSpan(traceID(i+1), 0, 1, "")}}))
		})
	}
	require.Eventually(t, func() bool { return len(s.queue) == 20 }, 5*time.Second, time.Millisecond)
	closed := make(chan error)
	go func() { closed <- s.Close() }()
	require.Eventually(t, s.isClosed, 5*time.Second, time.Millisecond)
	close(release)
	require.NoError(t, <-closed)
	require.NoError(t, <-write1)
	wg.Wait()

	assert.ErrorIs(t, s.Write(context.Background(), &model.Batch{Spans: []model.Span{rootSpan(traceID(99), 0, 1, "")}}), ErrClosed)
	assert.ErrorIs(t, s.Write(context.Background(), &model.Batch{}), ErrClosed)
	_, err = s.Session(context.Background(), traceID(1))
	assert.ErrorIs(t, err, ErrClosed)
	_, err = s.ListSessions(context.Background(), model.SessionQuery{})
	assert.ErrorIs(t, err, ErrClosed)
	assert.ErrorIs(t, s.Ready(context.Background()), ErrClosed)
	assert.ErrorIs(t, s.DeleteSession(context.Background(), traceID(1)), ErrClosed)
	assert.NoError(t, s.Close(), "Close twice")

	s = openStoreAt(t, path)
	st, err := s.Stats(context.Background())
	require.NoError(t, err)
	assert.EqualValues(t, 21, st.Sessions, "every queued write was committed before Close returned")
	assert.NoError(t, s.Ready(context.Background()))
}

func TestOnCommitPanicIsContained(t *testing.T) {
	s := openStore(t, Options{
		OnCommit: func(Commit) { panic("boom") },
		Logger:   slog.New(slog.DiscardHandler),
	})
	write(t, s, &model.Batch{Spans: []model.Span{rootSpan(traceID(1), 0, 1, "")}})
	write(t, s, &model.Batch{Spans: []model.Span{rootSpan(traceID(2), 0, 1, "")}})
	st, err := s.Stats(context.Background())
	require.NoError(t, err)
	assert.EqualValues(t, 2, st.Sessions)
}

func TestCoalescing(t *testing.T) {
	// Batches queued while the writer is busy are committed together.
	entered, release := make(chan struct{}), make(chan struct{})
	var cs commits
	var once sync.Once
	s := openStore(t, Options{OnCommit: func(c Commit) {
		cs.on(c)
		once.Do(func() {
			close(entered)
			<-release
		})
	}})
	var wg sync.WaitGroup
	wg.Go(func() { write(t, s, &model.Batch{Spans: []model.Span{rootSpan(traceID(1), 0, 1, "")}}) })
	<-entered
	for i := range 10 {
		wg.Go(func() { write(t, s, &model.Batch{Spans: []model.Span{rootSpan(traceID(i+2), 0, 1, "")}}) })
	}
	require.Eventually(t, func() bool { return len(s.queue) == 10 }, 5*time.Second, time.Millisecond)
	close(release)
	wg.Wait()
	l := cs.take()
	require.Len(t, l, 2, "the first batch, then the ten queued behind it in one transaction")
	assert.Len(t, l[1].Sessions, 10)
}

func TestCoalescingRespectsMaxBatchSpans(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	var cs commits
	var once sync.Once
	s := openStore(t, Options{MaxBatchSpans: 5, OnCommit: func(c Commit) {
		cs.on(c)
		once.Do(func() {
			close(entered)
			<-release
		})
	}})
	var wg sync.WaitGroup
	wg.Go(func() { write(t, s, &model.Batch{Spans: []model.Span{rootSpan(traceID(1), 0, 1, "")}}) })
	<-entered
	for i := range 6 { // two spans each
		wg.Go(func() {
			tr := traceID(i + 2)
			write(t, s, &model.Batch{Spans: []model.Span{rootSpan(tr, 0, 1, ""), llmSpan(tr, 2, 0, 1, "m", "x")}})
		})
	}
	require.Eventually(t, func() bool { return len(s.queue) == 6 }, 5*time.Second, time.Millisecond)
	close(release)
	wg.Wait()
	l := cs.take()
	require.Len(t, l, 4, "the first batch, then three transactions of two batches (4 spans; a third would make 6)")
	for _, c := range l[1:] {
		assert.Len(t, c.Sessions, 2)
	}
}

// TestFailingBatchFailsAlone: when a coalesced transaction fails, each
// batch is retried alone, so only the bad one's writer sees the error.
func TestFailingBatchFailsAlone(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	s := openStore(t, Options{Logger: slog.New(slog.DiscardHandler), OnCommit: func(c Commit) {
		once.Do(func() {
			close(entered)
			<-release
		})
	}})
	_, err := s.do(context.Background(), func(w *writer) (Commit, int64, error) {
		_, err := w.exec(`CREATE TEMP TRIGGER refuse BEFORE INSERT ON spans WHEN NEW.span_id = 'bad'
			BEGIN SELECT RAISE(ABORT, 'refused by test'); END`)
		return Commit{}, 0, err
	})
	require.NoError(t, err)

	var wg sync.WaitGroup
	wg.Go(func() { write(t, s, &model.Batch{Spans: []model.Span{rootSpan(traceID(1), 0, 1, "")}}) })
	<-entered
	results := make([]error, 5)
	for i := range results {
		wg.Go(func() {
			sp := rootSpan(traceID(i+2), 0, 1, "")
			if i == 2 {
				sp.SpanID = "bad"
			}
			results[i] = s.Write(context.Background(), &model.Batch{Spans: []model.Span{sp}})
		})
	}
	require.Eventually(t, func() bool { return len(s.queue) == 5 }, 5*time.Second, time.Millisecond)
	close(release)
	wg.Wait()
	for i, err := range results {
		if i == 2 {
			assert.ErrorContains(t, err, "refused by test")
			continue
		}
		assert.NoError(t, err)
	}
	st, err := s.Stats(context.Background())
	require.NoError(t, err)
	assert.EqualValues(t, 5, st.Sessions)
	assert.EqualValues(t, 5, st.Spans, "the failed transaction left nothing behind")
}

package agentops

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// signalWatch is the goroutine of WithShutdownOnSignal.
type signalWatch struct {
	ch       chan os.Signal
	quit     chan struct{}
	exited   chan struct{}
	stopOnce sync.Once
	handling chan struct{} // closed when a signal is being handled
}

// watchSignals waits for SIGINT or SIGTERM; on the first it ends the open
// sessions, shuts the Client down within timeout, and re-raises the signal
// so the process ends as it would have without the SDK.
func (c *Client) watchSignals(timeout time.Duration) *signalWatch {
	w := &signalWatch{
		ch:       make(chan os.Signal, 1),
		quit:     make(chan struct{}),
		exited:   make(chan struct{}),
		handling: make(chan struct{}),
	}
	signal.Notify(w.ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		defer close(w.exited)
		select {
		case sig := <-w.ch:
			close(w.handling)
			c.endOpenSessions("signal: " + sig.String())
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			_ = c.Shutdown(ctx) // failures were reported as they happened
			cancel()
			raise(sig)
		case <-w.quit:
		}
	}()
	return w
}

// stop ends the watch. Called from Shutdown: it waits for the goroutine to
// exit, unless that goroutine is handling a signal and so is shutting down.
func (w *signalWatch) stop() {
	w.stopOnce.Do(func() {
		signal.Stop(w.ch)
		close(w.quit)
	})
	select {
	case <-w.exited:
	case <-w.handling: // that goroutine is in Shutdown, maybe waiting for us
	}
}

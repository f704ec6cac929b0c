// Package example holds what every example program needs and none of them
// is about: which chat model to talk to, and how to stop the agentops
// Client on the way out. Each example's main.go shows its own subject in
// full; this package keeps the rest from being copied five times.
package example

import (
	"context"
	"fmt"
	"os"
	"time"
)

// shutdownTimeout bounds the flush at exit: long enough to send a session
// to a backend that answers, short enough not to hang on one that does not.
const shutdownTimeout = 5 * time.Second

// Shutdown flushes and stops s (an *agentops.Client, or a program's own
// *sdktrace.TracerProvider) within five seconds, saying on stderr why it
// could not. Call it deferred, right after creating s: spans still queued
// when a program exits without it are lost.
func Shutdown(s interface{ Shutdown(context.Context) error }) {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
}

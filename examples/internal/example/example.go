// Package example holds what every example program needs and none of them
// is about: running main with a context Ctrl-C cancels, building the
// agentops Client and choosing the chat model, and shutting both down on
// the way out. Each example's main.go shows its own subject in full; this
// package keeps the rest from being copied from one to the next.
package example

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"time"

	"github.com/agentops-go/agentops"
	"github.com/agentops-go/agentops/agentopstest/scripted"
	"github.com/agentops-go/agentops/internal/chatmodel"
)

// Main runs run with a context that Ctrl-C cancels, printing to stdout,
// and exits with status 1 and the error run returns, if any. A cancelled
// run still returns through its deferred shutdowns, so what it recorded
// is sent.
func Main(run func(ctx context.Context, stdout io.Writer) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Stdout)
	stop()
	if err != nil {
		log.Fatal(err)
	}
}

// Env is what an example agent runs with: its agentops Client and the chat
// model it talks to.
type Env struct {
	Client *agentops.Client
	Model  *chatmodel.Model
}

// Start builds the agentops Client with agentops.Init(ctx, opts...), so
// from the environment: the local backend (`agentops serve`) unless
// AGENTOPS_API_KEY or AGENTOPS_API_ENDPOINT says otherwise. It also
// chooses the model (see chatmodel.Open), scripted with respond when no
// OPENAI_API_KEY is set. Close, deferred, undoes both.
func Start(ctx context.Context, respond scripted.Responder, opts ...agentops.Option) (*Env, error) {
	model, err := chatmodel.Open(respond, os.Stderr)
	if err != nil {
		return nil, err
	}
	client, err := agentops.Init(ctx, opts...)
	if err != nil {
		model.Close()
		return nil, err
	}
	return &Env{Client: client, Model: model}, nil
}

// Close shuts the Client down (see Shutdown), then stops the scripted
// model.
func (e *Env) Close() {
	Shutdown(e.Client)
	e.Model.Close()
}

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

// Package exampletest runs an example program against the in-process
// backend and reads back the session it sent, as the backend stored it.
package exampletest

import (
	"bytes"
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/agentopstest"
	"github.com/agentops-go/agentops/server/model"
)

// backend starts an in-process backend for the test and points the
// examples at it through the environment, as a user would with
// AGENTOPS_API_ENDPOINT. Settings from the caller's environment that would
// send the spans elsewhere, record less or in another form, or use a real
// model, are cleared for the test.
func backend(t *testing.T) *agentopstest.Server {
	t.Helper()
	srv := agentopstest.NewServer(t)
	for _, key := range []string{
		"AGENTOPS_API_KEY", "AGENTOPS_EXPORTER_ENDPOINT", "AGENTOPS_APP_URL",
		"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_SDK_DISABLED",
		"AGENTOPS_CAPTURE_CONTENT", "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT",
		"OTEL_SEMCONV_STABILITY_OPT_IN", "AGENTOPS_INSTRUMENT_LLM_CALLS", "AGENTOPS_CAPTURE_SOURCES",
		"OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL",
	} {
		t.Setenv(key, "")
	}
	t.Setenv("AGENTOPS_API_ENDPOINT", srv.URL)
	return srv
}

// Run runs an example's run function against a fresh backend (see
// backend), requiring it to succeed, and returns the backend and what the
// example printed.
func Run(t *testing.T, run func(ctx context.Context, stdout io.Writer) error) (*agentopstest.Server, string) {
	t.Helper()
	srv := backend(t)
	var out lockedBuffer
	require.NoError(t, run(context.Background(), &out))
	return srv, out.String()
}

// lockedBuffer is a bytes.Buffer that goroutines may write at once, as an
// exporter's does while the program prints.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Trace is the spans of one trace, as the backend stored them.
type Trace struct {
	// Root is the session's root span.
	Root  model.Span
	Spans []model.Span
}

// waitTimeout bounds the wait for a session: the examples shut their
// Client down before they return, so its spans are normally stored by then.
const waitTimeout = 5 * time.Second

// Session waits until the trace of the session whose root span is named
// root holds n spans, and returns them; it fails the test, naming the
// spans that did arrive, when they do not within a few seconds.
func Session(t *testing.T, srv *agentopstest.Server, root string, n int) Trace {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		tr := find(srv, root)
		if len(tr.Spans) >= n || time.Now().After(deadline) {
			require.Len(t, tr.Names(), n, "spans of session %q", root)
			return tr
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// find returns the trace of the first session whose root is named root.
func find(srv *agentopstest.Server, root string) Trace {
	for _, s := range srv.Spans() {
		if s.Name == root && s.ParentSpanID == "" {
			return newTrace(srv.SpansOf(s.TraceID))
		}
	}
	return Trace{}
}

// newTrace is the spans of one trace, its root found.
func newTrace(spans []model.Span) Trace {
	tr := Trace{Spans: spans}
	for _, s := range spans {
		if s.ParentSpanID == "" {
			tr.Root = s
		}
	}
	return tr
}

// Named returns the spans named name, in start order.
func (tr Trace) Named(name string) []model.Span {
	var out []model.Span
	for _, s := range tr.Spans {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// One returns the only span named name, failing the test if there is not
// exactly one.
func (tr Trace) One(t *testing.T, name string) model.Span {
	t.Helper()
	spans := tr.Named(name)
	require.Len(t, spans, 1, "spans named %q among %v", name, tr.Names())
	return spans[0]
}

// Names returns the span names, in start order.
func (tr Trace) Names() []string {
	names := make([]string, len(tr.Spans))
	for i, s := range tr.Spans {
		names[i] = s.Name
	}
	return names
}

// Output returns the completion an LLM span recorded, as the backend read
// it, failing the test when it has none.
func Output(t *testing.T, s model.Span) model.Message {
	t.Helper()
	for _, m := range s.Derived.Messages {
		if m.Direction == "output" {
			return m
		}
	}
	t.Fatalf("%s has no output message: %+v", s.Name, s.Derived.Messages)
	return model.Message{}
}

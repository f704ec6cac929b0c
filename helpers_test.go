package agentops

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/agentops-go/agentops/internal/fakebackend"
)

func TestMain(m *testing.M) {
	runChild()
	// The suite is hermetic: the developer's own AgentOps or OTel settings
	// must not change what the tests see.
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AGENTOPS_") || strings.HasPrefix(k, "OTEL_") {
			_ = os.Unsetenv(k)
		}
	}
	goleak.VerifyTestMain(m)
}

const testKey = "3f2b9c1e-8a4d-4e6f-9b7a-1c2d3e4f5a6b"

// newTestClient starts a Client that exports to b every 10ms, without
// source capture, and is shut down when the test ends. Tests that run this way must not use t.Parallel:
// Init replaces the default Client.
func newTestClient(t *testing.T, b *fakebackend.Backend, opts ...Option) *Client {
	t.Helper()
	// Source capture would upload this whole module at every session end;
	// the tests of it turn it back on.
	base := []Option{WithEndpoint(b.URL), WithBatchTimeout(10 * time.Millisecond), WithLogger(discardLogger()),
		WithSourceCapture(false)}
	c, err := Init(context.Background(), append(base, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = c.Shutdown(ctx)
	})
	return c
}

// flush exports everything ended so far and fails the test if it could not.
func flush(t *testing.T, c *Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, c.ForceFlush(ctx))
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// logBuffer is a logger whose output a test can read.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// byName indexes spans by name; a test that expects unique names uses it.
func byName(t *testing.T, spans []fakebackend.Span) map[string]fakebackend.Span {
	t.Helper()
	m := map[string]fakebackend.Span{}
	for _, s := range spans {
		_, dup := m[s.Name]
		require.False(t, dup, "span name %q appears twice", s.Name)
		m[s.Name] = s
	}
	return m
}

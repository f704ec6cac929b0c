package store

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/server/model"
)

// crashChildEnv makes the test binary, re-executed, run crashChild instead
// of the tests.
const crashChildEnv = "AGENTOPS_STORE_CRASH_CHILD"

// crashChild writes batches from a few goroutines until it is killed, and
// prints "<trace> <span>" for the last span of each batch once Write has
// returned: those spans are acknowledged.
func crashChild(path string) int {
	s, err := Open(context.Background(), path, Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				tr := traceID(g*1_000_000 + i/20 + 1) // 20 batches per trace
				b := &model.Batch{}
				for j := range 50 {
					n := i*50 + j + 2
					b.Spans = append(b.Spans, llmSpan(tr, n, n, n+5, "gpt-4o", fmt.Sprintf("message %d of %d", j, i)))
				}
				if err := s.Write(context.Background(), b); err != nil {
					if err == ErrOverloaded {
						continue
					}
					fmt.Fprintln(os.Stderr, err)
					os.Exit(3)
				}
				last := b.Spans[len(b.Spans)-1]
				mu.Lock()
				fmt.Fprintf(out, "%s %s\n", last.TraceID, last.SpanID)
				out.Flush()
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return 0
}

func TestAcknowledgedSpansSurviveKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	path := filepath.Join(t.TempDir(), "agentops.db")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())

	acked := map[string][]string{} // trace → span ids
	n := 0
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		tr, sp, ok := strings.Cut(sc.Text(), " ")
		require.True(t, ok, "child printed %q", sc.Text())
		acked[tr] = append(acked[tr], sp)
		n++
		if n == 400 {
			require.NoError(t, cmd.Process.Kill()) // SIGKILL, mid-stream
		}
	}
	_, _ = io.Copy(io.Discard, stdout)
	err = cmd.Wait()
	require.Error(t, err, "the child was killed; stderr: %s", stderr.String())
	require.GreaterOrEqual(t, n, 400, "stderr: %s", stderr.String())
	t.Logf("%d batches acknowledged before the kill", n)

	s, err := Open(context.Background(), path, Options{})
	require.NoError(t, err)
	defer s.Close()
	for tr, ids := range acked {
		spans, err := s.Spans(context.Background(), tr)
		require.NoError(t, err, "trace %s", tr)
		have := map[string]bool{}
		for _, sp := range spans {
			have[sp.SpanID] = true
		}
		for _, id := range ids {
			assert.True(t, have[id], "acknowledged span %s/%s is missing", tr, id)
		}
		sess, err := s.Session(context.Background(), tr)
		require.NoError(t, err)
		assert.EqualValues(t, len(spans), sess.Spans, "the roll-up committed with its spans")

		// The text of the last acknowledged batch is searchable, indexed
		// before the kill or by Open after it.
		var n int
		_, err = fmt.Sscanf(ids[len(ids)-1], "%x", &n)
		require.NoError(t, err)
		page, err := s.ListSessions(context.Background(), model.SessionQuery{Search: fmt.Sprintf("message 49 of %d", (n-2)/50), Limit: MaxLimit})
		require.NoError(t, err)
		assert.Contains(t, traceIDs(page.Sessions), tr)
	}
}

//go:build unix

package server_test

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/agentops-go/agentops/server/store"
)

// A server killed with SIGKILL in the middle of ingest reopens with every
// span it acknowledged.
func TestAcknowledgedSpansSurviveSIGKILL(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=serve", childDirEnv+"="+dir, "GORACE=atexit_sleep_ms=0")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	require.True(t, ok, line)
	url := "http://" + addr

	var (
		mu    sync.Mutex
		acked []string // trace ids answered 200
		wg    sync.WaitGroup
	)
	for range 4 { // four agents sending at once
		wg.Go(func() {
			client := &http.Client{Timeout: 5 * time.Second}
			for {
				body := otlpRequest(50)
				id := traceOf(t, body)
				resp, err := client.Post(url+"/v1/traces", "application/x-protobuf", bytes.NewReader(body))
				if err != nil {
					return // the server is gone
				}
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					mu.Lock()
					acked = append(acked, id)
					mu.Unlock()
				}
			}
		})
	}
	time.Sleep(700 * time.Millisecond)
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, acked, "some requests were acknowledged before the kill")

	st, err := store.Open(context.Background(), filepath.Join(dir, "agentops.db"), store.Options{Logger: discard})
	require.NoError(t, err, "the database reopens")
	defer st.Close()
	for _, id := range acked {
		spans, err := st.Spans(context.Background(), id)
		require.NoError(t, err, "trace %s was acknowledged", id)
		assert.Len(t, spans, 50, "trace %s", id)
	}
	t.Logf("%d acknowledged requests (%d spans) all present after SIGKILL", len(acked), 50*len(acked))
}

func traceOf(t *testing.T, body []byte) string {
	req := ptraceotlp.NewExportRequest()
	require.NoError(t, req.UnmarshalProto(body))
	return req.Traces().ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).TraceID().String()
}

package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pipeWriter hands what a command writes to the test as it is written.
type pipeWriter struct{ w *io.PipeWriter }

func (p pipeWriter) Write(b []byte) (int, error) { return p.w.Write(b) }

func TestServeAnswersAndStopsOnCancel(t *testing.T) {
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	codec := make(chan int, 1)
	go func() {
		codec <- runServe(ctx, []string{"-addr", "127.0.0.1:0", "-data", dir, "-log-level", "error"}, pipeWriter{pw}, io.Discard)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(line, "agentops serve: listening on http://127.0.0.1:"), line)
	assert.Contains(t, line, dir)
	url := strings.Fields(strings.TrimPrefix(line, "agentops serve: listening on "))[0]

	resp, err := http.Get(url + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)

	cancel()
	select {
	case code := <-codec:
		assert.Equal(t, 0, code)
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop when its context ended")
	}
}

func TestServeFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"-retention", "soon"}, 2, "-retention"},
		{[]string{"-max-db-size", "big"}, 2, "-max-db-size"},
		{[]string{"-log-level", "loud"}, 2, "-log-level"},
		{[]string{"-api-key", "sk-nope", "-data", t.TempDir()}, 1, "not a UUID"},
		{[]string{"-addr", "256.0.0.1:1", "-data", t.TempDir()}, 1, "cannot listen"},
	} {
		code, _, stderr := runCLI(t, append([]string{"serve"}, tc.args...)...)
		assert.Equal(t, tc.code, code, "%q", tc.args)
		assert.Contains(t, stderr, tc.says, "%q", tc.args)
	}
}

func TestParseAgeAndSize(t *testing.T) {
	d, err := parseAge("30d")
	require.NoError(t, err)
	assert.Equal(t, 30*24*time.Hour, d)
	d, err = parseAge("36h")
	require.NoError(t, err)
	assert.Equal(t, 36*time.Hour, d)
	n, err := parseSize("1.5GB")
	require.NoError(t, err)
	assert.EqualValues(t, 1_500_000_000, n)
	n, err = parseSize("512MiB")
	require.NoError(t, err)
	assert.EqualValues(t, 512<<20, n)
	_, err = parseSize("-1MB")
	assert.Error(t, err)
}

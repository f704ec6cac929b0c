//go:build unix

package agentops

import (
	"bufio"
	"errors"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/internal/fakebackend"
)

func TestShutdownOnSignalFlushesAndDiesBySignal(t *testing.T) {
	b := fakebackend.New(t)
	cmd := childCommand("signal", b.URL)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "ready\n", line)

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	err = cmd.Wait()
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "the process ended with %v", err)
	status := exit.Sys().(syscall.WaitStatus)
	assert.True(t, status.Signaled(), "the process died by the signal, as it would without the SDK")
	assert.Equal(t, syscall.SIGTERM, status.Signal())

	spans := byName(t, b.WaitForSpans(t, 2, 5*time.Second))
	root := spans["interrupted.session"]
	assert.Equal(t, "Indeterminate", root.Attrs["agentops.session.end_state"])
	assert.Equal(t, "signal: terminated", root.Attrs["agentops.session.end_reason"])
	assert.Equal(t, root.SpanID, spans["execute_tool before-signal"].ParentSpanID)
}

func TestStdioCaptureIntoSessionLog(t *testing.T) {
	b := fakebackend.New(t)
	cmd := childCommand("stdio", b.URL)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "child stdout:\n%s\nstderr:\n%s", out, stderr.String())
	assert.Equal(t, "printed to stdout\nafter shutdown\n", string(out), "the terminal still sees everything")
	assert.Equal(t, "printed to stderr\n", stderr.String())

	ups := b.WaitForUploads(t, 1, 5*time.Second)
	require.Equal(t, "logs", ups[0].Kind)
	assert.Regexp(t, `(?m) - INFO - printed to stdout$`, ups[0].Body)
	assert.Regexp(t, ` - WARNING - printed to stderr`, ups[0].Body)
	assert.NotContains(t, ups[0].Body, "after shutdown", "capture stopped at Shutdown")
}

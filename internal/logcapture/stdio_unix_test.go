//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package logcapture

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	"go.uber.org/goleak"
)

func init() { stdioChild = runStdioChild }

// childReport is what the child process writes for the parent to check.
type childReport struct {
	Captured    string // the session's text after Sync
	AfterStop   string // the session's text after Stop and more output
	SecondErr   string // a second CaptureStdio while the first is active
	SyncErr     string
	StopErr     string
	Leaks       string // goleak after Stop
	StopElapsed time.Duration
}

const bigLineLen = 40_000

// runStdioChild runs in the re-executed test binary, with its stdout and
// stderr read by the parent. spec is "mode:path of the report file".
func runStdioChild(spec string) int {
	mode, path, _ := strings.Cut(spec, ":")
	var rep childReport
	var err error
	switch mode {
	case "capture":
		rep, err = childCapture()
	case "held-open":
		rep, err = childHeldOpen()
	default:
		err = fmt.Errorf("unknown mode %q", mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	if leaks := goleak.Find(); leaks != nil {
		rep.Leaks = leaks.Error()
	}
	data, _ := json.Marshal(rep)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	return 0
}

func childCapture() (childReport, error) {
	var rep childReport
	reg := NewRegistry()
	buf := NewBuffer(DefaultLimits())
	reg.Open(testID(1), buf)

	s, err := CaptureStdio(reg)
	if err != nil {
		return rep, err
	}
	if _, err := CaptureStdio(reg); err != nil {
		rep.SecondErr = err.Error()
	}

	fmt.Println("hello from fmt.Println")
	_, _ = os.Stdout.Write([]byte("hello from os.Stdout.Write\n"))
	_, _ = syscall.Write(1, []byte("hello from syscall.Write\n"))
	fmt.Fprintln(os.Stderr, "oops on stderr")
	_, _ = syscall.Write(2, []byte("raw stderr\r\n"))
	_, _ = os.Stdout.Write([]byte("nul\x00agentops-not-a-sync\n"))
	_, _ = os.Stdout.Write([]byte("big:" + strings.Repeat("x", bigLineLen) + "\n"))
	// Writers racing with syncs: their lines must come through whole.
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 50 {
				fmt.Printf("racer g%d i%d\n", g, i)
				if i%10 == 0 {
					_ = s.Sync(context.Background())
				}
			}
		})
	}
	wg.Wait()
	_, _ = os.Stdout.Write([]byte("no newline before sync"))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Sync(ctx); err != nil {
		rep.SyncErr = err.Error()
	}
	rep.Captured = buf.Drain()

	start := time.Now()
	if err := s.Stop(ctx); err != nil {
		rep.StopErr = err.Error()
	}
	rep.StopElapsed = time.Since(start)
	fmt.Println("after stop")
	_, _ = syscall.Write(1, []byte("after stop raw\n"))
	fmt.Fprintln(os.Stderr, "after stop stderr")
	if err := s.Sync(ctx); err != nil { // a no-op now
		rep.SyncErr += " after stop: " + err.Error()
	}
	_ = s.Stop(ctx) // idempotent
	rep.AfterStop = buf.Drain()
	return rep, nil
}

// childHeldOpen keeps a copy of the captured fd 1, so Stop never sees EOF
// and must give up when its context ends.
func childHeldOpen() (childReport, error) {
	var rep childReport
	reg := NewRegistry()
	buf := NewBuffer(DefaultLimits())
	reg.Open(testID(1), buf)
	s, err := CaptureStdio(reg)
	if err != nil {
		return rep, err
	}
	held, err := syscall.Dup(1)
	if err != nil {
		return rep, err
	}
	defer syscall.Close(held)
	fmt.Println("before stop")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := s.Stop(ctx); err != nil {
		rep.StopErr = err.Error()
	}
	rep.StopElapsed = time.Since(start)
	rep.Captured = buf.Drain()
	fmt.Println("after stop")
	// Capture works again once the first one is stopped.
	s2, err := CaptureStdio(reg)
	if err != nil {
		return rep, err
	}
	if err := s2.Stop(context.Background()); err != nil {
		return rep, err
	}
	return rep, nil
}

// runChild re-executes the test binary as a child in mode.
func runChild(t *testing.T, mode string) (rep childReport, stdout, stderr string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.json")
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), stdioChildEnv+"="+mode+":"+path)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	require.NoError(t, cmd.Run(), "child stderr: %s", errOut.String())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &rep))
	return rep, out.String(), errOut.String()
}

func TestStdioCapture(t *testing.T) {
	rep, stdout, stderr := runChild(t, "capture")

	assert.Empty(t, rep.SyncErr)
	assert.Empty(t, rep.StopErr)
	assert.Empty(t, rep.Leaks, "no goroutine left after Stop")
	assert.Equal(t, ErrStdioCaptured.Error(), rep.SecondErr)

	lines := stripPrefixes(t, rep.Captured)
	assert.Subset(t, lines, []string{
		"INFO hello from fmt.Println",
		"INFO hello from os.Stdout.Write",
		"INFO hello from syscall.Write",
		"WARNING oops on stderr",
		"WARNING raw stderr",
		"INFO nul\x00agentops-not-a-sync",
		"INFO no newline before sync",
	})
	for g := range 4 {
		for i := range 50 {
			assert.Contains(t, lines, fmt.Sprintf("INFO racer g%d i%d", g, i))
		}
	}
	var big string
	for _, l := range lines {
		if strings.HasPrefix(l, "INFO big:") {
			big = l
		}
	}
	require.NotEmpty(t, big, "the long line is captured, cut")
	assert.Regexp(t, `x \.\.\.\[truncated \d+ bytes\]$`, big[len(big)-40:])
	assert.Len(t, lines, 7+1+200)

	// The user still sees everything, in full and without our markers.
	for _, want := range []string{
		"hello from fmt.Println\nhello from os.Stdout.Write\nhello from syscall.Write\n",
		"nul\x00agentops-not-a-sync\n",
		"big:" + strings.Repeat("x", bigLineLen) + "\n",
		"no newline before sync",
		"after stop\nafter stop raw\n",
	} {
		assert.Contains(t, stdout, want)
	}
	assert.Contains(t, stderr, "oops on stderr\nraw stderr\r\n")
	assert.Contains(t, stderr, "after stop stderr\n")
	for _, s := range []string{stdout, stderr, rep.Captured} {
		assert.NotContains(t, s, "agentops-sync")
	}

	assert.Empty(t, rep.AfterStop, "nothing is captured after Stop")
}

func TestStdioStopWhilePipeHeldOpen(t *testing.T) {
	rep, stdout, _ := runChild(t, "held-open")
	assert.Contains(t, rep.StopErr, context.DeadlineExceeded.Error())
	assert.Less(t, rep.StopElapsed, 5*time.Second)
	assert.Empty(t, rep.Leaks)
	assert.Equal(t, []string{"INFO before stop"}, stripPrefixes(t, rep.Captured))
	assert.Contains(t, stdout, "before stop\nafter stop\n")
}

func TestStdioSyncAfterFailedStart(t *testing.T) {
	// Sync and Stop on a Stdio that was stopped are no-ops; the zero
	// state needs no descriptors, so this runs in the test process.
	s := &Stdio{stopped: true}
	assert.NoError(t, s.Sync(t.Context()))
	assert.NoError(t, s.Stop(t.Context()))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	assert.True(t, errors.Is(s.Sync(ctx), context.Canceled))
}

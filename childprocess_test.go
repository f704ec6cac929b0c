package agentops

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"time"
)

// Some tests need a process of their own: one that is killed by a signal,
// or whose stdout is redirected. They re-run the test binary with
// childModeEnv set; TestMain then runs the child instead of the tests.
const (
	childModeEnv     = "AGENTOPS_TEST_CHILD_MODE"
	childEndpointEnv = "AGENTOPS_TEST_CHILD_ENDPOINT"
)

// childCommand is the test binary as a child in mode, sending to endpoint.
func childCommand(mode, endpoint string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childModeEnv+"="+mode, childEndpointEnv+"="+endpoint,
		"GORACE=atexit_sleep_ms=0") // the race detector's 1 s pause at exit

	return cmd
}

// runChild runs the child named by the environment, if any, and exits.
func runChild() {
	mode, endpoint := os.Getenv(childModeEnv), os.Getenv(childEndpointEnv)
	switch mode {
	case "":
		return
	case "signal":
		signalChild(endpoint)
	case "stdio":
		stdioChild(endpoint)
	}
	fmt.Println("unknown child mode", mode)
	os.Exit(2)
}

// signalChild leaves a session open, says "ready", and waits to be
// terminated. Batches wait an hour, so every span that reaches the backend
// was flushed by the signal handler.
func signalChild(endpoint string) {
	_, err := Init(context.Background(), WithEndpoint(endpoint), WithBatchTimeout(time.Hour), WithSourceCapture(false),
		WithShutdownOnSignal(5*time.Second))
	if err != nil {
		fmt.Println("init:", err)
		os.Exit(2)
	}
	ctx, _ := StartSession(context.Background(), "interrupted")
	_, span := StartSpan(ctx, KindTool, "before-signal")
	span.End(nil)
	fmt.Println("ready")
	time.Sleep(time.Minute)
	os.Exit(3) // not reached when the signal handling works
}

// stdioChild prints during a session with stdout/stderr capture on.
func stdioChild(endpoint string) {
	c, err := Init(context.Background(), WithEndpoint(endpoint), WithSourceCapture(false), WithStdioCapture(true))
	if err != nil {
		fmt.Println("init:", err)
		os.Exit(2)
	}
	_, s := StartSession(context.Background(), "printing")
	fmt.Println("printed to stdout")
	fmt.Fprintln(os.Stderr, "printed to stderr")
	s.End(Success)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Shutdown(ctx); err != nil {
		fmt.Println("shutdown:", err)
		os.Exit(2)
	}
	fmt.Println("after shutdown")
	os.Exit(0)
}

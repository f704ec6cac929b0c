package agentops

import (
	"context"
	"fmt"
	"os"
	"time"
)

// signalHelperEnv makes the test binary act as an agent that is killed
// mid-session (TestMain hands over to runSignalHelper).
const signalHelperEnv = "AGENTOPS_TEST_SIGNAL_HELPER_ENDPOINT"

// runSignalHelper is the child process: it leaves a session open, says
// "ready", and waits to be terminated. Batches wait an hour, so every span
// that reaches the backend was flushed by the signal handler.
func runSignalHelper(endpoint string) {
	_, err := Init(context.Background(), WithEndpoint(endpoint), WithBatchTimeout(time.Hour),
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

package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/agentops-go/agentops/server"
)

var discard = slog.New(slog.DiscardHandler)

// bigDir holds the 100,000-session database of BenchmarkSessionList100k,
// removed when the tests end.
var bigDir string

func mkdirTemp() (string, error) {
	d, err := os.MkdirTemp("", "agentops-bench-")
	bigDir = d
	return d, err
}

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		runChild(mode)
		return
	}
	code := m.Run()
	if bigDir != "" {
		_ = os.RemoveAll(bigDir)
	}
	if code == 0 && bigDir == "" { // the benchmark's server outlives its run on purpose
		if err := goleak.Find(); err != nil {
			os.Stderr.WriteString("goleak: " + err.Error() + "\n")
			code = 1
		}
	}
	os.Exit(code)
}

// getJSONB is getJSON for benchmarks: it decodes into out (when not nil)
// and returns the status.
func getJSONB(url string, out any) int {
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode
	}
	if json.NewDecoder(resp.Body).Decode(out) != nil {
		return 0
	}
	return resp.StatusCode
}

const (
	childEnv    = "AGENTOPS_SERVER_TEST_CHILD"
	childDirEnv = "AGENTOPS_SERVER_TEST_DIR"
)

// runChild is the server the durability test kills.
func runChild(mode string) {
	if mode != "serve" {
		fmt.Println("unknown child mode", mode)
		os.Exit(2)
	}
	srv, err := server.New(context.Background(), server.Config{DataDir: os.Getenv(childDirEnv), Logger: discard})
	if err != nil {
		fmt.Println("server:", err)
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("listen:", err)
		os.Exit(2)
	}
	fmt.Println("listening", ln.Addr())
	_ = srv.Serve(context.Background(), ln)
	os.Exit(0)
}

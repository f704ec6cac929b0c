package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/agentops-go/agentops/server/model"
)

func TestMain(m *testing.M) {
	if path := os.Getenv(crashChildEnv); path != "" {
		os.Exit(crashChild(path))
	}
	code := m.Run()
	closeBenchStores()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// t0 is the tests' epoch.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

func traceID(n int) string { return fmt.Sprintf("%032x", n) }
func spanID(n int) string  { return fmt.Sprintf("%016x", n) }

func openStore(t testing.TB, o Options) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "db", "agentops.db"), o)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func write(t testing.TB, s *Store, b *model.Batch) {
	t.Helper()
	require.NoError(t, s.Write(context.Background(), b))
}

var testResource = map[string]any{"service.name": "agent", "telemetry.sdk.language": "go", "process.pid": int64(42)}

// rootSpan is a session root as normalize leaves it.
func rootSpan(trace string, startMS, endMS int, endState string) model.Span {
	status := "ok"
	if endState == "Error" {
		status = "error"
	}
	return model.Span{
		TraceID: trace, SpanID: spanID(1), Name: "demo.session", Kind: "internal",
		Start: at(startMS), End: at(endMS), StatusCode: status, Service: "agent", Scope: "agentops",
		Attributes: map[string]any{"agentops.span.kind": "session", "operation.name": "demo",
			"agentops.tags": []any{"prod", "v2"}, "agentops.session.end_state": endState},
		Resource: testResource,
		Derived: model.Derived{Class: "session", Label: "demo", SessionName: "demo",
			Tags: []string{"prod", "v2"}, EndState: endState},
	}
}

// llmSpan is a chat call under the root.
func llmSpan(trace string, n, startMS, endMS int, modelName, content string) model.Span {
	return model.Span{
		TraceID: trace, SpanID: spanID(n), ParentSpanID: spanID(1), Name: "chat " + modelName,
		Kind: "client", Start: at(startMS), End: at(endMS), StatusCode: "unset", Service: "agent",
		Attributes: map[string]any{
			"gen_ai.operation.name": "chat", "gen_ai.request.model": modelName,
			"gen_ai.usage.input_tokens": int64(100), "gen_ai.usage.output_tokens": int64(20),
			"gen_ai.request.temperature": 0.5, "gen_ai.request.max_tokens": int64(256),
			"gen_ai.prompt.0.role": "user", "gen_ai.prompt.0.content": content,
		},
		Resource: testResource,
		Derived: model.Derived{Class: "llm", Operation: "chat", Label: modelName, Model: modelName,
			Provider: "openai", InputTokens: 100, OutputTokens: 20, CacheReadTokens: 10,
			ReasoningTokens: 5, Cost: 0.001, CostSource: "table",
			Messages: []model.Message{
				{Direction: "input", Index: 0, Role: "user", Content: content},
				{Direction: "output", Index: 0, Role: "assistant", Content: "ok", FinishReason: "stop"},
			}},
	}
}

func toolSpan(trace string, n, startMS, endMS int, failed bool) model.Span {
	sp := model.Span{
		TraceID: trace, SpanID: spanID(n), ParentSpanID: spanID(1), Name: "execute_tool weather",
		Kind: "internal", Start: at(startMS), End: at(endMS), StatusCode: "ok", Service: "agent",
		Attributes: map[string]any{"gen_ai.tool.name": "weather"},
		Derived:    model.Derived{Class: "tool", Label: "weather", Tool: "weather", Input: `{"city":"Paris"}`, Output: "sunny"},
	}
	if failed {
		sp.StatusCode = "error"
		sp.StatusMessage = "boom"
		sp.Derived.Error = true
		sp.Derived.ErrorType = "timeout"
	}
	return sp
}

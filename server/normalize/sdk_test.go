package normalize_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/agentops-go/agentops"
	"github.com/agentops-go/agentops/server/model"
	"github.com/agentops-go/agentops/server/normalize"
)

// The contract test: spans made by the SDK itself, in both content forms,
// come out of the normalizer as the dashboard needs them. If the SDK's
// keys drift from what normalize reads, this fails.

// recordSDKSpans runs a small agent session through a real Client and
// returns its spans as the server holds them.
func recordSDKSpans(t *testing.T, opts ...agentops.Option) map[string]*model.Span {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	base := []agentops.Option{
		agentops.WithoutDefaultExporter(), agentops.WithSpanProcessor(rec),
		agentops.WithLogCapture(false), agentops.WithSourceCapture(false),
	}
	c, err := agentops.Init(context.Background(), append(base, opts...)...)
	require.NoError(t, err)
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		require.NoError(t, c.Shutdown(ctx))
	}()

	ctx, sess := c.StartSession(context.Background(), "checkout", agentops.WithTags("prod", "eu"))
	_, tool := c.StartSpan(ctx, agentops.KindTool, "search", agentops.WithInput(map[string]any{"q": "go"}))
	tool.SetOutput("3 results")
	tool.SetCost(0.002)
	tool.End(nil)

	_, agent := c.StartSpan(ctx, agentops.KindAgent, "planner")
	agent.End(errors.New("boom"))

	_, llm := c.StartLLM(ctx, agentops.LLMRequest{
		Model: "gpt-4o-mini",
		Messages: []agentops.Message{
			{Role: "system", Content: "Be brief."},
			{Role: "user", Content: "Find Go books."},
			{Role: "assistant", ToolCalls: []agentops.ToolCall{{ID: "call_1", Name: "search", Arguments: `{"q":"go"}`}}},
			{Role: "tool", Content: "3 results", ToolCallID: "call_1"},
		},
		Stream: true,
	})
	llm.ChunkReceived()
	llm.End(agentops.LLMResponse{
		Model: "gpt-4o-mini-2024-07-18",
		Choices: []agentops.Choice{{
			Message:      agentops.Message{Role: "assistant", Content: "Here are three."},
			FinishReason: "stop",
		}},
		Usage: &agentops.Usage{InputTokens: 1200, OutputTokens: 300, CacheReadTokens: 1000, ReasoningTokens: 100},
	}, nil)
	sess.End(agentops.Success)

	out := map[string]*model.Span{}
	for _, s := range rec.Ended() {
		ms := toModel(s)
		out[ms.Name] = ms
	}
	return out
}

// toModel is what ingest makes of an OTLP span.
func toModel(s sdktrace.ReadOnlySpan) *model.Span {
	ms := &model.Span{
		TraceID:    s.SpanContext().TraceID().String(),
		SpanID:     s.SpanContext().SpanID().String(),
		Name:       s.Name(),
		Kind:       strings.ToLower(s.SpanKind().String()),
		Start:      s.StartTime(),
		End:        s.EndTime(),
		StatusCode: map[codes.Code]string{codes.Unset: "unset", codes.Ok: "ok", codes.Error: "error"}[s.Status().Code],
		Attributes: attrs(s.Attributes()),
	}
	if s.Parent().IsValid() {
		ms.ParentSpanID = s.Parent().SpanID().String()
	}
	for _, e := range s.Events() {
		ms.Events = append(ms.Events, model.Event{Name: e.Name, Time: e.Time, Attributes: attrs(e.Attributes)})
	}
	return ms
}

func attrs(kvs []attribute.KeyValue) map[string]any {
	m := make(map[string]any, len(kvs))
	for _, kv := range kvs {
		switch v := kv.Value.AsInterface().(type) {
		case []string:
			m[string(kv.Key)] = toAny(v)
		case []int64:
			m[string(kv.Key)] = toAny(v)
		case []float64:
			m[string(kv.Key)] = toAny(v)
		case []bool:
			m[string(kv.Key)] = toAny(v)
		default:
			m[string(kv.Key)] = v
		}
	}
	return m
}

func toAny[T any](s []T) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func TestSDKSpans(t *testing.T) {
	for _, form := range []struct {
		name string
		opts []agentops.Option
	}{
		{"flat", nil},
		{"otel-json", []agentops.Option{agentops.WithGenAILatestExperimental()}},
	} {
		t.Run(form.name, func(t *testing.T) {
			spans := recordSDKSpans(t, form.opts...)
			n := normalize.New(nil)
			for _, s := range spans {
				n.Span(s)
			}

			root := spans["checkout.session"]
			require.NotNil(t, root, "spans: %v", keys(spans))
			assert.Equal(t, "session", root.Derived.Class)
			assert.Equal(t, "checkout", root.Derived.SessionName)
			assert.Equal(t, "checkout", root.Derived.Label)
			assert.Equal(t, []string{"prod", "eu"}, root.Derived.Tags)
			assert.Equal(t, "Success", root.Derived.EndState)
			assert.False(t, root.Derived.Error)

			tool := spans["execute_tool search"]
			require.NotNil(t, tool, "spans: %v", keys(spans))
			assert.Equal(t, "tool", tool.Derived.Class)
			assert.Equal(t, "execute_tool", tool.Derived.Operation)
			assert.Equal(t, "search", tool.Derived.Label)
			assert.Equal(t, `{"q":"go"}`, tool.Derived.Input)
			assert.Equal(t, "3 results", tool.Derived.Output)
			assert.Equal(t, "span", tool.Derived.CostSource)
			assert.InDelta(t, 0.002, tool.Derived.Cost, 1e-12)

			agent := spans["invoke_agent planner"]
			require.NotNil(t, agent, "spans: %v", keys(spans))
			assert.Equal(t, "agent", agent.Derived.Class)
			assert.Equal(t, "planner", agent.Derived.Label)
			assert.True(t, agent.Derived.Error)
			assert.Equal(t, "*errors.errorString", agent.Derived.ErrorType)

			llm := spans["chat gpt-4o-mini"]
			require.NotNil(t, llm, "spans: %v", keys(spans))
			d := llm.Derived
			assert.Equal(t, "llm", d.Class)
			assert.Equal(t, "chat", d.Operation)
			assert.Equal(t, "gpt-4o-mini-2024-07-18", d.Model)
			assert.Equal(t, "openai", d.Provider)
			assert.Equal(t, int64(1200), d.InputTokens)
			assert.Equal(t, int64(300), d.OutputTokens)
			assert.Equal(t, int64(1000), d.CacheReadTokens)
			assert.Equal(t, int64(100), d.ReasoningTokens)
			assert.Greater(t, d.TTFT, 0.0)
			assert.Equal(t, "table", d.CostSource)
			assert.InDelta(t, (200*0.15+1000*0.075+300*0.60)/1e6, d.Cost, 1e-15)
			want := []model.Message{
				{Direction: "input", Index: 0, Role: "system", Content: "Be brief."},
				{Direction: "input", Index: 1, Role: "user", Content: "Find Go books."},
				{Direction: "input", Index: 2, Role: "assistant", ToolCalls: []model.ToolCall{{ID: "call_1", Name: "search", Arguments: `{"q":"go"}`}}},
				{Direction: "input", Index: 3, Role: "tool", Content: "3 results", ToolCallID: "call_1"},
				{Direction: "output", Index: 0, Role: "assistant", Content: "Here are three.", FinishReason: "stop"},
			}
			assert.Equal(t, want, d.Messages)
		})
	}
}

func keys(m map[string]*model.Span) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

package agentops

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/agentops-go/agentops/internal/fakebackend"
	"github.com/agentops-go/agentops/internal/semconv"
)

var traceLevels = []TraceLevel{LevelMinimal, LevelStandard, LevelDetailed, LevelDebug}

func TestParseTraceLevel(t *testing.T) {
	for in, want := range map[string]TraceLevel{
		"minimal": LevelMinimal, "Standard": LevelStandard, " DETAILED ": LevelDetailed, "debug\n": LevelDebug,
	} {
		got, err := ParseTraceLevel(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "verbose", "min", "3", "debug2"} {
		_, err := ParseTraceLevel(bad)
		assert.ErrorContains(t, err, "want minimal, standard, detailed or debug", "%q", bad)
	}
	for _, l := range traceLevels {
		back, err := ParseTraceLevel(l.String())
		require.NoError(t, err)
		assert.Equal(t, l, back, "String and ParseTraceLevel agree")
	}
	assert.Equal(t, "TraceLevel(0)", TraceLevel(0).String())
	assert.Equal(t, "TraceLevel(9)", TraceLevel(9).String())
}

func TestTraceLevelAsText(t *testing.T) {
	b, err := json.Marshal(struct{ Level TraceLevel }{LevelStandard})
	require.NoError(t, err)
	assert.JSONEq(t, `{"Level":"standard"}`, string(b))
	var back struct{ Level TraceLevel }
	require.NoError(t, json.Unmarshal([]byte(`{"Level":"Debug"}`), &back))
	assert.Equal(t, LevelDebug, back.Level)
	assert.Error(t, json.Unmarshal([]byte(`{"Level":"loud"}`), &back))
	_, err = TraceLevel(0).MarshalText()
	assert.Error(t, err, "the zero TraceLevel is not a level")

	fs := flag.NewFlagSet("agent", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	level := LevelDetailed
	fs.TextVar(&level, "trace-level", LevelDetailed, "how much to record")
	require.NoError(t, fs.Parse([]string{"-trace-level", "minimal"}))
	assert.Equal(t, LevelMinimal, level)
	assert.Error(t, fs.Parse([]string{"-trace-level", "everything"}))
}

func TestTraceLevelSettings(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		opts []Option
		want TraceLevel
	}{
		{"detailed by default", nil, nil, LevelDetailed},
		{"the variable, in any case", map[string]string{"AGENTOPS_TRACE_LEVEL": " Minimal "}, nil, LevelMinimal},
		{"an empty variable is unset", map[string]string{"AGENTOPS_TRACE_LEVEL": "  "}, nil, LevelDetailed},
		{"the option", nil, []Option{WithTraceLevel(LevelDebug)}, LevelDebug},
		{"the option beats the variable", map[string]string{"AGENTOPS_TRACE_LEVEL": "debug"},
			[]Option{WithTraceLevel(LevelStandard)}, LevelStandard},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := newConfig(envOf(tc.env), tc.opts)
			require.NoError(t, err)
			assert.Equal(t, tc.want, c.level)
		})
	}
}

func TestTraceLevelErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		opts []Option
		want string
	}{
		{"a bad variable", map[string]string{"AGENTOPS_TRACE_LEVEL": "verbose"}, nil,
			`AGENTOPS_TRACE_LEVEL="verbose" is not one of minimal, standard, detailed, debug`},
		{"the zero level", nil, []Option{WithTraceLevel(0)}, "WithTraceLevel(TraceLevel(0))"},
		{"past debug", nil, []Option{WithTraceLevel(LevelDebug + 1)}, "WithTraceLevel(TraceLevel(5))"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newConfig(envOf(tc.env), tc.opts)
			require.ErrorIs(t, err, ErrInvalidConfig)
			assert.ErrorContains(t, err, tc.want)
		})
	}

	t.Setenv("AGENTOPS_TRACE_LEVEL", "everything")
	c, err := Init(t.Context(), WithoutDefaultExporter())
	require.ErrorIs(t, err, ErrInvalidConfig, "Init refuses it too")
	assert.ErrorContains(t, err, `AGENTOPS_TRACE_LEVEL="everything"`)
	assert.Nil(t, c)
}

// Content capture is a switch no level overrides: off, no content at any
// level, raw bodies included; on, content from LevelDetailed up.
func TestVerbosityCombinesLevelAndContentCapture(t *testing.T) {
	for _, l := range traceLevels {
		for _, capture := range []bool{true, false} {
			c, err := newConfig(envOf(nil), []Option{WithTraceLevel(l), WithContentCapture(capture)})
			require.NoError(t, err)
			v := (&Client{cfg: c}).Verbosity()
			assert.Equal(t, l, v.Level)
			assert.Equal(t, capture && l >= LevelDetailed, v.Content, "%s, capture %v", l, capture)
			assert.Equal(t, capture && l == LevelDebug, v.RawBodies(), "%s, capture %v", l, capture)
		}
	}
	var none *Client
	assert.Equal(t, Verbosity{}, none.Verbosity(), "no Client records nothing")
	assert.False(t, none.Verbosity().RawBodies())
}

func TestVerbosityFor(t *testing.T) {
	_, ok := VerbosityFor(context.Background())
	assert.False(t, ok, "no Client, nothing recorded")

	recorded(t, WithTraceLevel(LevelStandard))
	v, ok := VerbosityFor(context.Background())
	require.True(t, ok)
	assert.Equal(t, Verbosity{Level: LevelStandard}, v, "the default Client's")

	other := newTestClient(t, fakebackend.New(t), WithTraceLevel(LevelDebug), WithContentCapture(false))
	ctx, sess := other.StartSession(context.Background(), "other")
	defer sess.End(Success)
	recorded(t, WithTraceLevel(LevelMinimal)) // the default now
	v, ok = VerbosityFor(ctx)
	require.True(t, ok)
	assert.Equal(t, Verbosity{Level: LevelDebug}, v, "the Client of the session ctx carries")
}

// presence says from which level a key is recorded, and whether it is
// content, which content capture also decides.
type presence struct {
	from    TraceLevel
	content bool
}

func (p presence) at(l TraceLevel, capture bool) bool {
	return l >= p.from && (capture || !p.content)
}

var (
	atMinimal  = presence{from: LevelMinimal}
	atStandard = presence{from: LevelStandard}
	atDetailed = presence{from: LevelDetailed}
	asContent  = presence{from: LevelDetailed, content: true}
	atDebug    = presence{from: LevelDebug, content: true}
)

// checkLevelKeys asserts that s carries exactly the keys of want that l (with
// content capture as given) records, and no other: a key a level does not
// list must not leak in.
func checkLevelKeys(t *testing.T, s sdktrace.ReadOnlySpan, want map[string]presence, l TraceLevel, capture bool) {
	t.Helper()
	var expected, got []string
	for k, p := range want {
		if p.at(l, capture) {
			expected = append(expected, k)
		}
	}
	for _, kv := range s.Attributes() {
		got = append(got, string(kv.Key))
	}
	slices.Sort(expected)
	slices.Sort(got)
	assert.Equal(t, expected, got, "%s: keys at %s, content capture %v", s.Name(), l, capture)
}

// encodeCounter counts its JSON encodings: a payload a level does not record
// must not even be encoded.
type encodeCounter struct{ n *atomic.Int32 }

func (e encodeCounter) MarshalJSON() ([]byte, error) {
	e.n.Add(1)
	return []byte(`{"q":"weather"}`), nil
}

func TestLevelsOnSpans(t *testing.T) {
	agentKeys := map[string]presence{
		"agentops.span.kind": atMinimal, "operation.name": atMinimal, "gen_ai.operation.name": atMinimal,
		"agentops.tags": atMinimal, "app.custom": atMinimal,
		"agent.name": atStandard, "gen_ai.agent.name": atStandard,
		"agentops.agent.input": atDetailed, "agentops.agent.output": atDetailed,
	}
	costKeys := map[string]presence{
		"agentops.span.kind": atMinimal, "operation.name": atMinimal, "gen_ai.operation.name": atMinimal,
		"tool.status": atMinimal,
		"tool.name":   atStandard, "gen_ai.tool.name": atStandard, "gen_ai.usage.total_cost": atStandard,
	}
	toolKeys := map[string]presence{
		"agentops.span.kind": atMinimal, "operation.name": atMinimal, "gen_ai.operation.name": atMinimal,
		"tool.status": atMinimal,
		"tool.name":   atStandard, "gen_ai.tool.name": atStandard,
		"tool.call.id": atStandard, "gen_ai.tool.call.id": atStandard, "gen_ai.tool.type": atStandard,
		"gen_ai.tool.call.arguments": asContent, "tool.parameters": asContent, "agentops.tool.input": asContent,
		"gen_ai.tool.call.result": asContent, "tool.result": asContent, "agentops.tool.output": asContent,
	}
	for _, l := range traceLevels {
		for _, capture := range []bool{true, false} {
			t.Run(l.String()+"/capture="+map[bool]string{true: "on", false: "off"}[capture], func(t *testing.T) {
				var redactions atomic.Int32
				rec := recorded(t, WithTraceLevel(l), WithContentCapture(capture),
					WithContentRedactor(func(s string) string { redactions.Add(1); return s }))
				var encodings atomic.Int32
				ctx, sess := StartSession(context.Background(), "levels", WithInput(encodeCounter{&encodings}))
				defer sess.End(Success)

				actx, agent := StartSpan(ctx, KindAgent, "planner", WithInput(encodeCounter{&encodings}),
					WithTags("nightly"), WithAttributes(attribute.String("app.custom", "kept")))
				_, priced := StartSpan(actx, KindTool, "geocode")
				priced.SetCost(0.002)
				priced.End(nil)
				_, err := RunTool(actx, ToolCall{ID: "call_1", Name: "weather", Arguments: `{"city":"Paris"}`},
					func(context.Context, string) (string, error) { return "18C", nil })
				require.NoError(t, err)
				agent.SetOutput(encodeCounter{&encodings})
				agent.End(nil)

				spans := map[string]sdktrace.ReadOnlySpan{}
				for _, s := range rec.Ended() {
					spans[s.Name()] = s
				}
				checkLevelKeys(t, spans["invoke_agent planner"], agentKeys, l, capture)
				checkLevelKeys(t, spans["execute_tool geocode"], costKeys, l, capture)
				checkLevelKeys(t, spans["execute_tool weather"], toolKeys, l, capture)
				for _, s := range []string{"invoke_agent planner", "execute_tool geocode", "execute_tool weather"} {
					assert.Equal(t, codes.Ok, spans[s].Status().Code, "status at every level")
				}
				if l < LevelDetailed {
					assert.Zero(t, encodings.Load(), "inputs and outputs are not even encoded")
				} else {
					assert.Equal(t, int32(3), encodings.Load(), "the session's input, the agent's input and output")
				}
				if !capture || l < LevelDetailed {
					assert.Zero(t, redactions.Load(), "no content is even built")
				}
			})
		}
	}
}

// A failure is status, which every level records.
func TestLevelMinimalKeepsErrors(t *testing.T) {
	rec := recorded(t, WithTraceLevel(LevelMinimal))
	_, err := RunTool(context.Background(), ToolCall{ID: "call_1", Name: "weather"},
		func(context.Context, string) (string, error) { return "", errors.New("service down") })
	require.Error(t, err)
	_, call := StartLLM(context.Background(), LLMRequest{Model: "gpt-4o"})
	call.End(LLMResponse{ErrorType: "429"}, errors.New("rate limited"))

	ended := rec.Ended()
	require.Len(t, ended, 2)
	tool, llm := ended[0], ended[1]
	assert.Equal(t, codes.Error, tool.Status().Code)
	assert.Equal(t, "service down", tool.Status().Description)
	assert.Equal(t, "failed", attrsOf(tool)["tool.status"].AsString())
	assert.Equal(t, "*errors.errorString", attrsOf(tool)["error.type"].AsString())
	assert.Equal(t, "chat gpt-4o", llm.Name(), "the name still says the model")
	assert.Equal(t, codes.Error, llm.Status().Code)
	assert.Equal(t, "429", attrsOf(llm)["error.type"].AsString())
	assert.Len(t, llm.Events(), 1, "the exception event")
}

var llmLevelKeys = map[string]presence{
	"agentops.span.kind": atMinimal, "gen_ai.operation.name": atMinimal,
	// the request's scalars
	"gen_ai.provider.name": atStandard, "gen_ai.system": atStandard, "gen_ai.request.type": atStandard,
	"gen_ai.request.model": atStandard, "gen_ai.request.streaming": atStandard, "gen_ai.request.stream": atStandard,
	"server.address": atStandard, "server.port": atStandard, "gen_ai.request.max_tokens": atStandard,
	"gen_ai.request.temperature": atStandard, "gen_ai.request.top_p": atStandard, "gen_ai.request.seed": atStandard,
	"gen_ai.request.choice.count": atStandard,
	// the response's
	"gen_ai.response.id": atStandard, "gen_ai.response.model": atStandard, "gen_ai.response.finish_reasons": atStandard,
	"gen_ai.usage.prompt_tokens": atStandard, "gen_ai.usage.completion_tokens": atStandard,
	"gen_ai.usage.total_tokens": atStandard, "gen_ai.usage.input_tokens": atStandard,
	"gen_ai.usage.output_tokens": atStandard, "gen_ai.usage.cache_read_input_tokens": atStandard,
	"gen_ai.usage.cache_read.input_tokens": atStandard, "gen_ai.usage.reasoning_tokens": atStandard,
	"gen_ai.usage.reasoning.output_tokens": atStandard,
	"gen_ai.streaming.time_to_first_token": atStandard, "gen_ai.response.time_to_first_chunk": atStandard,
	// the raw bodies
	semconv.LLMRequestBody: atDebug, semconv.LLMResponseBody: atDebug,
}

// conversationLevelKeys are the content keys of conversation() and answer().
func conversationLevelKeys() map[string]presence {
	keys := map[string]presence{}
	for _, k := range []string{
		"gen_ai.prompt.0.role", "gen_ai.prompt.0.content", "gen_ai.prompt.1.role", "gen_ai.prompt.1.content",
		"gen_ai.prompt.2.role", "gen_ai.prompt.3.role", "gen_ai.prompt.3.content", "gen_ai.prompt.3.tool_call_id",
		"gen_ai.prompt.4.role", "gen_ai.prompt.4.content", "gen_ai.prompt.4.tool_call_id",
		"gen_ai.request.functions.0.name", "gen_ai.request.functions.0.description", "gen_ai.request.functions.0.parameters",
		"gen_ai.completion.0.role", "gen_ai.completion.0.content", "gen_ai.completion.0.finish_reason",
		"gen_ai.completion.1.role", "gen_ai.completion.1.finish_reason",
	} {
		keys[k] = asContent
	}
	for _, pre := range []string{"gen_ai.prompt.2.tool_calls.0.", "gen_ai.prompt.2.tool_calls.1.", "gen_ai.completion.1.tool_calls.0."} {
		for _, f := range []string{"id", "name", "arguments"} {
			keys[pre+f] = asContent
		}
	}
	keys["gen_ai.completion.1.tool_calls.0.type"] = asContent
	return keys
}

func TestLevelsOnLLMSpans(t *testing.T) {
	want := conversationLevelKeys()
	maps.Copy(want, llmLevelKeys)
	for _, l := range traceLevels {
		for _, capture := range []bool{true, false} {
			t.Run(l.String()+"/capture="+map[bool]string{true: "on", false: "off"}[capture], func(t *testing.T) {
				var redactions atomic.Int32
				h := newLLMHarness(t, WithTraceLevel(l), WithContentCapture(capture),
					WithContentRedactor(func(s string) string { redactions.Add(1); return s }))
				req := conversation()
				req.Stream = true
				_, call := StartLLM(context.Background(), req)
				assert.Equal(t, l == LevelDebug && capture, call.RecordsBodies())
				call.SetRequestBody([]byte(`{"model":"gpt-4o","stream":true}`))
				call.ChunkReceived()
				call.AppendResponseBody([]byte("data: {}\n\n"))
				call.ChunkReceived()
				call.End(answer(), nil)

				s, _ := h.lastSpan(t)
				assert.Equal(t, "chat gpt-4o", s.Name())
				checkLevelKeys(t, s, want, l, capture)
				if !capture || l < LevelDetailed {
					assert.Zero(t, redactions.Load(), "no content is even built")
				}

				// The metrics are recorded at every level, token usage
				// included: at minimal they are where it is still counted.
				durations := h.histograms(t, semconv.MetricOperationDuration)
				require.Len(t, durations, 1)
				assert.Equal(t, uint64(1), durations[0].Count)
				assert.Len(t, h.histograms(t, semconv.MetricTimeToFirstChunk), 1)
				assert.Len(t, h.histograms(t, semconv.MetricTimePerOutputChunk), 1)
				tokens := h.tokenPoints(t)
				assert.Equal(t, int64(120), tokens["input"].Sum)
				assert.Equal(t, int64(30), tokens["output"].Sum)
			})
		}
	}
}

func TestDebugBodiesRedactedAndCapped(t *testing.T) {
	const key = "sk-proj-Xq3bV9kLmN2pR7sT4uW8yZ1a"
	h := newLLMHarness(t, WithTraceLevel(LevelDebug), WithMaxPayloadBytes(96),
		WithContentRedactor(func(s string) string { return strings.ReplaceAll(s, "Alice", "[name]") }))
	_, call := StartLLM(context.Background(), LLMRequest{Model: "gpt-4o"})
	require.True(t, call.RecordsBodies())
	call.SetRequestBody([]byte(`{"content":"I am Alice, my key is ` + key + `","note":"Bearer abcdefgh12345678 ` + "\xff" + `"}`))
	// The answer comes in pieces, past the cap and the margin kept beyond
	// it; a secret straddles the cap (96 bytes) and is masked whole before
	// the cut.
	answer := strings.Repeat("a", 80) + " " + key + " " + strings.Repeat("z", 5000) + "\xff"
	for piece := range slices.Chunk([]byte(answer), 7) {
		call.AppendResponseBody(piece)
	}
	call.End(LLMResponse{}, nil)
	call.AppendResponseBody([]byte("after the end"))

	_, a := h.lastSpan(t)
	assert.Equal(t, `{"content":"I am [name], my key is [REDACTED]","note":"Bearer [REDACTED] `+"\uFFFD"+`"}`,
		a[semconv.LLMRequestBody].AsString(), "the user's redactor, then RedactSecrets; valid UTF-8")
	// Of the answer's 5116 bytes, 80+1+33+1+4 are shown: 4997 are not.
	assert.Equal(t, strings.Repeat("a", 80)+" [REDACTED] zzzz…[truncated 4997 bytes]",
		a[semconv.LLMResponseBody].AsString())
	for _, v := range a {
		assert.NotContains(t, v.Emit(), "sk-proj", "no part of the key, anywhere")
		assert.NotContains(t, v.Emit(), "abcdefgh12345678")
	}
}

func TestBodiesOnlyAtDebugWithContent(t *testing.T) {
	for _, opts := range [][]Option{
		{WithTraceLevel(LevelDetailed)},
		{WithTraceLevel(LevelDebug), WithContentCapture(false)},
	} {
		h := newLLMHarness(t, opts...)
		_, call := StartLLM(context.Background(), LLMRequest{Model: "gpt-4o"})
		assert.False(t, call.RecordsBodies())
		call.SetRequestBody([]byte("request"))
		call.AppendResponseBody([]byte("response"))
		call.End(LLMResponse{}, nil)
		_, a := h.lastSpan(t)
		assert.NotContains(t, a, attribute.Key(semconv.LLMRequestBody))
		assert.NotContains(t, a, attribute.Key(semconv.LLMResponseBody))
	}
	// Without a Client, or for a span sampled out, nothing either.
	assert.False(t, nopLLMSpan.RecordsBodies())
	nopLLMSpan.SetRequestBody([]byte("request"))
	nopLLMSpan.AppendResponseBody([]byte("response"))
	h := newLLMHarness(t, WithTraceLevel(LevelDebug), WithSampler(sdktrace.NeverSample()))
	_, call := StartLLM(context.Background(), LLMRequest{Model: "gpt-4o"})
	assert.False(t, call.RecordsBodies())
	call.End(LLMResponse{}, nil)
	assert.Empty(t, h.rec.Ended())
}

// BenchmarkLLMSpanLevels is one chat call through the manual LLM API (the
// request and answer of BenchmarkLLMSpan) at each level, side by side: what
// a level leaves out, it does not pay for.
func BenchmarkLLMSpanLevels(b *testing.B) {
	req := LLMRequest{Provider: "openai", Model: "gpt-4o-mini", ServerAddress: "api.openai.com", ServerPort: 443,
		Messages: []Message{
			{Role: "system", Content: "You are a helpful assistant that answers briefly."},
			{Role: "user", Content: "What is the capital of France, and what is its population?"},
		},
		Tools:       []ToolDefinition{{Name: "search", Description: "Web search", Parameters: `{"type":"object","properties":{"q":{"type":"string"}}}`}},
		Temperature: ptr(0.2), MaxTokens: 256}
	resp := LLMResponse{ID: "chatcmpl-abc", Model: "gpt-4o-mini-2024-07-18",
		Choices: []Choice{{Message: Message{Role: "assistant", Content: "Paris; about 2.1 million people."}, FinishReason: "stop"}},
		Usage:   &Usage{InputTokens: 42, OutputTokens: 12, TotalTokens: 54}}
	for _, l := range []TraceLevel{LevelMinimal, LevelStandard, LevelDetailed} {
		// Recorded but exported nowhere, as in BenchmarkLLMSpan.
		c, err := Init(context.Background(), WithoutDefaultExporter(), WithLogger(discardLogger()), WithTraceLevel(l),
			WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))))
		if err != nil {
			b.Fatal(err)
		}
		ctx, sess := c.StartSession(context.Background(), "bench")
		b.Run(l.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, s := c.StartLLM(ctx, req)
				s.End(resp, nil)
			}
		})
		sess.End(Success)
		_ = c.Shutdown(context.Background())
	}
}

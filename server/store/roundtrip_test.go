package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/server/model"
)

// fullSpan uses every field, every attribute value type, and the nil/empty
// distinctions.
func fullSpan(trace string) model.Span {
	sp := llmSpan(trace, 2, 10, 900, "gpt-4o", "What is the weather in \"Paris\"?\n\t\u00e9\u4e16\U0001F600 \x01")
	sp.StatusMessage = "fine"
	sp.Attributes["float.integral"] = 3.0
	sp.Attributes["float.neg0"] = math.Copysign(0, -1)
	sp.Attributes["float.big"] = 1e300
	sp.Attributes["float.small"] = 1.5e-9
	sp.Attributes["int.max"] = int64(math.MaxInt64)
	sp.Attributes["int.min"] = int64(math.MinInt64)
	sp.Attributes["bool"] = true
	sp.Attributes["empty.string"] = ""
	sp.Attributes["nil"] = nil
	sp.Attributes["array"] = []any{"a", int64(1), 2.5, false, nil, []any{}, map[string]any{"k": "v"}}
	sp.Attributes["empty.array"] = []any{}
	sp.Attributes["kvlist"] = map[string]any{"nested": map[string]any{"deep": int64(7)}, "empty": map[string]any{}}
	sp.Events = []model.Event{
		{Name: "exception", Time: at(500), Attributes: map[string]any{"exception.type": "E", "n": int64(1)}},
		{Name: "no attrs", Time: at(501)},
	}
	sp.Links = []model.Link{{TraceID: traceID(99), SpanID: spanID(99), Attributes: map[string]any{"x": 1.25}}, {TraceID: traceID(98), SpanID: spanID(98)}}
	sp.Derived.TTFT = 0.25
	sp.Derived.CacheCreationTokens = 3
	sp.Derived.Error = true
	sp.Derived.ErrorType = "rate_limit"
	sp.Derived.Input = "in"
	sp.Derived.Output = "out"
	sp.Derived.Messages = append(sp.Derived.Messages, model.Message{
		Direction: "output", Index: 1, Role: "assistant",
		ToolCalls:    []model.ToolCall{{ID: "call_1", Name: "weather", Arguments: `{"city":"Paris"}`}, {Name: "noargs"}},
		FinishReason: "tool_calls",
	}, model.Message{Direction: "input", Index: 1, Role: "tool", ToolCallID: "call_1", ToolCalls: []model.ToolCall{}})
	return sp
}

func TestWriteReadRoundTrip(t *testing.T) {
	s := openStore(t, Options{})
	ctx := context.Background()
	tr := traceID(1)
	root := rootSpan(tr, 0, 1000, "Success")
	root.Resource = map[string]any{} // empty, not nil
	full := fullSpan(tr)
	bare := model.Span{TraceID: tr, SpanID: spanID(3), ParentSpanID: spanID(1), Name: "bare"} // nil maps, zero times
	content := "package main\n\nfunc main() {}\n"
	file := model.FileUpload{ID: model.FileID("main.go", content), TraceID: tr, Path: "main.go", Content: content, Received: at(2000)}
	other := model.FileUpload{ID: model.FileID("lib/x.go", "package lib"), TraceID: traceID(2), Path: "lib/x.go", Content: "package lib", Received: at(1500)}
	obj := model.Object{ID: model.ObjectID("blob"), Content: "blob", Received: at(3000)}

	write(t, s, &model.Batch{
		Spans:    []model.Span{full, root, bare},
		Logs:     []model.LogUpload{{TraceID: tr, Text: "\n2026-03-01 12:00:00,000 - INFO - second", Received: at(1200)}, {TraceID: tr, Text: "first", Received: at(1100)}},
		Files:    []model.FileUpload{file, other},
		FileRefs: []model.FileRef{{TraceID: tr, Path: "lib/x.go", FileID: other.ID}},
		Objects:  []model.Object{obj},
	})

	spans, err := s.Spans(ctx, tr)
	require.NoError(t, err)
	require.Len(t, spans, 3)
	// Ordered by start: zero start first, then root (0 ms), then full (10 ms).
	assert.Equal(t, bare, spans[0])
	assert.Equal(t, root, spans[1])
	assert.Equal(t, full, spans[2])
	assert.True(t, math.Signbit(spans[2].Attributes["float.neg0"].(float64)))

	logs, err := s.Logs(ctx, tr)
	require.NoError(t, err)
	require.Len(t, logs, 2)
	assert.Equal(t, "first", logs[0].Text)
	assert.Equal(t, model.LogUpload{TraceID: tr, Text: "\n2026-03-01 12:00:00,000 - INFO - second", Received: at(1200)}, logs[1])

	files, err := s.Files(ctx, tr)
	require.NoError(t, err)
	sum := sha256.Sum256([]byte(content))
	otherSum := sha256.Sum256([]byte("package lib"))
	assert.Equal(t, []model.FileInfo{
		{ID: other.ID, Path: "lib/x.go", Size: 11, SHA256: hex.EncodeToString(otherSum[:]), Received: at(1500)},
		{ID: file.ID, Path: "main.go", Size: int64(len(content)), SHA256: hex.EncodeToString(sum[:]), Received: at(2000)},
	}, files)
	got, err := s.File(ctx, file.ID)
	require.NoError(t, err)
	assert.Equal(t, file, got)

	gotObj, err := s.Object(ctx, obj.ID)
	require.NoError(t, err)
	assert.Equal(t, obj, gotObj)

	sess, err := s.Session(ctx, tr)
	require.NoError(t, err)
	assert.Equal(t, "demo", sess.Name)
	assert.Equal(t, "success", sess.Status)
	assert.True(t, sess.HasLogs)
	assert.EqualValues(t, 2, sess.Files)
	assert.EqualValues(t, 3, sess.Spans)

	for _, f := range []func() error{
		func() error { _, err := s.Session(ctx, traceID(404)); return err },
		func() error { _, err := s.Spans(ctx, traceID(404)); return err },
		func() error { _, err := s.File(ctx, "nope"); return err },
		func() error { _, err := s.Object(ctx, "nope"); return err },
	} {
		assert.ErrorIs(t, f(), ErrNotFound)
		assert.ErrorIs(t, f(), model.ErrNotFound)
	}
	l, err := s.Logs(ctx, traceID(404))
	require.NoError(t, err)
	assert.Empty(t, l)
}

func TestOddInputDoesNotCrash(t *testing.T) {
	s := openStore(t, Options{})
	ctx := context.Background()
	type custom struct{ A int }
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	require.NoError(t, s.Write(ctx, nil))
	require.NoError(t, s.Write(ctx, &model.Batch{}))
	write(t, s, &model.Batch{
		Spans: []model.Span{
			{}, // no IDs: dropped
			{TraceID: traceID(1)},
			{TraceID: traceID(1), SpanID: spanID(1), Name: "odd\xff", Start: at(0).AddDate(-1000, 0, 0),
				Attributes: map[string]any{
					"int": 7, "uint64": uint64(math.MaxUint64), "float32": float32(1.5), "strings": []string{"a"},
					"custom": custom{A: 1}, "nan": math.NaN(), "inf": math.Inf(-1), "cyclic": cyclic,
					"bytes": []byte("b"), "ints": []int{1, 2},
				},
				Derived: model.Derived{Cost: math.NaN(), Tags: []string{}}},
		},
		Logs:     []model.LogUpload{{Text: "no trace"}},
		FileRefs: []model.FileRef{{TraceID: traceID(1), Path: "x.go"}},
		Files:    []model.FileUpload{{Path: "x.go", Content: "x"}}, // no ID, no trace: ID computed
		Objects:  []model.Object{{Content: "no id"}},
	})
	spans, err := s.Spans(ctx, traceID(1))
	require.NoError(t, err)
	require.Len(t, spans, 1)
	a := spans[0].Attributes
	assert.Equal(t, int64(7), a["int"])
	assert.Equal(t, float64(math.MaxUint64), a["uint64"])
	assert.Equal(t, 1.5, a["float32"])
	assert.Equal(t, []any{"a"}, a["strings"])
	assert.Equal(t, []any{int64(1), int64(2)}, a["ints"])
	assert.Equal(t, "NaN", a["nan"])
	assert.Equal(t, "-Inf", a["inf"])
	assert.Equal(t, "{1}", a["custom"])
	assert.Equal(t, "odd\xff", spans[0].Name, "a column keeps the bytes as given")
	assert.True(t, spans[0].Start.IsZero(), "a time int64 nanoseconds cannot hold reads back as zero")
	assert.True(t, math.IsNaN(spans[0].Derived.Cost))

	sess, err := s.Session(ctx, traceID(1))
	require.NoError(t, err)
	assert.Zero(t, sess.Cost, "a NaN cost does not poison the total")
	_, err = s.File(ctx, model.FileID("x.go", "x"))
	require.NoError(t, err)
	_, err = s.Object(ctx, model.ObjectID("no id"))
	require.NoError(t, err)
}

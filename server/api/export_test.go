package api

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/agentops-go/agentops/server/model"
)

func TestExportDecodesBack(t *testing.T) {
	spans := fixtureSpans()
	spans[2].Attributes["gen_ai.prompt"] = []any{"a", int64(2), true}
	spans[2].Attributes["nested"] = map[string]any{"k": 1.5}
	spans[2].Attributes["tags"] = []string{"x", "y"} // not a type pdata takes raw
	spans[2].Links = []model.Link{{TraceID: traceB, SpanID: "00000000000000aa", Attributes: map[string]any{"why": "retry"}}}
	spans[3].Kind = "client"
	spans[6].Service, spans[6].Resource = "other-svc", nil // a second resource
	spans[6].Scope = "manual"

	req := ptraceotlp.NewExportRequestFromTraces(ExportTraces(spans))
	body, err := req.MarshalJSON()
	require.NoError(t, err)

	got := ptraceotlp.NewExportRequest()
	require.NoError(t, got.UnmarshalJSON(body))
	td := got.Traces()
	require.Equal(t, len(spans), td.SpanCount())
	require.Equal(t, 2, td.ResourceSpans().Len())

	rs := td.ResourceSpans().At(0)
	assert.Equal(t, map[string]any{"service.name": "svc", "host.name": "box"}, rs.Resource().Attributes().AsRaw())
	assert.Equal(t, "agentops", rs.ScopeSpans().At(0).Scope().Name())
	other := td.ResourceSpans().At(1)
	assert.Equal(t, map[string]any{"service.name": "other-svc"}, other.Resource().Attributes().AsRaw(), "service.name from the span when the resource lacks it")
	assert.Equal(t, "manual", other.ScopeSpans().At(0).Scope().Name())

	byID := map[string]ptrace.Span{}
	for i := range td.ResourceSpans().Len() {
		ss := td.ResourceSpans().At(i).ScopeSpans()
		for j := range ss.Len() {
			for k := range ss.At(j).Spans().Len() {
				s := ss.At(j).Spans().At(k)
				byID[s.SpanID().String()] = s
			}
		}
	}
	for _, want := range spans {
		s, ok := byID[want.SpanID]
		require.True(t, ok, want.SpanID)
		assert.Equal(t, want.TraceID, s.TraceID().String())
		assert.Equal(t, want.ParentSpanID, s.ParentSpanID().String())
		assert.Equal(t, want.Name, s.Name())
		assert.Equal(t, want.Start, s.StartTimestamp().AsTime())
		assert.Equal(t, want.End, s.EndTimestamp().AsTime())
		assert.Equal(t, want.StatusMessage, s.Status().Message())
		assert.Equal(t, len(want.Events), s.Events().Len())
		if want.SpanID != spans[2].SpanID {
			assert.Equal(t, want.Attributes, s.Attributes().AsRaw())
		}
	}

	llmSpan := byID[spans[2].SpanID]
	attrs := llmSpan.Attributes().AsRaw()
	assert.Equal(t, "gpt-4o", attrs["gen_ai.request.model"])
	assert.Equal(t, int64(100), attrs["gen_ai.usage.input_tokens"])
	assert.Equal(t, []any{"a", int64(2), true}, attrs["gen_ai.prompt"])
	assert.Equal(t, map[string]any{"k": 1.5}, attrs["nested"])
	assert.Equal(t, []any{"x", "y"}, attrs["tags"])
	require.Equal(t, 1, llmSpan.Links().Len())
	assert.Equal(t, traceB, llmSpan.Links().At(0).TraceID().String())
	assert.Equal(t, "retry", llmSpan.Links().At(0).Attributes().AsRaw()["why"])

	assert.Equal(t, ptrace.SpanKindClient, byID[spans[3].SpanID].Kind())
	assert.Equal(t, ptrace.SpanKindInternal, byID[spans[0].SpanID].Kind())
	failedSpan := byID[spans[5].SpanID]
	assert.Equal(t, ptrace.StatusCodeError, failedSpan.Status().Code())
	require.Equal(t, 1, failedSpan.Events().Len())
	ev := failedSpan.Events().At(0)
	assert.Equal(t, "exception", ev.Name())
	assert.Equal(t, spans[5].Events[0].Time, ev.Timestamp().AsTime())
	assert.Equal(t, "timeout", ev.Attributes().AsRaw()["exception.type"])
	assert.Equal(t, ptrace.StatusCodeUnset, byID[spans[0].SpanID].Status().Code())
}

func TestExportMalformedIDs(t *testing.T) {
	s := mk("not-hex-at-all!!", "", "x", "tool", 0, 1)
	s.TraceID = "zz"
	td := ExportTraces([]model.Span{s})
	got := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	assert.True(t, got.SpanID().IsEmpty())
	assert.True(t, got.TraceID().IsEmpty())
	assert.True(t, got.ParentSpanID().IsEmpty())
}

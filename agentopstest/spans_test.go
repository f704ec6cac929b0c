package agentopstest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/agentops-go/agentops/server/model"
)

// fakeT records a Fatalf instead of stopping the test.
type fakeT struct {
	testing.TB
	failed string
}

func (f *fakeT) Helper() {}
func (f *fakeT) Fatalf(format string, args ...any) {
	f.failed = fmt.Sprintf(format, args...)
}

func TestSpanLookups(t *testing.T) {
	spans := []model.Span{
		{TraceID: "t1", SpanID: "a", Name: "root"},
		{TraceID: "t1", SpanID: "b", ParentSpanID: "a", Name: "chat"},
		{TraceID: "t1", SpanID: "c", ParentSpanID: "b", Name: "chat"},
		{TraceID: "t2", SpanID: "d", ParentSpanID: "a", Name: "other"},
	}
	assert.Len(t, Named(spans, "chat"), 2)
	assert.Equal(t, []string{"chat", "chat", "other", "root"}, SpanNames(spans))

	ft := &fakeT{}
	assert.Equal(t, "a", One(ft, spans, "root").SpanID)
	assert.Empty(t, ft.failed)
	One(ft, spans, "chat")
	assert.Contains(t, ft.failed, `2 spans named "chat"`)

	ft = &fakeT{}
	RequireChild(ft, spans[0], spans[1])
	assert.Empty(t, ft.failed)
	RequireChild(ft, spans[0], spans[2])
	assert.Contains(t, ft.failed, `"chat" is not a child of "root"`)
	RequireChild(ft, spans[0], spans[3])
	assert.Contains(t, ft.failed, "is not in the trace of")
}

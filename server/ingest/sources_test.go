package ingest

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/agentops-go/agentops/internal/semconv"
	"github.com/agentops-go/agentops/server/model"
)

// The SDK writes the span (uploads.go); this package reads it.
func TestSourcesNamesMatchTheSDK(t *testing.T) {
	assert.Equal(t, semconv.SourcesSpanName, sourcesSpanName)
	assert.Equal(t, semconv.SourcesFiles, sourcesFiles)
	assert.Equal(t, semconv.SourcesURLs, sourcesURLs)
}

func TestSourcesSpanYieldsFileRefs(t *testing.T) {
	s := newServer(t, Config{PublicURL: func(*http.Request) string { return "http://127.0.0.1:7318" }})
	idMain := model.FileID("main.go", "package main")
	idUtil := model.FileID("util/util.go", "package util")
	idOther := model.FileID("other.go", "package other")
	files := []string{"main.go", "util/util.go", "other.go", "objects.go", "unsent.go", "relative.go", "bad.go", "main.go"}
	urls := []string{
		"http://127.0.0.1:7318/api/files/" + idMain,    // this server, by its public URL
		s.URL + "/api/files/" + idUtil,                 // this server, by the Host the request came to
		"http://elsewhere:7318/api/files/" + idOther,   // another server
		"http://127.0.0.1:7318/api/objects/" + idOther, // stored as an object: no file
		"",                      // not uploaded
		"/api/files/" + idOther, // no host: ours
		"http://127.0.0.1:7318/api/files/not-an-id",
		"http://127.0.0.1:7318/api/files/" + idMain, // repeated
	}
	stub := tracetest.SpanStub{
		Name: "agentops.sources", SpanContext: spanContext(traceA, childA), Parent: spanContext(traceA, rootA),
		StartTime: t0, EndTime: t0.Add(time.Nanosecond),
		Attributes: []attribute.KeyValue{
			attribute.StringSlice("agentops.sources.files", files),
			attribute.StringSlice("agentops.sources.urls", urls),
			attribute.String("agentops.sources.endpoint", "scripts"),
		},
		Resource: resource.NewSchemaless(attribute.String("service.name", "agentops")),
	}
	exp := newTraceExporter(t, s)
	require.NoError(t, exp.ExportSpans(context.Background(), tracetest.SpanStubs{stub}.Snapshots()))

	batches := s.w.all()
	require.Len(t, batches, 1)
	require.Len(t, batches[0].Spans, 1, "the sources span is stored too")
	const tid = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
	assert.Equal(t, []model.FileRef{
		{TraceID: tid, Path: "main.go", FileID: idMain},
		{TraceID: tid, Path: "util/util.go", FileID: idUtil},
		{TraceID: tid, Path: "relative.go", FileID: idOther},
	}, batches[0].FileRefs)
}

func TestSourcesMatcherWithPathPrefix(t *testing.T) {
	r, _ := http.NewRequest(http.MethodPost, "http://localhost:7318/v1/traces", nil)
	m := newSourceMatcher(r, "https://example.com/agentops/")
	id := model.FileID("a", "b")
	for raw, want := range map[string]bool{
		"https://example.com/agentops/api/files/" + id:        true,
		"https://EXAMPLE.com/agentops/api/files/" + id:        true,
		"http://localhost:7318/api/files/" + id:               true,
		"https://example.com/other/api/files/" + id:           false,
		"https://example.com/agentops/api/files/" + id + "/x": false,
		"::not a url": false,
	} {
		_, ok := m.fileID(raw)
		assert.Equal(t, want, ok, raw)
	}
}

func TestNonSourcesSpansYieldNoRefs(t *testing.T) {
	s := newServer(t, Config{})
	stub := tracetest.SpanStub{
		Name: "not.sources", SpanContext: spanContext(traceA, childA),
		Attributes: []attribute.KeyValue{
			attribute.StringSlice("agentops.sources.files", []string{"a.go"}),
			attribute.StringSlice("agentops.sources.urls", []string{"/api/files/" + model.FileID("a.go", "")}),
		},
	}
	exp := newTraceExporter(t, s)
	require.NoError(t, exp.ExportSpans(context.Background(), tracetest.SpanStubs{stub}.Snapshots()))
	assert.Empty(t, s.w.all()[0].FileRefs)
}

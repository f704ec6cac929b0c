package main

import (
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/agentops-go/agentops/agentopstest"
	"github.com/agentops-go/agentops/examples/internal/exampletest"
)

// One set of spans, two backends: the AgentOps backend gets them through
// the SDK's processors, the program's own OTLP backend through the
// program's exporter, with the same trace and span ids, the program's
// resource, and the program's own span nested in the session.
func TestSameSpansReachBothBackends(t *testing.T) {
	own := agentopstest.NewServer(t) // standing in for the program's Collector or Jaeger
	agentOps, out := exampletest.Run(t, func(ctx context.Context, stdout io.Writer) error {
		return run(ctx, stdout, own.URL+"/v1/traces")
	})
	assert.Contains(t, out, "queue: billing")

	// root, fetch_ticket, chat, agentops.sources
	fromSDK := exampletest.Session(t, agentOps, "existingprovider.session", 4)
	fromProgram := exampletest.Session(t, own, "existingprovider.session", 4)
	assert.Equal(t, ids(fromSDK), ids(fromProgram), "the same spans, by trace and span id")
	assert.Equal(t, fromSDK.Names(), fromProgram.Names())

	for _, tr := range []exampletest.Trace{fromSDK, fromProgram} {
		assert.Equal(t, "Success", tr.Root.Derived.EndState)
		for _, s := range tr.Spans {
			assert.Equal(t, serviceName, s.Service, "%s has the program's resource", s.Name)
		}
		fetch := tr.One(t, "fetch_ticket")
		assert.Equal(t, tr.Root.SpanID, fetch.ParentSpanID, "the program's span nests in the session")
		assert.Equal(t, scopeName, fetch.Scope)
		assert.Equal(t, int64(4711), fetch.Attributes["ticket.id"])
		chat := tr.One(t, "chat gpt-4o-mini")
		assert.Equal(t, tr.Root.SpanID, chat.ParentSpanID)
		assert.Equal(t, "billing", exampletest.Output(t, chat).Content)
	}
	assert.NotEmpty(t, agentOps.Files(fromSDK.Root.TraceID), "the session's source files went to AgentOps")
}

// Without -otlp the program's exporter prints each span: the same ids the
// AgentOps backend stored.
func TestWithoutBackendTheProgramPrintsItsSpans(t *testing.T) {
	agentOps, out := exampletest.Run(t, func(ctx context.Context, stdout io.Writer) error {
		return run(ctx, stdout, "")
	})

	tr := exampletest.Session(t, agentOps, "existingprovider.session", 4)
	for _, s := range tr.Spans {
		assert.Contains(t, out, "span "+s.SpanID+" ", "%s was printed too", s.Name)
	}
	assert.Contains(t, out, "exported: trace "+tr.Root.TraceID+" span "+tr.Root.SpanID+" parent -  existingprovider.session\n")
}

// ids are the trace's span ids, by trace id and span id.
func ids(tr exampletest.Trace) map[string]bool {
	out := map[string]bool{}
	for _, s := range tr.Spans {
		out[s.TraceID+"/"+s.SpanID] = true
	}
	return out
}

package main

import (
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/examples/internal/exampletest"
)

// The service's spans, started from the request's context on the other
// side of an HTTP call, are in the agent's trace, each under the tool span
// that made the call; an error crosses the wire with them.
func TestServiceSpansJoinTheCallersTrace(t *testing.T) {
	srv, out := exampletest.Run(t, func(ctx context.Context, stdout io.Writer) error {
		return run(ctx, stdout, "") // the service in this process
	})
	assert.Contains(t, out, "SKU-1001: 12 in stock at Lisbon\n")
	assert.Contains(t, out, `SKU-9999: inventory service: unknown SKU "SKU-9999"`)

	// root, then per SKU the agent's tool span, the service's task span and
	// its retrieval span, then agentops.sources
	tr := exampletest.Session(t, srv, "distributed.session", 1+3*len(skus)+1)
	assert.Len(t, srv.Sessions(), 1, "the service started no trace of its own")
	assert.Equal(t, "ok", tr.Root.StatusCode, "the agent reported the failed check and went on")

	tools := tr.Named("execute_tool check_stock")
	tasks := tr.Named("check_stock.task")
	lookups := tr.Named("retrieval inventory_db")
	require.Len(t, tools, len(skus))
	require.Len(t, tasks, len(skus))
	require.Len(t, lookups, len(skus))
	for i, sku := range skus {
		tool, task, lookup := tools[i], tasks[i], lookups[i]
		assert.Equal(t, tr.Root.SpanID, tool.ParentSpanID, "%s: the agent's tool span is in its session", sku)
		assert.JSONEq(t, `{"sku":"`+sku+`"}`, tool.Derived.Input)

		// The service's spans, parented across the wire.
		assert.Equal(t, tool.SpanID, task.ParentSpanID, "%s: the service's task is under the calling tool span", sku)
		assert.JSONEq(t, `{"sku":"`+sku+`"}`, task.Derived.Input, "%s: the service handled this call", sku)
		assert.Equal(t, task.SpanID, lookup.ParentSpanID)
		assert.False(t, task.Start.Before(tool.Start) || task.End.After(tool.End), "%s: the task ran within the call", sku)

		want := "ok"
		if sku == "SKU-9999" {
			want = "error"
		}
		for _, s := range []string{tool.StatusCode, task.StatusCode, lookup.StatusCode} {
			assert.Equal(t, want, s, "%s", sku)
		}
	}
	assert.Contains(t, tools[2].StatusMessage, `unknown SKU "SKU-9999"`, "the service's error, as the agent saw it")
	assert.Equal(t, `unknown SKU "SKU-9999"`, tasks[2].StatusMessage)
}

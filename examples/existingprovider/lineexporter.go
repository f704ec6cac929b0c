package main

import (
	"context"
	"fmt"
	"io"
	"sync"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// lineExporter writes one line per span: its trace and span ids, its
// parent's id and its name. It stands in for the program's own backend when
// none is given; OTel's stdouttrace exporter would print everything, but
// it is not a dependency of this module. It is safe for concurrent use.
type lineExporter struct {
	mu sync.Mutex
	w  io.Writer
}

func (e *lineExporter) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, s := range spans {
		parent := "-"
		if s.Parent().IsValid() {
			parent = s.Parent().SpanID().String()
		}
		if _, err := fmt.Fprintf(e.w, "exported: trace %s span %s parent %s  %s\n",
			s.SpanContext().TraceID(), s.SpanContext().SpanID(), parent, s.Name()); err != nil {
			return err
		}
	}
	return nil
}

func (e *lineExporter) Shutdown(context.Context) error { return nil }

package ingest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/agentops-go/agentops/server/ingest"
	"github.com/agentops-go/agentops/server/model"
)

// printWriter "stores" a batch by printing it.
type printWriter struct{}

func (printWriter) Write(_ context.Context, b *model.Batch) error {
	for _, s := range b.Spans {
		fmt.Printf("span %s %s/%s service=%s model=%v\n", s.Name, s.TraceID, s.SpanID, s.Service, s.Attributes["gen_ai.request.model"])
	}
	for _, l := range b.Logs {
		fmt.Printf("log of trace %s: %q\n", l.TraceID, l.Text)
	}
	return nil
}

func Example() {
	mux := http.NewServeMux()
	ingest.New(ingest.Config{
		Writer:    printWriter{},
		PublicURL: func(*http.Request) string { return "http://127.0.0.1:7318" },
	}).Register(mux)

	// An OTLP/JSON export, as any OpenTelemetry SDK sends it.
	otlp := `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"agentops"}}]},
	  "scopeSpans":[{"spans":[{"traceId":"0000000000000000000000000000000a","spanId":"0000000000000001","name":"openai.chat",
	  "attributes":[{"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}}]}]}]}]}`
	r := httptest.NewRequest(http.MethodPost, "/v1/traces", strings.NewReader(otlp))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Body.String())

	// The captured log of the same trace, as the AgentOps SDKs upload it:
	// the trace id in decimal, the text after a newline, in an envelope.
	r = httptest.NewRequest(http.MethodPost, "/v4/logs/upload/", strings.NewReader(`{"body":"\nhello"}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Trace-Id", "10")
	w = httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	fmt.Print(w.Code, " ", w.Body.String())

	// Output:
	// span openai.chat 0000000000000000000000000000000a/0000000000000001 service=agentops model=gpt-4o
	// 200 {"partialSuccess":{}}
	// log of trace 0000000000000000000000000000000a: "\nhello"
	// 200 {"url":"http://127.0.0.1:7318/api/logs/0000000000000000000000000000000a","size":6}
}

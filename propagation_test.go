package agentops

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/baggage"

	"github.com/agentops-go/agentops/internal/fakebackend"
)

// A distributed agent: the remote tool service is another process with its
// own Client; its spans must land in the calling session's trace.
func TestRemoteToolServiceJoinsSessionTrace(t *testing.T) {
	b := fakebackend.New(t)
	service := newTestClient(t, b)
	agent := newTestClient(t, b)

	var gotBaggage string
	srv := httptest.NewServer(ExtractingHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotBaggage = baggage.FromContext(r.Context()).Member("user.id").Value()
		_, span := service.StartSpan(r.Context(), KindTool, "remote_lookup")
		defer span.End(nil)
		_, _ = io.WriteString(w, "found")
	})))
	defer srv.Close()

	member, err := baggage.NewMember("user.id", "u-17")
	require.NoError(t, err)
	bag, err := baggage.New(member)
	require.NoError(t, err)
	ctx, sess := agent.StartSession(baggage.ContextWithBaggage(context.Background(), bag), "distributed")
	ctx, call := agent.StartSpan(ctx, KindAgent, "caller")
	httpClient := &http.Client{Transport: PropagatingTransport(nil)}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	require.NoError(t, err)
	resp, err := httpClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Empty(t, req.Header.Get("traceparent"), "the caller's request is not mutated")
	call.End(nil)
	sess.End(Success)
	flush(t, agent)
	flush(t, service)

	spans := byName(t, b.WaitForSpans(t, 3, 5*time.Second))
	remote, caller := spans["execute_tool remote_lookup"], spans["invoke_agent caller"]
	assert.Equal(t, sess.TraceID().String(), remote.TraceID, "the remote span is in the session's trace")
	assert.Equal(t, caller.SpanID, remote.ParentSpanID, "under the span that made the call")
	assert.Equal(t, "u-17", gotBaggage, "baggage travels too")
}

func TestInjectExtractRoundTrip(t *testing.T) {
	newTestClient(t, fakebackend.New(t))
	ctx, sess := StartSession(context.Background(), "carrier")
	defer sess.End(Success)
	h := http.Header{}
	InjectHTTP(ctx, h)
	require.NotEmpty(t, h.Get("traceparent"))
	remote := ExtractHTTP(context.Background(), h)
	_, span := StartSpan(remote, KindTask, "continued")
	defer span.End(nil)
	assert.Equal(t, sess.TraceID(), span.SpanContext().TraceID())
}

package agentops

import (
	"go.opentelemetry.io/otel/attribute"

	"github.com/agentops-go/agentops/internal/semconv"
)

// bodyMargin is how far past the payload cap a raw body is kept until it is
// redacted: a secret that straddles the cap is masked whole before the cut,
// rather than cut into a prefix no rule recognises.
const bodyMargin = 4 << 10

// rawBodies is the response body an LLMSpan has been given so far: its
// first bytes, up to the cap and bodyMargin, and its length.
type rawBodies struct {
	response []byte
	total    int
}

// RecordsBodies reports whether the span records the raw HTTP bodies given
// to SetRequestBody and AppendResponseBody: when it is recorded, at
// LevelDebug, with content capture on. Instrumentation checks it before
// copying a body.
func (s *LLMSpan) RecordsBodies() bool { return s.bodies != nil }

// SetRequestBody records body, the raw HTTP request body of the call, as
// agentops.llm.request.body: with every secret masked (the
// WithContentRedactor function, then RedactSecrets), cut at
// WithMaxPayloadBytes. Pass the body only: headers, and with them the
// Authorization header, are never recorded. It does nothing unless
// RecordsBodies, and does not keep body.
func (s *LLMSpan) SetRequestBody(body []byte) {
	if s.bodies == nil || s.ended.Load() {
		return
	}
	kept := body[:min(len(body), s.client.cfg.maxPayload+bodyMargin)]
	s.span.SetAttributes(attribute.String(semconv.LLMRequestBody, s.client.content().body(kept, len(body))))
}

// AppendResponseBody adds p, the next bytes of the raw HTTP response body
// as the caller reads them, for End to record as agentops.llm.response.body,
// masked and cut as SetRequestBody's. Pass each read of a stream: only what
// the cap keeps is copied. It does nothing unless RecordsBodies, and does
// not keep p.
func (s *LLMSpan) AppendResponseBody(p []byte) {
	if s.bodies == nil || len(p) == 0 || s.ended.Load() {
		return
	}
	limit := s.client.cfg.maxPayload + bodyMargin
	s.mu.Lock()
	b := s.bodies
	if room := limit - len(b.response); room > 0 {
		b.response = append(b.response, p[:min(len(p), room)]...)
	}
	b.total += len(p)
	s.mu.Unlock()
}

package api

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/agentops-go/agentops/server/model"
)

// SpanEvent is one span event with the span it belongs to, as
// /api/sessions/{id}/events serves it.
type SpanEvent struct {
	SpanID     string         `json:"span_id"`
	SpanName   string         `json:"span_name"`
	Class      string         `json:"class"`
	Label      string         `json:"label,omitempty"`
	Name       string         `json:"name"`
	Time       time.Time      `json:"time"`
	Attributes map[string]any `json:"attributes"`
}

// SpanEvents lists the events of spans ordered by time. A non-empty typ
// keeps the events of that name (exception, ...); a non-empty component
// keeps the events of spans whose class or label it is. Both compare
// without regard to case. SpanEvents is pure and safe for concurrent use.
func SpanEvents(spans []model.Span, typ, component string) []SpanEvent {
	out := []SpanEvent{}
	for i := range spans {
		s := &spans[i]
		if component != "" && !strings.EqualFold(s.Derived.Class, component) && !strings.EqualFold(s.Derived.Label, component) {
			continue
		}
		for _, e := range s.Events {
			if typ != "" && !strings.EqualFold(e.Name, typ) {
				continue
			}
			attrs := e.Attributes
			if attrs == nil {
				attrs = map[string]any{}
			}
			out = append(out, SpanEvent{
				SpanID: s.SpanID, SpanName: s.Name, Class: s.Derived.Class, Label: s.Derived.Label,
				Name: e.Name, Time: e.Time, Attributes: attrs,
			})
		}
	}
	slices.SortStableFunc(out, func(a, b SpanEvent) int { return a.Time.Compare(b.Time) })
	return out
}

func (a *API) getSpanEvents(w http.ResponseWriter, r *http.Request) {
	id, ok := pathTraceID(w, r, "id")
	if !ok {
		return
	}
	spans, err := a.loadSpans(r, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	writeJSON(w, http.StatusOK, SpanEvents(spans, q.Get("type"), q.Get("component")))
}

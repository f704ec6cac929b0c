package api

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/agentops-go/agentops/server/model"
)

// ExportTraces rebuilds OTLP from stored spans: one ResourceSpans per
// distinct resource, one ScopeSpans per scope, spans in the given order.
// What normalize derived is not exported: it came from the attributes,
// which are. ExportTraces is a pure function, safe for concurrent use.
func ExportTraces(spans []model.Span) ptrace.Traces {
	td := ptrace.NewTraces()
	type scopeKey struct {
		resource int
		scope    string
	}
	resources := map[string]int{}
	scopes := map[scopeKey]ptrace.SpanSlice{}
	for i := range spans {
		s := &spans[i]
		rk := resourceKey(s)
		ri, ok := resources[rk]
		if !ok {
			ri = td.ResourceSpans().Len()
			resources[rk] = ri
			rs := td.ResourceSpans().AppendEmpty()
			putAttrs(rs.Resource().Attributes(), s.Resource)
			if _, has := s.Resource["service.name"]; !has && s.Service != "" {
				rs.Resource().Attributes().PutStr("service.name", s.Service)
			}
		}
		sk := scopeKey{ri, s.Scope}
		ss, ok := scopes[sk]
		if !ok {
			scope := td.ResourceSpans().At(ri).ScopeSpans().AppendEmpty()
			scope.Scope().SetName(s.Scope)
			ss = scope.Spans()
			scopes[sk] = ss
		}
		putSpan(ss.AppendEmpty(), s)
	}
	return td
}

// resourceKey identifies a span's resource; json.Marshal sorts map keys,
// so equal maps give equal keys.
func resourceKey(s *model.Span) string {
	b, err := json.Marshal(s.Resource)
	if err != nil {
		b = fmt.Appendf(nil, "%v", s.Resource)
	}
	return s.Service + "\x00" + string(b)
}

var spanKinds = map[string]ptrace.SpanKind{
	"internal": ptrace.SpanKindInternal, "server": ptrace.SpanKindServer, "client": ptrace.SpanKindClient,
	"producer": ptrace.SpanKindProducer, "consumer": ptrace.SpanKindConsumer,
}

var statusCodes = map[string]ptrace.StatusCode{"ok": ptrace.StatusCodeOk, "error": ptrace.StatusCodeError}

func putSpan(out ptrace.Span, s *model.Span) {
	out.SetTraceID(otlpTraceID(s.TraceID))
	out.SetSpanID(otlpSpanID(s.SpanID))
	out.SetParentSpanID(otlpSpanID(s.ParentSpanID))
	out.SetName(s.Name)
	out.SetKind(spanKinds[s.Kind]) // unknown: unspecified
	out.SetStartTimestamp(pcommon.NewTimestampFromTime(s.Start))
	out.SetEndTimestamp(pcommon.NewTimestampFromTime(s.End))
	out.Status().SetCode(statusCodes[s.StatusCode]) // unknown: unset
	out.Status().SetMessage(s.StatusMessage)
	putAttrs(out.Attributes(), s.Attributes)
	for _, e := range s.Events {
		ev := out.Events().AppendEmpty()
		ev.SetName(e.Name)
		ev.SetTimestamp(pcommon.NewTimestampFromTime(e.Time))
		putAttrs(ev.Attributes(), e.Attributes)
	}
	for _, l := range s.Links {
		ln := out.Links().AppendEmpty()
		ln.SetTraceID(otlpTraceID(l.TraceID))
		ln.SetSpanID(otlpSpanID(l.SpanID))
		putAttrs(ln.Attributes(), l.Attributes)
	}
}

// otlpTraceID and otlpSpanID decode hex ids; a malformed one becomes the empty
// (all-zero) id.
func otlpTraceID(s string) (id pcommon.TraceID) {
	if len(s) != 2*len(id) {
		return id
	}
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		return pcommon.TraceID{}
	}
	return id
}

func otlpSpanID(s string) (id pcommon.SpanID) {
	if len(s) != 2*len(id) {
		return id
	}
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		return pcommon.SpanID{}
	}
	return id
}

// putAttrs copies raw into m, keys sorted so exports compare as text. A
// value pdata cannot hold is exported as its printed form.
func putAttrs(m pcommon.Map, raw map[string]any) {
	m.EnsureCapacity(len(raw))
	for _, k := range slices.Sorted(maps.Keys(raw)) {
		v := m.PutEmpty(k)
		if err := v.FromRaw(raw[k]); err != nil {
			putOther(v, raw[k])
		}
	}
}

func putOther(v pcommon.Value, x any) {
	if ss, ok := x.([]string); ok {
		sl := v.SetEmptySlice()
		for _, s := range ss {
			sl.AppendEmpty().SetStr(s)
		}
		return
	}
	v.SetStr(fmt.Sprint(x))
}

func (a *API) getExport(w http.ResponseWriter, r *http.Request) {
	id, ok := pathTraceID(w, r, "id")
	if !ok {
		return
	}
	spans, err := a.loadSpans(r, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	body, err := ptraceotlp.NewExportRequestFromTraces(ExportTraces(spans)).MarshalJSON()
	if err != nil {
		a.fail(w, r, fmt.Errorf("marshalling the OTLP export: %w", err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Disposition", `attachment; filename="session-`+id+`.otlp.json"`)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

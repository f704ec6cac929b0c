package ingest

import (
	"encoding/base64"
	"encoding/hex"
	"math"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentops-go/agentops/server/model"
)

// unknownService is the service of spans whose resource has no
// service.name, the name the OTel specification gives that case.
const unknownService = "unknown_service"

// maxValueDepth bounds the recursion of value conversion. The nesting scan
// already refuses deeper input; this keeps the converter safe on its own.
const maxValueDepth = maxProtoDepth

// converter turns pdata traces into model spans.
type converter struct {
	spans         []model.Span
	refs          []model.FileRef
	rejected      int
	firstRejected string
	sources       sourceMatcher

	// The spans of one request mostly share a trace, and siblings a
	// parent: their hex forms are computed once.
	lastTrace     pcommon.TraceID
	lastTraceHex  string
	lastParent    pcommon.SpanID
	lastParentHex string
}

func (c *converter) traces(td ptrace.Traces) {
	c.spans = make([]model.Span, 0, td.SpanCount())
	rss := td.ResourceSpans()
	for i := range rss.Len() {
		rs := rss.At(i)
		res := rs.Resource().Attributes()
		// One map for all the resource's spans: it is read-only from here.
		resource := attrMap(res, 0)
		service := unknownService
		if v, ok := res.Get("service.name"); ok && v.Type() == pcommon.ValueTypeStr && v.Str() != "" {
			service = v.Str()
		}
		sss := rs.ScopeSpans()
		for j := range sss.Len() {
			ss := sss.At(j)
			scope := ss.Scope().Name()
			spans := ss.Spans()
			for k := range spans.Len() {
				c.span(spans.At(k), service, scope, resource)
			}
		}
	}
}

func (c *converter) span(sp ptrace.Span, service, scope string, resource map[string]any) {
	tid, sid := sp.TraceID(), sp.SpanID()
	if tid.IsEmpty() || sid.IsEmpty() {
		if c.rejected == 0 {
			c.firstRejected = sp.Name()
		}
		c.rejected++
		return
	}
	if tid != c.lastTrace || c.lastTraceHex == "" {
		c.lastTrace, c.lastTraceHex = tid, traceIDHex(tid)
	}
	if pid := sp.ParentSpanID(); pid != c.lastParent {
		c.lastParent, c.lastParentHex = pid, spanIDHex(pid)
	}
	st := sp.Status()
	c.spans = append(c.spans, model.Span{
		TraceID:       c.lastTraceHex,
		SpanID:        spanIDHex(sid),
		ParentSpanID:  c.lastParentHex,
		Name:          sp.Name(),
		Kind:          kindName(sp.Kind()),
		Start:         timeOf(sp.StartTimestamp()),
		End:           timeOf(sp.EndTimestamp()),
		StatusCode:    statusName(st.Code()),
		StatusMessage: st.Message(),
		Service:       service,
		Scope:         scope,
		Resource:      resource,
	})
	s := &c.spans[len(c.spans)-1]
	s.Attributes = attrMap(sp.Attributes(), 0)
	if s.Attributes == nil {
		s.Attributes = map[string]any{} // "attributes" is always an object
	}
	if evs := sp.Events(); evs.Len() > 0 {
		s.Events = make([]model.Event, evs.Len())
		for i := range evs.Len() {
			e := evs.At(i)
			s.Events[i] = model.Event{Name: e.Name(), Time: timeOf(e.Timestamp()), Attributes: attrMap(e.Attributes(), 0)}
		}
	}
	if links := sp.Links(); links.Len() > 0 {
		s.Links = make([]model.Link, links.Len())
		for i := range links.Len() {
			l := links.At(i)
			ltid, lsid := l.TraceID(), l.SpanID()
			s.Links[i] = model.Link{TraceID: traceIDHex(ltid), SpanID: spanIDHex(lsid), Attributes: attrMap(l.Attributes(), 0)}
		}
	}
	if s.Name == sourcesSpanName {
		c.refs = c.sources.refs(s, c.refs)
	}
}

// traceIDHex and spanIDHex encode through a stack buffer: one allocation
// where hex.EncodeToString makes two. The empty span id is "".
func traceIDHex(id pcommon.TraceID) string {
	var buf [32]byte
	hex.Encode(buf[:], id[:])
	return string(buf[:])
}

func spanIDHex(id pcommon.SpanID) string {
	if id.IsEmpty() {
		return ""
	}
	var buf [16]byte
	hex.Encode(buf[:], id[:])
	return string(buf[:])
}

// timeOf converts OTLP nanoseconds to UTC; 0 (unset) is the zero time.
func timeOf(ts pcommon.Timestamp) time.Time {
	if ts == 0 {
		return time.Time{}
	}
	ns := uint64(ts)
	return time.Unix(int64(ns/1e9), int64(ns%1e9)).UTC() // no int64 overflow past 2262
}

func kindName(k ptrace.SpanKind) string {
	switch k {
	case ptrace.SpanKindInternal:
		return "internal"
	case ptrace.SpanKindServer:
		return "server"
	case ptrace.SpanKindClient:
		return "client"
	case ptrace.SpanKindProducer:
		return "producer"
	case ptrace.SpanKindConsumer:
		return "consumer"
	}
	return "unspecified"
}

func statusName(c ptrace.StatusCode) string {
	switch c {
	case ptrace.StatusCodeOk:
		return "ok"
	case ptrace.StatusCodeError:
		return "error"
	}
	return "unset"
}

// attrMap converts attributes to plain Go values; nil when there are none.
func attrMap(m pcommon.Map, depth int) map[string]any {
	if m.Len() == 0 {
		return nil
	}
	out := make(map[string]any, m.Len())
	for k, v := range m.All() {
		out[k] = value(v, depth)
	}
	return out
}

// value converts an OTLP value: string, bool, int64, float64, []any,
// map[string]any, nil for an empty value. Bytes become their standard
// base64 string (as OTLP/JSON writes them), and NaN and the infinities
// the strings "NaN", "Infinity" and "-Infinity" (as proto3 JSON writes
// them): encoding/json, which the store and the API use, fails on them.
func value(v pcommon.Value, depth int) any {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return v.Str()
	case pcommon.ValueTypeInt:
		return v.Int()
	case pcommon.ValueTypeDouble:
		f := v.Double()
		switch {
		case math.IsNaN(f):
			return "NaN"
		case math.IsInf(f, 1):
			return "Infinity"
		case math.IsInf(f, -1):
			return "-Infinity"
		}
		return f
	case pcommon.ValueTypeBool:
		return v.Bool()
	case pcommon.ValueTypeBytes:
		return base64.StdEncoding.EncodeToString(v.Bytes().AsRaw())
	case pcommon.ValueTypeSlice:
		if depth >= maxValueDepth {
			return "[nested too deeply]"
		}
		s := v.Slice()
		out := make([]any, s.Len())
		for i := range s.Len() {
			out[i] = value(s.At(i), depth+1)
		}
		return out
	case pcommon.ValueTypeMap:
		if depth >= maxValueDepth {
			return "[nested too deeply]"
		}
		m := attrMap(v.Map(), depth+1)
		if m == nil {
			m = map[string]any{}
		}
		return m
	}
	return nil
}

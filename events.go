package agentops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/agentops-go/agentops/internal/redact"
	"github.com/agentops-go/agentops/internal/semconv"
)

// Kind is what a span stands for. Its value is the AgentOps kind written to
// agentops.span.kind; kinds with an OTel GenAI operation also get
// gen_ai.operation.name and the GenAI span name "{operation} {name}", the
// others the AgentOps name "{name}.{kind}".
type Kind string

const (
	// KindAgent is an agent's turn: invoke_agent in OTel GenAI.
	KindAgent Kind = semconv.KindAgent
	// KindTool is one tool execution: execute_tool in OTel GenAI.
	KindTool Kind = semconv.KindTool
	// KindTask is a unit of work of an agent.
	KindTask Kind = semconv.KindTask
	// KindOperation is any other step worth a span.
	KindOperation Kind = semconv.KindOperation
	// KindWorkflow groups steps that belong together.
	KindWorkflow Kind = semconv.KindWorkflow
	// KindGuardrail is a check on input or output.
	KindGuardrail Kind = semconv.KindGuardrail
	// KindRetrieval is a lookup in a knowledge store: retrieval in OTel GenAI.
	KindRetrieval Kind = semconv.KindRetrieval
	// KindLLM is a model call: chat in OTel GenAI. The LLM wrappers and the
	// manual LLM API make these with the full GenAI attributes.
	KindLLM Kind = semconv.KindLLM
)

// kindInfo is everything about a kind that a span start needs, computed once
// so that starting a span concatenates no keys.
type kindInfo struct {
	kind      string
	operation string // OTel GenAI operation, "" when none
	inputKey  string
	outputKey string
	spanKind  trace.SpanKind
	// okOnSuccess: AgentOps sets status OK on entity spans that succeed;
	// OTel GenAI leaves LLM spans Unset on success.
	okOnSuccess bool
}

var kindInfos = func() map[Kind]*kindInfo {
	m := map[Kind]*kindInfo{}
	for _, k := range []Kind{KindAgent, KindTool, KindTask, KindOperation, KindWorkflow, KindGuardrail, KindRetrieval, KindLLM} {
		m[k] = newKindInfo(k)
	}
	return m
}()

func newKindInfo(k Kind) *kindInfo {
	info := &kindInfo{
		kind:        string(k),
		operation:   semconv.GenAIOperation(string(k)),
		inputKey:    semconv.InputKey(string(k)),
		outputKey:   semconv.OutputKey(string(k)),
		spanKind:    trace.SpanKindInternal,
		okOnSuccess: k != KindLLM,
	}
	if k == KindLLM || k == KindRetrieval {
		info.spanKind = trace.SpanKindClient
	}
	return info
}

func infoOf(k Kind) *kindInfo {
	if info, ok := kindInfos[k]; ok {
		return info
	}
	return newKindInfo(k) // a kind of the caller's own, such as "chain"
}

// SpanOption configures a span or session at its start.
type SpanOption interface {
	applySpan(spanConfig) spanConfig
}

type spanConfig struct {
	tags     []string
	attrs    []attribute.KeyValue
	input    any
	hasInput bool
	version  int
}

type spanOptionFunc func(spanConfig) spanConfig

func (f spanOptionFunc) applySpan(c spanConfig) spanConfig { return f(c) }

func applySpanOptions(opts []SpanOption) spanConfig {
	var c spanConfig
	for _, o := range opts {
		c = o.applySpan(c)
	}
	return c
}

// WithTags sets agentops.tags. On a session, the configured default tags
// come first.
func WithTags(tags ...string) SpanOption {
	return spanOptionFunc(func(c spanConfig) spanConfig { c.tags = append(c.tags, tags...); return c })
}

// WithInput records v as the span's input (agentops.{kind}.input; for tools
// also tool.parameters): JSON, or the string itself for a string. It is
// encoded only if the span is recorded, at LevelDetailed or LevelDebug.
func WithInput(v any) SpanOption {
	return spanOptionFunc(func(c spanConfig) spanConfig { c.input, c.hasInput = v, true; return c })
}

// WithAttributes adds attributes of the caller's own.
func WithAttributes(kv ...attribute.KeyValue) SpanOption {
	return spanOptionFunc(func(c spanConfig) spanConfig { c.attrs = append(c.attrs, kv...); return c })
}

// WithVersion sets operation.version.
func WithVersion(v int) SpanOption {
	return spanOptionFunc(func(c spanConfig) spanConfig { c.version = v; return c })
}

// Span is a span of one of the SDK's kinds. Its methods are safe for
// concurrent use and do nothing once it has ended or when it is not
// recorded (sampled out, SDK disabled or not initialised).
type Span struct {
	span       trace.Span
	info       *kindInfo
	maxPayload int
	level      TraceLevel
	ended      atomic.Bool
}

// nopSpan is what StartSpan returns when nothing is recorded; it is shared,
// and harmless to share, because a span that does not record never changes.
var nopSpan = &Span{span: noop.Span{}, info: infoOf(KindOperation)}

// StartSpan starts a span of kind named name as a child of the span in ctx,
// with the Client of the session ctx carries (else the default Client). The
// returned context carries the new span: pass it to the work the span
// covers, and end the span with End.
func StartSpan(ctx context.Context, kind Kind, name string, opts ...SpanOption) (context.Context, *Span) {
	return clientFor(ctx).StartSpan(ctx, kind, name, opts...)
}

// StartSpan is the package-level StartSpan for this Client.
func (c *Client) StartSpan(ctx context.Context, kind Kind, name string, opts ...SpanOption) (context.Context, *Span) {
	if c == nil || c.tracer == nil || (kind == KindLLM && !c.cfg.instrumentLLM) {
		return ctx, nopSpan
	}
	if c.autoSession != nil && !trace.SpanContextFromContext(ctx).IsValid() {
		ctx = ContextWithSession(ctx, c.autoSession)
	}
	info := infoOf(kind)
	sc := applySpanOptions(opts)
	// The scalar attributes go in at the start, where a sampler can see
	// them, in one allocation; the input, which costs an encoding, only once
	// the span is known to be recorded.
	attrs := levelStartAttributes(info, name, sc.tags, sc, c.cfg.level >= LevelStandard)
	ctx, span := c.tracer.Start(ctx, semconv.SpanName(info.kind, name),
		trace.WithSpanKind(info.spanKind), trace.WithAttributes(attrs...))
	s := &Span{span: span, info: info, maxPayload: c.cfg.maxPayload, level: c.cfg.level}
	if sc.hasInput {
		s.SetInput(sc.input)
	}
	return ctx, s
}

// startAttributes are the attributes a span of info's kind starts with, the
// name of its agent or tool among them: those of a session root, whose name
// every level records.
func startAttributes(info *kindInfo, name string, tags []string, sc spanConfig) []attribute.KeyValue {
	return levelStartAttributes(info, name, tags, sc, true)
}

// levelStartAttributes are startAttributes, where the agent's or tool's
// name is recorded only when named: below LevelStandard, the span's name
// alone names it.
func levelStartAttributes(info *kindInfo, name string, tags []string, sc spanConfig, named bool) []attribute.KeyValue {
	attrs := make([]attribute.KeyValue, 0, 8+len(sc.attrs))
	attrs = append(attrs,
		attribute.String(semconv.SpanKind, info.kind),
		attribute.String(semconv.OperationName, name))
	if info.operation != "" {
		attrs = append(attrs, attribute.String(semconv.GenAIOperationName, info.operation))
	}
	switch info.kind {
	case semconv.KindTool:
		if named {
			attrs = append(attrs,
				attribute.String(semconv.ToolName, name),
				attribute.String(semconv.GenAIToolName, name))
		}
		attrs = append(attrs, attribute.String(semconv.ToolStatus, semconv.ToolStatusExecuting))
	case semconv.KindAgent:
		if named {
			attrs = append(attrs,
				attribute.String(semconv.AgentName, name),
				attribute.String(semconv.GenAIAgentName, name))
		}
	}
	if len(tags) > 0 {
		attrs = append(attrs, attribute.StringSlice(semconv.Tags, tags))
	}
	if sc.version != 0 {
		attrs = append(attrs, attribute.Int(semconv.OperationVer, sc.version))
	}
	return append(attrs, sc.attrs...)
}

// SetInput records v as the span's input (see WithInput).
func (s *Span) SetInput(v any) { s.setPayload(s.info.inputKey, semconv.ToolParameters, v) }

// SetOutput records v as the span's output (agentops.{kind}.output; for
// tools also tool.result), encoded as WithInput encodes.
func (s *Span) SetOutput(v any) { s.setPayload(s.info.outputKey, semconv.ToolResult, v) }

// setPayload records v under key, and for tool spans under toolKey too; below
// LevelDetailed v is not even encoded.
func (s *Span) setPayload(key, toolKey string, v any) {
	if s.level < LevelDetailed || !s.span.IsRecording() {
		return
	}
	text := encodePayload(v, s.maxPayload)
	if s.info.kind == semconv.KindTool {
		s.span.SetAttributes(attribute.String(key, text), attribute.String(toolKey, text))
		return
	}
	s.span.SetAttributes(attribute.String(key, text))
}

// SetAttributes sets attributes of the caller's own.
func (s *Span) SetAttributes(kv ...attribute.KeyValue) { s.span.SetAttributes(kv...) }

// AddEvent adds an event to the span.
func (s *Span) AddEvent(name string, kv ...attribute.KeyValue) {
	s.span.AddEvent(name, trace.WithAttributes(kv...))
}

// SetCost records what the work cost in US dollars (gen_ai.usage.total_cost),
// for tools that call paid APIs; the backend adds it to the session's cost.
// Like token counts, costs are recorded from LevelStandard up.
func (s *Span) SetCost(usd float64) {
	if s.level >= LevelStandard {
		s.span.SetAttributes(attribute.Float64(semconv.UsageTotalCost, usd))
	}
}

// SpanContext returns the span's identity, for links and logs.
func (s *Span) SpanContext() trace.SpanContext { return s.span.SpanContext() }

// Span returns the underlying OTel span, for what this type does not cover.
func (s *Span) Span() trace.Span { return s.span }

// End ends the span. A nil err marks success (status OK, except on LLM spans,
// which OTel GenAI leaves Unset); otherwise the status is ERROR with err's
// message, err is recorded as one exception event with its stack, and
// error.type names it. Calls after the first do nothing.
func (s *Span) End(err error) {
	if !s.span.IsRecording() || !s.ended.CompareAndSwap(false, true) {
		s.span.End()
		return
	}
	if err != nil {
		recordError(s.span, err)
		if s.info.kind == semconv.KindTool {
			s.span.SetAttributes(attribute.String(semconv.ToolStatus, semconv.ToolStatusFailed))
		}
	} else {
		if s.info.kind == semconv.KindTool {
			s.span.SetAttributes(attribute.String(semconv.ToolStatus, semconv.ToolStatusSucceeded))
		}
		if s.info.okOnSuccess {
			s.span.SetStatus(codes.Ok, "")
		}
	}
	s.span.End()
}

// recordError puts err on span the one way the SDK does it: status ERROR
// with the message, error.type, and a single exception event with a stack.
func recordError(span trace.Span, err error) {
	span.RecordError(err, trace.WithStackTrace(true))
	span.SetStatus(codes.Error, err.Error())
	span.SetAttributes(attribute.String(semconv.ErrorType, errorType(err)))
}

// errorType names an error for error.type: low-cardinality, as OTel asks.
func errorType(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	var typed interface{ ErrorType() string }
	if errors.As(err, &typed) {
		return typed.ErrorType()
	}
	return fmt.Sprintf("%T", err)
}

// encodePayload turns an input or output into the attribute text: a string
// as it is, anything else as JSON (or %+v when it has no JSON form). A text
// over limit is replaced by a note of its size, so one huge value cannot
// make a span too big to export.
func encodePayload(v any, limit int) string {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case []byte:
		s = string(x)
	case error:
		s = x.Error()
	default:
		b, err := json.Marshal(v)
		if err != nil {
			s = fmt.Sprintf("%+v", v)
		} else {
			s = string(b)
		}
	}
	if len(s) > limit {
		return fmt.Sprintf("<omitted: %d bytes, over the %d-byte cap>", len(s), limit)
	}
	return redact.String(s) // API-key-shaped strings never leave the process
}

// Run runs fn inside a span of kind named name: fn gets the span's context,
// its result is recorded as the span's output and its error (or panic, which
// is then re-raised) as the span's error. It returns what fn returned.
func Run[T any](ctx context.Context, kind Kind, name string, fn func(ctx context.Context) (T, error), opts ...SpanOption) (T, error) {
	ctx, span := StartSpan(ctx, kind, name, opts...)
	defer endOnPanic(span)
	out, err := fn(ctx)
	if err == nil {
		span.SetOutput(out)
	}
	span.End(err)
	return out, err
}

// Do is Run for work that returns only an error.
func Do(ctx context.Context, kind Kind, name string, fn func(ctx context.Context) error, opts ...SpanOption) error {
	ctx, span := StartSpan(ctx, kind, name, opts...)
	defer endOnPanic(span)
	err := fn(ctx)
	span.End(err)
	return err
}

func endOnPanic(span *Span) {
	if r := recover(); r != nil {
		span.End(fmt.Errorf("panic: %v", r))
		panic(r)
	}
}

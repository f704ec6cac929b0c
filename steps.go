package agentops

import (
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/agentops-go/agentops/internal/semconv"
)

// Step is one span as a program shows it to its own users: what ran, for
// how long, how it ended, and for model and tool calls what went in and
// came out. It is a plain value, made from the span when it starts and
// again when it ends; a started step has no end, results or usage yet.
// Fields a span does not carry are left zero and out of the JSON form.
type Step struct {
	TraceID string `json:"trace_id"`
	SpanID  string `json:"span_id"`
	// ParentID is empty for a trace's root.
	ParentID string `json:"parent_id,omitempty"`
	Name     string `json:"name"`
	// Kind is the span's agentops.span.kind (session, agent, tool, llm,
	// task, ...); for spans of other instrumentation it is read from
	// gen_ai.operation.name, and empty when that says nothing either.
	Kind  string    `json:"kind,omitempty"`
	Start time.Time `json:"start"`
	// End is zero, and Duration 0, while the step runs.
	End      time.Time     `json:"end,omitzero"`
	Duration time.Duration `json:"duration_ns"`
	Status   StepStatus    `json:"status"`
	// Error is the span's status message when Status is StepError.
	Error string `json:"error,omitempty"`

	// Model is the model that answered (the one asked for until then), and
	// Provider the gen_ai.provider.name (else gen_ai.system).
	Model           string  `json:"model,omitempty"`
	Provider        string  `json:"provider,omitempty"`
	InputTokens     int     `json:"input_tokens,omitempty"`
	OutputTokens    int     `json:"output_tokens,omitempty"`
	CachedTokens    int     `json:"cached_tokens,omitempty"`
	ReasoningTokens int     `json:"reasoning_tokens,omitempty"`
	Cost            float64 `json:"cost_usd,omitempty"`
	ToolName        string  `json:"tool_name,omitempty"`
	// Input and Output are the recorded input and output, cut to
	// StepTextLimit bytes: a span's agentops.{kind}.input and .output, a
	// tool call's arguments and result, an LLM call's last prompt message
	// and first completion.
	Input  string `json:"input,omitempty"`
	Output string `json:"output,omitempty"`

	// Children are the steps started under this one, by start time; only a
	// Trace fills them.
	Children []Step `json:"children,omitempty"`
}

// StepStatus is how a step stands.
type StepStatus string

// The statuses of a Step. A span that ended without an error is StepOK
// whether its status is OK or Unset: OTel GenAI leaves successful LLM
// calls Unset.
const (
	StepRunning StepStatus = "running"
	StepOK      StepStatus = "ok"
	StepError   StepStatus = "error"
)

// StepTextLimit is how many bytes of a span's input, output or error
// message a Step keeps; longer texts are cut at a character boundary and
// end with "…". Steps are for showing, and the span itself keeps the rest.
const StepTextLimit = 1024

var (
	// promptPrefix and completionContent are the AgentOps flat message
	// keys a step reads its LLM input and output from.
	promptPrefix      = strings.TrimSuffix(semconv.Prompt(0), "0.")
	completionContent = semconv.Completion(0) + "content"
)

// stepFromSpan reads a span into a Step.
func stepFromSpan(s sdktrace.ReadOnlySpan) Step {
	sc := s.SpanContext()
	st := Step{
		TraceID: sc.TraceID().String(),
		SpanID:  sc.SpanID().String(),
		Name:    s.Name(),
		Start:   s.StartTime().UTC(),
		Status:  StepRunning,
	}
	if p := s.Parent(); p.IsValid() {
		st.ParentID = p.SpanID().String()
	}
	if end := s.EndTime(); !end.IsZero() {
		st.End, st.Duration, st.Status = end.UTC(), end.Sub(s.StartTime()), StepOK
		if status := s.Status(); status.Code == codes.Error {
			st.Status, st.Error = StepError, cutText(status.Description, StepTextLimit)
		}
	}
	var a stepAttrs
	for _, kv := range s.Attributes() {
		a.read(kv)
	}
	a.fill(&st)
	return st
}

// stepAttrs collects what a Step shows from a span's attributes. Both
// vocabularies write most of it, and attributes come in no fixed order, so
// each field keeps the value of the best-ranked key seen.
type stepAttrs struct {
	kind, operation               ranked[string]
	model, provider, toolName     ranked[string]
	input, output                 ranked[string]
	inTokens, outTokens           ranked[int]
	cachedTokens, reasoningTokens ranked[int]
	cost                          ranked[float64]
	// prompt is ranked by the message's index, negated: the last message
	// of the conversation is what this call added to it (the user's
	// question, or the tool result the model is to read).
	prompt ranked[string]
}

// ranked keeps the value offered with the lowest rank.
type ranked[T any] struct {
	v    T
	rank int
	ok   bool
}

func (r *ranked[T]) offer(rank int, v T) {
	if !r.ok || rank < r.rank {
		r.v, r.rank, r.ok = v, rank, true
	}
}

func (a *stepAttrs) read(kv attribute.KeyValue) {
	key := string(kv.Key)
	str := kv.Value.AsString
	num := func() int { return int(kv.Value.AsInt64()) }
	switch key {
	case semconv.SpanKind:
		a.kind.offer(0, str())
	case semconv.GenAIOperationName:
		a.operation.offer(0, str())
	case semconv.ResponseModel:
		a.model.offer(0, str())
	case semconv.RequestModel:
		a.model.offer(1, str())
	case semconv.ProviderName:
		a.provider.offer(0, str())
	case semconv.System:
		a.provider.offer(1, str())
	case semconv.ToolName:
		a.toolName.offer(0, str())
	case semconv.GenAIToolName:
		a.toolName.offer(1, str())
	case semconv.UsageInputTokens:
		a.inTokens.offer(0, num())
	case semconv.UsagePromptTokens:
		a.inTokens.offer(1, num())
	case semconv.UsageOutputTokens:
		a.outTokens.offer(0, num())
	case semconv.UsageCompletionTokens:
		a.outTokens.offer(1, num())
	case semconv.UsageCacheReadInput:
		a.cachedTokens.offer(0, num())
	case semconv.UsageCacheReadTokens:
		a.cachedTokens.offer(1, num())
	case semconv.UsageReasoningOutput:
		a.reasoningTokens.offer(0, num())
	case semconv.UsageReasoningTokens:
		a.reasoningTokens.offer(1, num())
	case semconv.UsageTotalCost:
		a.cost.offer(0, kv.Value.AsFloat64())
	case semconv.ToolParameters, semconv.ToolCallArguments:
		a.input.offer(1, str())
	case semconv.ToolResult, semconv.ToolCallResult:
		a.output.offer(1, str())
	case completionContent:
		a.output.offer(2, str())
	case semconv.InputMessages:
		a.input.offer(3, str())
	case semconv.OutputMessages:
		a.output.offer(3, str())
	default:
		a.readPayload(key, str)
	}
}

// readPayload reads the keys that are families rather than single names:
// agentops.{kind}.input and .output, and the newest prompt message.
func (a *stepAttrs) readPayload(key string, str func() string) {
	if rest, ok := strings.CutPrefix(key, "agentops."); ok {
		switch {
		case strings.HasSuffix(rest, ".input"):
			a.input.offer(0, str())
		case strings.HasSuffix(rest, ".output"):
			a.output.offer(0, str())
		}
		return
	}
	rest, ok := strings.CutPrefix(key, promptPrefix)
	if !ok {
		return
	}
	index, ok := strings.CutSuffix(rest, ".content")
	if !ok {
		return
	}
	if i, err := strconv.Atoi(index); err == nil {
		a.prompt.offer(-i, str())
	}
}

func (a *stepAttrs) fill(st *Step) {
	if a.prompt.ok {
		a.input.offer(2, a.prompt.v)
	}
	st.Kind = a.kind.v
	if st.Kind == "" {
		st.Kind = kindOfOperation(a.operation.v)
	}
	st.Model, st.Provider, st.ToolName = a.model.v, a.provider.v, a.toolName.v
	st.InputTokens, st.OutputTokens = a.inTokens.v, a.outTokens.v
	st.CachedTokens, st.ReasoningTokens = a.cachedTokens.v, a.reasoningTokens.v
	st.Cost = a.cost.v
	st.Input, st.Output = cutText(a.input.v, StepTextLimit), cutText(a.output.v, StepTextLimit)
}

// kindOfOperation is the AgentOps kind of an OTel GenAI operation, for
// spans of instrumentation that writes only the OTel vocabulary.
func kindOfOperation(op string) string {
	switch op {
	case "":
		return ""
	case semconv.OpTextCompletion, semconv.OpEmbeddings:
		return semconv.KindLLM
	}
	for _, k := range []string{semconv.KindLLM, semconv.KindAgent, semconv.KindTool, semconv.KindRetrieval} {
		if semconv.GenAIOperation(k) == op {
			return k
		}
	}
	return ""
}

// cutText cuts s to at most limit bytes, at a character boundary, marking
// the cut with "…".
func cutText(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	const mark = "…"
	return s[:runeCut(s, limit-len(mark))] + mark
}

package agentops

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/agentops-go/agentops/internal/semconv"
)

// Operations of LLMRequest.Operation (the OTel GenAI operation names).
const (
	OperationChat           = semconv.OpChat
	OperationTextCompletion = semconv.OpTextCompletion
	OperationEmbeddings     = semconv.OpEmbeddings
)

// LLMRequest describes one call to a model, for StartLLM. Only Model is
// needed; everything else is recorded when set. The LLM wrappers fill it
// from the request they were given; fill it yourself for clients the SDK
// does not wrap (Anthropic's, a local model's, a framework's own service).
type LLMRequest struct {
	// Operation is OperationChat (the default), OperationTextCompletion or
	// OperationEmbeddings.
	Operation string
	// Provider is the OTel gen_ai.provider.name: "openai", "azure.ai.openai",
	// "anthropic", "gcp.gemini", ... ("openai" when empty). The AgentOps
	// gen_ai.system is derived from it.
	Provider string
	Model    string
	// ServerAddress and ServerPort name the endpoint called (server.address,
	// server.port), when known.
	ServerAddress string
	ServerPort    int

	// Messages is the conversation sent to a chat model, system messages
	// included.
	Messages []Message
	// Prompts are the inputs of a text completion or an embeddings call.
	Prompts []string
	// Tools are the functions the model may call.
	Tools []ToolDefinition

	MaxTokens        int
	Temperature      *float64
	TopP             *float64
	FrequencyPenalty *float64
	PresencePenalty  *float64
	Seed             *int64
	StopSequences    []string
	// ChoiceCount is n, the number of choices asked for; recorded when > 1.
	ChoiceCount int
	Stream      bool
	// OutputType is gen_ai.output.type: "text", "json", "image", "speech".
	OutputType string
	// EncodingFormats are the embeddings formats asked for.
	EncodingFormats []string
	// ConversationID groups the calls of one conversation, when the
	// application has such an id.
	ConversationID string
}

// Message is one message of a conversation.
type Message struct {
	Role    string // system, user, assistant, tool
	Content string
	// ToolCalls are the calls an assistant message asks for.
	ToolCalls []ToolCall
	// ToolCallID is, on a tool message, the call it answers.
	ToolCallID string
	// Reasoning is the model's reasoning text, for models that return it.
	Reasoning string
	// Refusal is a refusal message, for models that return one.
	Refusal string
}

// ToolCall is a model's request to call a tool.
type ToolCall struct {
	ID        string
	Type      string // "function" when empty
	Name      string
	Arguments string // JSON, as the model wrote it
}

// ToolDefinition is a tool offered to the model.
type ToolDefinition struct {
	Name        string
	Description string
	Parameters  string // JSON Schema
}

// LLMResponse describes what a model answered, for LLMSpan.End.
type LLMResponse struct {
	ID    string
	Model string
	// Choices are the answers, in index order.
	Choices []Choice
	// Usage is the token count the provider reported; leave it nil when
	// the response has none (the SDK never estimates).
	Usage *Usage
	// EmbeddingDimensions is the length of the embedding vectors returned.
	EmbeddingDimensions int
	// ErrorType, when set, is recorded as error.type on failure instead of
	// the error's Go type: the HTTP status code, say.
	ErrorType string
}

// Choice is one answer of a model.
type Choice struct {
	Message      Message
	FinishReason string
}

// Usage is a provider's token count.
type Usage struct {
	// InputTokens counts the whole prompt, cached tokens included.
	InputTokens         int
	OutputTokens        int
	TotalTokens         int
	CacheReadTokens     int
	CacheCreationTokens int
	// ReasoningTokens are the output tokens spent on reasoning.
	ReasoningTokens int
}

// LLMSpan is one model call in progress. Its methods are safe for
// concurrent use; End ends it once, later calls do nothing.
type LLMSpan struct {
	client *Client
	span   trace.Span
	req    *LLMRequest // kept for metric attributes and the content policy
	start  time.Time

	mu        sync.Mutex // guards the chunk timing and the response body below
	chunks    int
	lastChunk time.Time
	ttfc      time.Duration
	bodies    *rawBodies // nil unless the span records raw HTTP bodies

	ended atomic.Bool
}

// nopLLMSpan is returned when nothing is recorded.
var nopLLMSpan = &LLMSpan{span: noop.Span{}}

type llmKey struct{}

// StartLLM starts the span of one model call, as a child of the span in
// ctx, with the Client of the session ctx carries (else the default
// Client). Call it when the request is issued: time to first chunk counts
// from here. The span is named "{operation} {model}" and carries the
// request in both the AgentOps and the OTel GenAI vocabularies: its
// parameters from LevelStandard up, and its prompt content when content is
// captured (see TraceLevel).
func StartLLM(ctx context.Context, req LLMRequest) (context.Context, *LLMSpan) {
	return clientFor(ctx).StartLLM(ctx, req)
}

// StartLLM is the package-level StartLLM for this Client.
func (c *Client) StartLLM(ctx context.Context, req LLMRequest) (context.Context, *LLMSpan) {
	if c == nil || c.tracer == nil || !c.cfg.instrumentLLM {
		return ctx, nopLLMSpan
	}
	if c.autoSession != nil && !trace.SpanContextFromContext(ctx).IsValid() {
		ctx = ContextWithSession(ctx, c.autoSession)
	}
	if req.Operation == "" {
		req.Operation = OperationChat
	}
	if req.Provider == "" {
		req.Provider = "openai"
	}
	buf := getAttrs()
	defer putAttrs(buf)
	var attrs []attribute.KeyValue
	if c.cfg.level >= LevelStandard {
		attrs = llmStartAttributes((*buf)[:0], &req)
	} else {
		attrs = llmKindAttributes((*buf)[:0], &req)
	}
	// The prompt goes in with the start attributes (one allocation, and
	// processors see it at OnStart), unless the span will most likely not
	// be recorded: a parent that is not sampled, under the usual
	// parent-based samplers.
	parent := trace.SpanContextFromContext(ctx)
	early := c.cfg.captureContent && (!parent.IsValid() || parent.IsSampled())
	if early {
		attrs = c.content().request(attrs, &req)
	}
	name := req.Operation // OTel GenAI: the operation alone when the model is not known
	if req.Model != "" {
		name += " " + req.Model
	}
	start := time.Now()
	ctx, span := c.tracer.Start(ctx, name,
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithTimestamp(start),
		trace.WithAttributes(attrs...))
	*buf = attrs // keep the grown slice for the next call
	s := &LLMSpan{client: c, span: span, req: &req, start: start}
	if !early && c.cfg.captureContent && span.IsRecording() {
		span.SetAttributes(c.content().request(nil, &req)...)
	}
	if c.Verbosity().RawBodies() && span.IsRecording() {
		s.bodies = &rawBodies{}
	}
	return context.WithValue(ctx, llmKey{}, s), s
}

// LLMSpanFromContext returns the LLM span ctx carries (set by StartLLM), or
// nil. Instrumentation at another layer (an HTTP transport under a typed
// wrapper) uses it to leave the call to the span that exists.
func LLMSpanFromContext(ctx context.Context) *LLMSpan {
	s, _ := ctx.Value(llmKey{}).(*LLMSpan)
	return s
}

// attrPool holds scratch attribute slices: the OTel SDK copies what it is
// given, so the slices that carry a call's attributes can be reused.
var attrPool = sync.Pool{New: func() any {
	s := make([]attribute.KeyValue, 0, 64)
	return &s
}}

func getAttrs() *[]attribute.KeyValue { return attrPool.Get().(*[]attribute.KeyValue) }

func putAttrs(s *[]attribute.KeyValue) {
	if cap(*s) > 1024 {
		return // a huge conversation's slice is left to the GC
	}
	clear(*s)
	*s = (*s)[:0]
	attrPool.Put(s)
}

// llmKindAttributes appends what every level records of an LLM span: its
// kind, in both vocabularies.
func llmKindAttributes(a []attribute.KeyValue, r *LLMRequest) []attribute.KeyValue {
	return append(a,
		attribute.String(semconv.SpanKind, semconv.KindLLM),
		attribute.String(semconv.GenAIOperationName, r.Operation))
}

// llmStartAttributes appends the request's scalar attributes, in both
// vocabularies, to a.
func llmStartAttributes(a []attribute.KeyValue, r *LLMRequest) []attribute.KeyValue {
	a = append(llmKindAttributes(a, r),
		attribute.String(semconv.ProviderName, r.Provider),
		attribute.String(semconv.System, semconv.SystemOf(r.Provider)),
		attribute.String(semconv.RequestType, semconv.RequestTypeOf(r.Operation)),
		attribute.String(semconv.RequestModel, r.Model),
		attribute.Bool(semconv.RequestStreaming, r.Stream),
	)
	if r.Stream {
		a = append(a, attribute.Bool(semconv.RequestStream, true))
	}
	if r.ServerAddress != "" {
		a = append(a, attribute.String(semconv.ServerAddress, r.ServerAddress))
	}
	if r.ServerPort > 0 {
		a = append(a, attribute.Int(semconv.ServerPort, r.ServerPort))
	}
	if r.MaxTokens > 0 {
		a = append(a, attribute.Int(semconv.RequestMaxTokens, r.MaxTokens))
	}
	for _, f := range []struct {
		key string
		v   *float64
	}{
		{semconv.RequestTemperature, r.Temperature},
		{semconv.RequestTopP, r.TopP},
		{semconv.RequestFrequencyPenalty, r.FrequencyPenalty},
		{semconv.RequestPresencePenalty, r.PresencePenalty},
	} {
		if f.v != nil {
			a = append(a, attribute.Float64(f.key, *f.v))
		}
	}
	if r.Seed != nil {
		a = append(a, attribute.Int64(semconv.RequestSeed, *r.Seed))
	}
	if len(r.StopSequences) > 0 {
		a = append(a, attribute.StringSlice(semconv.RequestStopSequences, r.StopSequences))
	}
	if r.ChoiceCount > 1 {
		a = append(a, attribute.Int(semconv.RequestChoiceCount, r.ChoiceCount))
	}
	if r.OutputType != "" {
		a = append(a, attribute.String(semconv.OutputType, r.OutputType))
	}
	if len(r.EncodingFormats) > 0 {
		a = append(a, attribute.StringSlice(semconv.RequestEncodingFormats, r.EncodingFormats))
	}
	if r.ConversationID != "" {
		a = append(a, attribute.String(semconv.ConversationID, r.ConversationID))
	}
	return a
}

// Recording reports whether the call is being recorded, so a caller can
// skip building what would be thrown away.
func (s *LLMSpan) Recording() bool { return s.span.IsRecording() }

// SpanContext returns the span's identity.
func (s *LLMSpan) SpanContext() trace.SpanContext { return s.span.SpanContext() }

// Span returns the underlying OTel span.
func (s *LLMSpan) Span() trace.Span { return s.span }

// ChunkReceived marks the arrival of one streamed chunk: the first sets the
// time to first chunk (from StartLLM), the others feed the time per output
// chunk metric.
func (s *LLMSpan) ChunkReceived() {
	if s.client == nil || s.ended.Load() {
		return
	}
	now := time.Now()
	s.mu.Lock()
	s.chunks++
	first := s.chunks == 1
	gap := now.Sub(s.lastChunk)
	s.lastChunk = now
	if first {
		s.ttfc = now.Sub(s.start)
	}
	s.mu.Unlock()
	if !first {
		s.client.metrics.chunk(s, gap)
	}
}

// End ends the call with what the model answered, or err. On error the
// status is ERROR and error.type is resp.ErrorType (else the error's type);
// on success the status stays Unset, as OTel GenAI asks. The response's
// scalars (token usage only when resp.Usage is set) are recorded from
// LevelStandard up, completion content when content is captured, and at
// LevelDebug the raw response body given to AppendResponseBody. The
// gen_ai.client.* metrics are recorded here, at every level.
func (s *LLMSpan) End(resp LLMResponse, err error) {
	if s.client == nil || !s.ended.CompareAndSwap(false, true) {
		return
	}
	end := time.Now()
	s.mu.Lock()
	ttfc, chunks := s.ttfc, s.chunks
	var body rawBodies
	if s.bodies != nil {
		body = *s.bodies
	}
	s.mu.Unlock()
	errType := ""
	if err != nil {
		errType = resp.ErrorType
		if errType == "" {
			errType = errorType(err)
		}
	}
	if s.span.IsRecording() {
		buf := getAttrs()
		a := (*buf)[:0]
		if s.client.cfg.level >= LevelStandard {
			// Chunks make a call streamed, whether or not the request said
			// so at the start: a framework may learn it only at the end.
			a = llmEndAttributes(a, &resp, chunks > 0, ttfc)
			if chunks > 0 && !s.req.Stream {
				a = append(a, attribute.Bool(semconv.RequestStreaming, true), attribute.Bool(semconv.RequestStream, true))
			}
		}
		if s.client.cfg.captureContent {
			a = s.client.content().response(a, &resp)
		}
		if body.total > 0 {
			a = append(a, attribute.String(semconv.LLMResponseBody, s.client.content().body(body.response, body.total)))
		}
		if err != nil {
			s.span.RecordError(err, trace.WithStackTrace(true))
			s.span.SetStatus(codes.Error, err.Error())
			a = append(a, attribute.String(semconv.ErrorType, errType))
		}
		s.span.SetAttributes(a...)
		*buf = a
		putAttrs(buf)
	}
	s.span.End(trace.WithTimestamp(end))
	s.client.metrics.call(s, &resp, end.Sub(s.start), ttfc, chunks > 0, errType)
}

// llmEndAttributes appends the response's scalar attributes, in both
// vocabularies, to a.
func llmEndAttributes(a []attribute.KeyValue, r *LLMResponse, streamed bool, ttfc time.Duration) []attribute.KeyValue {
	if r.ID != "" {
		a = append(a, attribute.String(semconv.ResponseID, r.ID))
	}
	if r.Model != "" {
		a = append(a, attribute.String(semconv.ResponseModel, r.Model))
	}
	if len(r.Choices) > 0 {
		reasons := make([]string, len(r.Choices))
		for i, c := range r.Choices {
			reasons[i] = c.FinishReason
		}
		a = append(a, attribute.StringSlice(semconv.ResponseFinishReasons, reasons))
	}
	if u := r.Usage; u != nil {
		total := u.TotalTokens
		if total == 0 {
			total = u.InputTokens + u.OutputTokens
		}
		a = append(a,
			attribute.Int(semconv.UsagePromptTokens, u.InputTokens),
			attribute.Int(semconv.UsageCompletionTokens, u.OutputTokens),
			attribute.Int(semconv.UsageTotalTokens, total),
			attribute.Int(semconv.UsageInputTokens, u.InputTokens),
			attribute.Int(semconv.UsageOutputTokens, u.OutputTokens),
		)
		if u.CacheReadTokens > 0 {
			a = append(a,
				attribute.Int(semconv.UsageCacheReadTokens, u.CacheReadTokens),
				attribute.Int(semconv.UsageCacheReadInput, u.CacheReadTokens))
		}
		if u.CacheCreationTokens > 0 {
			a = append(a, attribute.Int(semconv.UsageCacheCreationInput, u.CacheCreationTokens))
		}
		if u.ReasoningTokens > 0 {
			a = append(a,
				attribute.Int(semconv.UsageReasoningTokens, u.ReasoningTokens),
				attribute.Int(semconv.UsageReasoningOutput, u.ReasoningTokens))
		}
	}
	if r.EmbeddingDimensions > 0 {
		a = append(a, attribute.Int(semconv.EmbeddingsDimensionCount, r.EmbeddingDimensions))
	}
	if streamed {
		secs := ttfc.Seconds()
		a = append(a,
			attribute.Float64(semconv.StreamingTTFT, secs),
			attribute.Float64(semconv.ResponseTTFC, secs))
	}
	return a
}

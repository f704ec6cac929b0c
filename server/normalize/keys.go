package normalize

import "github.com/agentops-go/agentops/internal/semconv"

// Keys the SDK itself never writes, read here from the spans of other
// instrumentations. The SDK's own keys come from internal/semconv.
const (
	// OpenInference (Arize Phoenix).
	oiSpanKind           = "openinference.span.kind"
	oiModelName          = "llm.model_name"
	oiProvider           = "llm.provider"
	oiSystem             = "llm.system"
	oiPromptTokens       = "llm.token_count.prompt"
	oiCompletionTokens   = "llm.token_count.completion"
	oiCacheReadTokens    = "llm.token_count.prompt_details.cache_read"
	oiCacheWriteTokens   = "llm.token_count.prompt_details.cache_write"
	oiReasoningTokens    = "llm.token_count.completion_details.reasoning"
	oiCostTotal          = "llm.cost.total"
	oiInputValue         = "input.value"
	oiOutputValue        = "output.value"
	oiInputMessagesPfx   = "llm.input_messages."
	oiOutputMessagesPfx  = "llm.output_messages."
	llmRequestType       = "llm.request.type" // OpenLLMetry
	traceloopSpanKind    = "traceloop.span.kind"
	traceloopEntityIn    = "traceloop.entity.input"
	traceloopEntityOut   = "traceloop.entity.output"
	cacheCreationTokens  = "gen_ai.usage.cache_creation_input_tokens" // Anthropic-style, OpenLLMetry
	promptPfx            = "gen_ai.prompt."
	completionPfx        = "gen_ai.completion."
	agentopsPfx          = "agentops."
	agentopsEntity       = "entity" // agentops.entity.input: the AgentOps Python decorators
	exceptionEvent       = "exception"
	exceptionTypeKey     = "exception.type"
	sessionNameSuffix    = ".session"
	urlFull              = "url.full"
	httpPfx              = "http."
	dbPfx                = "db."
	opGenerateContent    = "generate_content"
	opCreateAgent        = "create_agent"
	opInvokeAgent        = "invoke_agent"
	opExecuteTool        = "execute_tool"
	opRetrieval          = "retrieval"
	requestTypeCompleted = "completion"
)

// field is an attribute the normalizer reads, by position in scan.v.
type field uint8

const (
	fSpanKind field = iota
	fOperation
	fOIKind
	fTraceloopKind
	fRequestType
	fLLMRequestType
	fResponseModel
	fRequestModel
	fOIModel
	fProviderName
	fSystem
	fOIProvider
	fOISystem
	fGenAIToolName
	fToolName
	fGenAIAgentName
	fAgentName
	fOperationName
	fInputTokens
	fPromptTokens
	fOIPromptTokens
	fOutputTokens
	fCompletionTokens
	fOICompletionTokens
	fCacheRead
	fCacheReadAlt
	fOICacheRead
	fCacheCreation
	fCacheCreationAlt
	fOICacheWrite
	fReasoning
	fReasoningAlt
	fOIReasoning
	fTTFC
	fTTFT
	fTotalCost
	fOICost
	fErrorType
	fTags
	fEndState
	fToolParameters
	fToolResult
	fToolCallArguments
	fToolCallResult
	fInputValue
	fOutputValue
	fTraceloopIn
	fTraceloopOut
	fInputMessages
	fOutputMessages
	fSystemInstructions
	numFields
)

// fieldOf maps each key read to its field.
var fieldOf = map[string]field{
	semconv.SpanKind:                fSpanKind,
	semconv.GenAIOperationName:      fOperation,
	oiSpanKind:                      fOIKind,
	traceloopSpanKind:               fTraceloopKind,
	semconv.RequestType:             fRequestType,
	llmRequestType:                  fLLMRequestType,
	semconv.ResponseModel:           fResponseModel,
	semconv.RequestModel:            fRequestModel,
	oiModelName:                     fOIModel,
	semconv.ProviderName:            fProviderName,
	semconv.System:                  fSystem,
	oiProvider:                      fOIProvider,
	oiSystem:                        fOISystem,
	semconv.GenAIToolName:           fGenAIToolName,
	semconv.ToolName:                fToolName,
	semconv.GenAIAgentName:          fGenAIAgentName,
	semconv.AgentName:               fAgentName,
	semconv.OperationName:           fOperationName,
	semconv.UsageInputTokens:        fInputTokens,
	semconv.UsagePromptTokens:       fPromptTokens,
	oiPromptTokens:                  fOIPromptTokens,
	semconv.UsageOutputTokens:       fOutputTokens,
	semconv.UsageCompletionTokens:   fCompletionTokens,
	oiCompletionTokens:              fOICompletionTokens,
	semconv.UsageCacheReadInput:     fCacheRead,
	semconv.UsageCacheReadTokens:    fCacheReadAlt,
	oiCacheReadTokens:               fOICacheRead,
	semconv.UsageCacheCreationInput: fCacheCreation,
	cacheCreationTokens:             fCacheCreationAlt,
	oiCacheWriteTokens:              fOICacheWrite,
	semconv.UsageReasoningOutput:    fReasoning,
	semconv.UsageReasoningTokens:    fReasoningAlt,
	oiReasoningTokens:               fOIReasoning,
	semconv.ResponseTTFC:            fTTFC,
	semconv.StreamingTTFT:           fTTFT,
	semconv.UsageTotalCost:          fTotalCost,
	oiCostTotal:                     fOICost,
	semconv.ErrorType:               fErrorType,
	semconv.Tags:                    fTags,
	semconv.SessionEndState:         fEndState,
	semconv.ToolParameters:          fToolParameters,
	semconv.ToolResult:              fToolResult,
	semconv.ToolCallArguments:       fToolCallArguments,
	semconv.ToolCallResult:          fToolCallResult,
	oiInputValue:                    fInputValue,
	oiOutputValue:                   fOutputValue,
	traceloopEntityIn:               fTraceloopIn,
	traceloopEntityOut:              fTraceloopOut,
	semconv.InputMessages:           fInputMessages,
	semconv.OutputMessages:          fOutputMessages,
	semconv.SystemInstructions:      fSystemInstructions,
}

package semconv

import "strconv"

// LLM span keys. Where AgentOps and OTel GenAI v1.41 agree on a key
// (gen_ai.request.model, max_tokens, temperature, top_p, response id and
// model) it is written once.
const (
	// Both vocabularies.
	RequestModel       = "gen_ai.request.model"
	RequestMaxTokens   = "gen_ai.request.max_tokens"
	RequestTemperature = "gen_ai.request.temperature"
	RequestTopP        = "gen_ai.request.top_p"
	ResponseID         = "gen_ai.response.id"
	ResponseModel      = "gen_ai.response.model"

	// AgentOps (OpenLLMetry) only.
	System                = "gen_ai.system"
	RequestType           = "gen_ai.request.type" // chat | completion | embedding
	RequestStreaming      = "gen_ai.request.streaming"
	UsagePromptTokens     = "gen_ai.usage.prompt_tokens"
	UsageCompletionTokens = "gen_ai.usage.completion_tokens"
	UsageTotalTokens      = "gen_ai.usage.total_tokens"
	UsageCacheReadTokens  = "gen_ai.usage.cache_read_input_tokens"
	UsageReasoningTokens  = "gen_ai.usage.reasoning_tokens"
	StreamingTTFT         = "gen_ai.streaming.time_to_first_token"

	// OTel GenAI v1.41 only.
	ProviderName             = "gen_ai.provider.name"
	ServerAddress            = "server.address"
	ServerPort               = "server.port"
	RequestFrequencyPenalty  = "gen_ai.request.frequency_penalty"
	RequestPresencePenalty   = "gen_ai.request.presence_penalty"
	RequestSeed              = "gen_ai.request.seed"
	RequestStopSequences     = "gen_ai.request.stop_sequences"
	RequestChoiceCount       = "gen_ai.request.choice.count"
	RequestStream            = "gen_ai.request.stream"
	RequestEncodingFormats   = "gen_ai.request.encoding_formats"
	OutputType               = "gen_ai.output.type"
	ResponseFinishReasons    = "gen_ai.response.finish_reasons"
	ResponseTTFC             = "gen_ai.response.time_to_first_chunk"
	UsageInputTokens         = "gen_ai.usage.input_tokens"
	UsageOutputTokens        = "gen_ai.usage.output_tokens"
	UsageCacheReadInput      = "gen_ai.usage.cache_read.input_tokens"
	UsageCacheCreationInput  = "gen_ai.usage.cache_creation.input_tokens"
	UsageReasoningOutput     = "gen_ai.usage.reasoning.output_tokens"
	EmbeddingsDimensionCount = "gen_ai.embeddings.dimension.count"
	ConversationID           = "gen_ai.conversation.id"
	TokenType                = "gen_ai.token.type" // metrics: input | output

	// OTel content, JSON strings (opt-in format).
	InputMessages      = "gen_ai.input.messages"
	OutputMessages     = "gen_ai.output.messages"
	SystemInstructions = "gen_ai.system_instructions"
	ToolDefinitions    = "gen_ai.tool.definitions"

	// OTel tool execution.
	ToolType          = "gen_ai.tool.type"
	ToolCallArguments = "gen_ai.tool.call.arguments"
	ToolCallResult    = "gen_ai.tool.call.result"
)

// OTel GenAI operation names of LLM calls.
const (
	OpChat           = "chat"
	OpTextCompletion = "text_completion"
	OpEmbeddings     = "embeddings"
)

// RequestTypeOf is the AgentOps gen_ai.request.type of an OTel operation.
func RequestTypeOf(op string) string {
	switch op {
	case OpTextCompletion:
		return "completion"
	case OpEmbeddings:
		return "embedding"
	}
	return "chat"
}

// SystemOf is the AgentOps gen_ai.system value (a display name, as
// OpenLLMetry writes it) of an OTel gen_ai.provider.name.
func SystemOf(provider string) string {
	switch provider {
	case "openai":
		return "OpenAI"
	case "azure.ai.openai":
		return "Azure"
	case "anthropic":
		return "Anthropic"
	case "gcp.gemini", "gcp.vertex_ai":
		return "Google"
	case "aws.bedrock":
		return "AWS"
	case "mistral_ai":
		return "MistralAI"
	case "groq":
		return "Groq"
	case "cohere":
		return "Cohere"
	case "deepseek":
		return "DeepSeek"
	case "x_ai":
		return "xAI"
	}
	return provider
}

// Metric instrument names (histograms).
const (
	MetricTokenUsage         = "gen_ai.client.token.usage"
	MetricOperationDuration  = "gen_ai.client.operation.duration"
	MetricTimeToFirstChunk   = "gen_ai.client.operation.time_to_first_chunk"
	MetricTimePerOutputChunk = "gen_ai.client.operation.time_per_output_chunk"
)

// Bucket boundaries of the metrics, as SEMCONV.md gives them.
var (
	TokenBuckets    = []float64{1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864}
	DurationBuckets = []float64{0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92}
)

// Indexed keys of the AgentOps flat message form. The first few of each
// are made once, so recording a usual conversation builds no key strings.
const indexedKeys = 32

var (
	promptKeys     = makeIndexed("gen_ai.prompt.")
	completionKeys = makeIndexed("gen_ai.completion.")
	functionKeys   = makeIndexed("gen_ai.request.functions.")
)

func makeIndexed(prefix string) [indexedKeys]string {
	var keys [indexedKeys]string
	for i := range keys {
		keys[i] = prefix + strconv.Itoa(i) + "."
	}
	return keys
}

func indexed(table *[indexedKeys]string, prefix string, i int) string {
	if i < indexedKeys {
		return table[i]
	}
	return prefix + strconv.Itoa(i) + "."
}

// Prompt is "gen_ai.prompt.{i}." (append role, content, tool_call_id, ...).
func Prompt(i int) string { return indexed(&promptKeys, "gen_ai.prompt.", i) }

// Completion is "gen_ai.completion.{i}.".
func Completion(i int) string { return indexed(&completionKeys, "gen_ai.completion.", i) }

// Function is "gen_ai.request.functions.{i}.".
func Function(i int) string { return indexed(&functionKeys, "gen_ai.request.functions.", i) }

// ToolCallKey is "{prefix}tool_calls.{j}." under a prompt or completion prefix.
func ToolCallKey(prefix string, j int) string {
	return prefix + "tool_calls." + strconv.Itoa(j) + "."
}

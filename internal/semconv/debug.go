package semconv

// The raw HTTP bodies of an LLM call, recorded on its span at the debug
// trace level only (this SDK's extension): text, secrets masked, cut at the
// payload cap. Headers are never recorded.
const (
	LLMRequestBody  = "agentops.llm.request.body"
	LLMResponseBody = "agentops.llm.response.body"
)

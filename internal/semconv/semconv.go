// Package semconv is the one table of every span attribute key and span-name
// rule the SDK writes, in both vocabularies it speaks: the AgentOps keys that
// the AgentOps backend and dashboard read, and the OpenTelemetry GenAI
// semantic conventions v1.41.0 that the rest of the OTel world reads.
//
// go.opentelemetry.io/otel/semconv dropped the gen_ai.* constants in v1.42.0,
// so the keys live here rather than as literals scattered through the code.
package semconv

// ServiceName is the OTel resource key service.name.
const ServiceName = "service.name"

// AgentOps keys (from the AgentOps Python SDK's agentops/semconv).
const (
	SpanKind        = "agentops.span.kind"
	OperationName   = "operation.name"
	OperationVer    = "operation.version"
	Tags            = "agentops.tags"
	SessionEndState = "agentops.session.end_state"
	// SessionEndReason is this SDK's extension: why the SDK, rather than the
	// program, ended a session ("shutdown", "signal: terminated").
	SessionEndReason = "agentops.session.end_reason"

	ToolName       = "tool.name"
	ToolParameters = "tool.parameters"
	ToolResult     = "tool.result"
	ToolStatus     = "tool.status"
	ToolCallID     = "tool.call.id"

	AgentID   = "agent.id"
	AgentName = "agent.name"

	UsageTotalCost = "gen_ai.usage.total_cost"
	ErrorType      = "error.type"
)

// The agentops.sources span (this SDK's extension, WIRE.md §5): which source
// files the program ran, where each was stored, and the build identity.
const (
	SourcesSpanName = "agentops.sources"
	SourcesFiles    = "agentops.sources.files"
	SourcesURLs     = "agentops.sources.urls"
	SourcesHashes   = "agentops.sources.sha256"
	SourcesEndpoint = "agentops.sources.endpoint" // "scripts" or "objects"
	SourcesOrigin   = "agentops.sources.origin"
	SourcesSkipped  = "agentops.sources.skipped"
	BuildModule     = "agentops.build.module"
	BuildVersion    = "agentops.build.version"
	BuildGoVersion  = "agentops.build.go_version"
	BuildRevision   = "agentops.build.vcs.revision"
	BuildModified   = "agentops.build.vcs.modified"
)

// Tool status values of the AgentOps tool.status attribute.
const (
	ToolStatusExecuting = "executing"
	ToolStatusSucceeded = "succeeded"
	ToolStatusFailed    = "failed"
)

// OpenTelemetry GenAI v1.41.0 keys.
const (
	GenAIOperationName = "gen_ai.operation.name"
	GenAIToolName      = "gen_ai.tool.name"
	GenAIToolCallID    = "gen_ai.tool.call.id"
	GenAIAgentName     = "gen_ai.agent.name"
	GenAIAgentID       = "gen_ai.agent.id"
	GenAIDataSourceID  = "gen_ai.data_source.id"
)

// AgentOps span kind values (agentops.span.kind).
const (
	KindSession   = "session"
	KindAgent     = "agent"
	KindTool      = "tool"
	KindTask      = "task"
	KindOperation = "operation"
	KindWorkflow  = "workflow"
	KindGuardrail = "guardrail"
	KindRetrieval = "retrieval"
	KindLLM       = "llm"
)

// GenAIOperation returns the OTel GenAI operation name of an AgentOps span
// kind, or "" when GenAI v1.41 defines none for it.
func GenAIOperation(kind string) string {
	switch kind {
	case KindAgent:
		return "invoke_agent"
	case KindTool:
		return "execute_tool"
	case KindRetrieval:
		return "retrieval"
	case KindLLM:
		return "chat"
	}
	return ""
}

// SpanName applies the one naming rule of the SDK: spans whose kind has an
// OTel GenAI operation are named "{operation} {name}" (what Jaeger, Phoenix
// and Langfuse expect); the others keep the AgentOps form "{name}.{kind}".
// The AgentOps dashboard keys on agentops.span.kind, not on the name, so both
// backends read either form correctly.
func SpanName(kind, name string) string {
	if op := GenAIOperation(kind); op != "" {
		return op + " " + name
	}
	return name + "." + kind
}

// InputKey and OutputKey are agentops.{kind}.input and agentops.{kind}.output.
func InputKey(kind string) string  { return "agentops." + kind + ".input" }
func OutputKey(kind string) string { return "agentops." + kind + ".output" }

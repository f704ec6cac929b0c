package normalize

import (
	"strings"

	"github.com/agentops-go/agentops/internal/semconv"
	"github.com/agentops-go/agentops/server/model"
)

// Classes of model.Derived.Class.
const (
	ClassSession   = "session"
	ClassAgent     = "agent"
	ClassTool      = "tool"
	ClassLLM       = "llm"
	ClassEmbedding = "embedding"
	ClassRetrieval = "retrieval"
	ClassTask      = "task"
	ClassWorkflow  = "workflow"
	ClassGuardrail = "guardrail"
	ClassChain     = "chain"
	ClassOperation = "operation"
	ClassHTTP      = "http"
	ClassDB        = "db"
	ClassOther     = "other"
)

type pair struct{ key, class string }

// The vocabularies' kinds, matched case-insensitively, in the order
// classify tries them.
var (
	agentopsKinds = []pair{
		{semconv.KindSession, ClassSession}, {semconv.KindAgent, ClassAgent}, {semconv.KindTool, ClassTool},
		{semconv.KindLLM, ClassLLM}, {semconv.KindTask, ClassTask}, {semconv.KindWorkflow, ClassWorkflow},
		{semconv.KindGuardrail, ClassGuardrail}, {semconv.KindRetrieval, ClassRetrieval},
		{"chain", ClassChain}, {semconv.KindOperation, ClassOperation}, {"embedding", ClassEmbedding},
	}
	genAIOperations = []pair{
		{semconv.OpChat, ClassLLM}, {semconv.OpTextCompletion, ClassLLM}, {opGenerateContent, ClassLLM},
		{semconv.OpEmbeddings, ClassEmbedding}, {opExecuteTool, ClassTool},
		{opInvokeAgent, ClassAgent}, {opCreateAgent, ClassAgent}, {opRetrieval, ClassRetrieval},
	}
	openInferenceKinds = []pair{
		{"LLM", ClassLLM}, {"EMBEDDING", ClassEmbedding}, {"TOOL", ClassTool}, {"AGENT", ClassAgent},
		{"CHAIN", ClassChain}, {"RETRIEVER", ClassRetrieval}, {"RERANKER", ClassRetrieval},
		{"GUARDRAIL", ClassGuardrail}, {"EVALUATOR", ClassGuardrail},
	}
	traceloopKinds = []pair{
		{"workflow", ClassWorkflow}, {"task", ClassTask}, {"agent", ClassAgent}, {"tool", ClassTool},
	}
	// OpenLLMetry's request types (gen_ai.request.type, llm.request.type).
	requestTypes = []pair{
		{"chat", ClassLLM}, {"completion", ClassLLM}, {"embedding", ClassEmbedding}, {"embeddings", ClassEmbedding},
	}
)

func lookup(table []pair, v any) (string, bool) {
	s, ok := v.(string)
	if !ok || s == "" {
		return "", false
	}
	s = strings.TrimSpace(s)
	for _, p := range table {
		if strings.EqualFold(p.key, s) {
			return p.class, true
		}
	}
	return "", false
}

// classify decides what the span stands for, trying the vocabularies in a
// fixed order: AgentOps, OTel GenAI, OpenInference, Traceloop, OpenLLMetry
// request types and model attributes, HTTP and database attributes, and
// the AgentOps session naming rule.
func classify(sc *scan, s *model.Span) string {
	if c, ok := lookup(agentopsKinds, sc.v[fSpanKind]); ok {
		// The SDK's LLM spans all say "llm"; the operation tells an
		// embeddings call apart.
		if c == ClassLLM {
			if op, _ := lookup(genAIOperations, sc.v[fOperation]); op == ClassEmbedding {
				return ClassEmbedding
			}
		}
		return c
	}
	for _, try := range [...]struct {
		table []pair
		f     field
	}{
		{genAIOperations, fOperation},
		{openInferenceKinds, fOIKind},
		{traceloopKinds, fTraceloopKind},
		{requestTypes, fRequestType},
		{requestTypes, fLLMRequestType},
	} {
		if c, ok := lookup(try.table, sc.v[try.f]); ok {
			return c
		}
	}
	// A model call that names no operation (older OpenLLMetry, hand-made
	// spans) still names its model.
	if sc.str(fResponseModel) != "" || sc.str(fRequestModel) != "" || sc.str(fOIModel) != "" {
		return ClassLLM
	}
	switch {
	case sc.http:
		return ClassHTTP
	case sc.db:
		return ClassDB
	case s.ParentSpanID == "" && strings.HasSuffix(s.Name, sessionNameSuffix):
		return ClassSession
	}
	return ClassOther
}

// operation is gen_ai.operation.name, else the GenAI operation of the
// class, else "" (classes GenAI has no operation for).
func operation(sc *scan, class string) string {
	if op, _ := sc.v[fOperation].(string); strings.TrimSpace(op) != "" {
		return strings.TrimSpace(op)
	}
	switch class {
	case ClassLLM:
		if rt := sc.first(fRequestType, fLLMRequestType); strings.EqualFold(text(rt), requestTypeCompleted) {
			return semconv.OpTextCompletion
		}
		return semconv.OpChat
	case ClassEmbedding:
		return semconv.OpEmbeddings
	case ClassTool:
		return opExecuteTool
	case ClassAgent:
		return opInvokeAgent
	case ClassRetrieval:
		return opRetrieval
	}
	return ""
}

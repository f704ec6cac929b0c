// Package model holds the types the local backend's parts exchange: ingest
// decodes requests into them, normalize fills their derived fields, store
// keeps and queries them, api serves them as JSON. It has no behaviour
// beyond small helpers, and depends on nothing but the standard library.
package model

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Span is one span as the server keeps it: what OTLP carried, plus the
// fields normalize derives from its attributes. IDs are lowercase hex.
type Span struct {
	TraceID      string `json:"trace_id"`
	SpanID       string `json:"span_id"`
	ParentSpanID string `json:"parent_span_id,omitempty"`
	Name         string `json:"name"`
	// Kind is the OTel span kind: internal, server, client, producer,
	// consumer, unspecified.
	Kind          string    `json:"kind"`
	Start         time.Time `json:"start"`
	End           time.Time `json:"end"`
	StatusCode    string    `json:"status_code"` // unset, ok, error
	StatusMessage string    `json:"status_message,omitempty"`
	Service       string    `json:"service"` // resource service.name
	Scope         string    `json:"scope,omitempty"`
	// Attributes are the span's attributes; values are string, bool,
	// int64, float64, []any or map[string]any (as decoded from OTLP).
	Attributes map[string]any `json:"attributes"`
	Resource   map[string]any `json:"resource,omitempty"`
	Events     []Event        `json:"events,omitempty"`
	Links      []Link         `json:"links,omitempty"`

	// Derived by normalize.
	Derived Derived `json:"derived"`
}

// Derived is what normalize reads out of a span's attributes, in one shape
// whatever vocabulary (AgentOps, OTel GenAI, OpenInference) the span spoke.
type Derived struct {
	// Class is what the span stands for: session, agent, tool, llm,
	// embedding, retrieval, task, workflow, guardrail, chain, operation,
	// http, db, or other.
	Class string `json:"class"`
	// Operation is gen_ai.operation.name, or its equivalent.
	Operation string `json:"operation,omitempty"`
	// Label is the short name to show: the tool, agent or model name,
	// else the span name.
	Label    string `json:"label,omitempty"`
	Model    string `json:"model,omitempty"`    // response model, else request model
	Provider string `json:"provider,omitempty"` // gen_ai.provider.name or gen_ai.system
	Tool     string `json:"tool,omitempty"`

	InputTokens         int64 `json:"input_tokens,omitempty"`
	OutputTokens        int64 `json:"output_tokens,omitempty"`
	CacheReadTokens     int64 `json:"cache_read_tokens,omitempty"`
	CacheCreationTokens int64 `json:"cache_creation_tokens,omitempty"`
	ReasoningTokens     int64 `json:"reasoning_tokens,omitempty"`
	// TTFT is the time to first token or chunk, in seconds; 0 when unknown.
	TTFT float64 `json:"ttft,omitempty"`
	// Cost is in US dollars; CostSource says where it came from: "span"
	// (gen_ai.usage.total_cost), "table" (the price table), or "" (none).
	Cost       float64 `json:"cost,omitempty"`
	CostSource string  `json:"cost_source,omitempty"`

	Error     bool   `json:"error,omitempty"`
	ErrorType string `json:"error_type,omitempty"`

	// Session roots only.
	SessionName string   `json:"session_name,omitempty"`
	Tags        []string `json:"tags,omitempty"`
	EndState    string   `json:"end_state,omitempty"` // Success, Error, Indeterminate

	// Messages are the LLM call's input and output, in order.
	Messages []Message `json:"messages,omitempty"`
	// Input and Output are an entity span's recorded input and output
	// (agentops.{kind}.input/output, tool arguments and result).
	Input  string `json:"input,omitempty"`
	Output string `json:"output,omitempty"`
}

// Message is one message of an LLM call.
type Message struct {
	// Direction is "input" (the prompt) or "output" (a completion).
	Direction    string     `json:"direction"`
	Index        int        `json:"index"`
	Role         string     `json:"role"`
	Content      string     `json:"content,omitempty"`
	ToolCalls    []ToolCall `json:"tool_calls,omitempty"`
	ToolCallID   string     `json:"tool_call_id,omitempty"`
	FinishReason string     `json:"finish_reason,omitempty"`
}

// ToolCall is a model's request to call a tool.
type ToolCall struct {
	ID        string `json:"id,omitempty"`
	Name      string `json:"name"`
	Arguments string `json:"arguments,omitempty"`
}

// Event is a span event.
type Event struct {
	Name       string         `json:"name"`
	Time       time.Time      `json:"time"`
	Attributes map[string]any `json:"attributes,omitempty"`
}

// Link is a span link.
type Link struct {
	TraceID    string         `json:"trace_id"`
	SpanID     string         `json:"span_id"`
	Attributes map[string]any `json:"attributes,omitempty"`
}

// LogUpload is the captured log text of one trace (/v4/logs/upload/).
type LogUpload struct {
	TraceID  string    `json:"trace_id"`
	Text     string    `json:"text"`
	Received time.Time `json:"received"`
}

// FileUpload is one source file of the program behind a trace
// (/v4/scripts/upload/).
type FileUpload struct {
	ID       string    `json:"id"` // FileID(Path, Content)
	TraceID  string    `json:"trace_id"`
	Path     string    `json:"path"` // module-relative, slash-separated, validated
	Content  string    `json:"content"`
	Received time.Time `json:"received"`
}

// Object is a blob stored by /v4/objects/upload/.
type Object struct {
	ID       string    `json:"id"`
	Content  string    `json:"content"`
	Received time.Time `json:"received"`
}

// Batch is what one ingest request adds, written in one transaction: the
// request is acknowledged only once the batch is committed.
type Batch struct {
	Spans    []Span
	Logs     []LogUpload
	Files    []FileUpload
	FileRefs []FileRef
	Objects  []Object
}

// Session is a trace's roll-up: what the sessions list shows.
type Session struct {
	TraceID string   `json:"trace_id"`
	Name    string   `json:"name"` // the root's session name, else the earliest span's name
	Service string   `json:"service"`
	Tags    []string `json:"tags"`
	// Status is success, error, indeterminate, or running (no root end
	// state yet and no span ended for a while is still "running": the
	// root has not arrived).
	Status     string    `json:"status"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	DurationMS float64   `json:"duration_ms"`
	Spans      int64     `json:"spans"`
	Errors     int64     `json:"errors"`
	LLMCalls   int64     `json:"llm_calls"`
	ToolCalls  int64     `json:"tool_calls"`

	InputTokens     int64     `json:"input_tokens"`
	OutputTokens    int64     `json:"output_tokens"`
	CacheReadTokens int64     `json:"cache_read_tokens"`
	ReasoningTokens int64     `json:"reasoning_tokens"`
	Cost            float64   `json:"cost"`
	Models          []string  `json:"models"`
	HasLogs         bool      `json:"has_logs"`
	Files           int64     `json:"files"`
	Updated         time.Time `json:"updated"`
}

// SessionQuery filters and pages the sessions list. Zero values mean no
// filter.
type SessionQuery struct {
	From, To time.Time // session start within [From, To)
	Service  string
	Tag      string
	Status   string
	Model    string
	// Search is free text matched against span names, message content and
	// log text.
	Search string
	// Cursor is the NextCursor of the previous page; "" for the first.
	Cursor string
	Limit  int // default 50, at most 500
}

// SessionPage is one page of the sessions list, newest first.
type SessionPage struct {
	Sessions   []Session `json:"sessions"`
	NextCursor string    `json:"next_cursor,omitempty"`
}

// Stats are the server's overall counts.
type Stats struct {
	Sessions     int64     `json:"sessions"`
	Spans        int64     `json:"spans"`
	LLMCalls     int64     `json:"llm_calls"`
	InputTokens  int64     `json:"input_tokens"`
	OutputTokens int64     `json:"output_tokens"`
	Cost         float64   `json:"cost"`
	Errors       int64     `json:"errors"`
	DBBytes      int64     `json:"db_bytes"`
	Oldest       time.Time `json:"oldest,omitempty"`
	Newest       time.Time `json:"newest,omitempty"`
}

// FileInfo describes a stored source file without its content.
type FileInfo struct {
	ID       string    `json:"id"` // what the file's URL names: /api/files/{id}
	Path     string    `json:"path"`
	Size     int64     `json:"size"`
	SHA256   string    `json:"sha256"`
	Received time.Time `json:"received"`
}

// FileRef links a trace to a file stored under another trace: the SDK
// uploads each file once per process and later sessions list it in their
// agentops.sources span.
type FileRef struct {
	TraceID string
	Path    string
	FileID  string
}

// FileID is the stable id of a source file: the same path and content
// always get the same id, so the SDK's once-per-process uploads and the
// references of later sessions meet.
func FileID(path, content string) string {
	h := sha256.New()
	h.Write([]byte(path))
	h.Write([]byte{0})
	h.Write([]byte(content))
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// ObjectID is the stable id of an object's content.
func ObjectID(content string) string {
	h := sha256.Sum256([]byte(content))
	return hex.EncodeToString(h[:16])
}

package agentops

import (
	"context"
	"fmt"
	"strings"
)

// TraceLevel is how much the SDK records of each span, at the source: what
// a level leaves out is never built, encoded or copied, not merely hidden
// later. Each level records what the one below it does, and more:
//
//   - LevelMinimal: span names, timing and status (with the error, its
//     error.type and tool.status), and the kind attributes backends
//     classify spans by (agentops.span.kind, operation.name,
//     gen_ai.operation.name). An LLM span's name still says its model.
//   - LevelStandard: also the model, provider and server of LLM calls,
//     their request parameters, response ids, finish reasons, token counts
//     and time to first chunk; agent and tool names, tool call ids and
//     types; costs given to Span.SetCost.
//   - LevelDetailed, the default: also inputs and outputs (WithInput,
//     SetInput, SetOutput, Run), and, with content capture on, prompts,
//     completions, tool definitions and tool call arguments and results.
//   - LevelDebug: also, with content capture on, the raw HTTP request and
//     response bodies of LLM calls (agentops.llm.request.body and
//     agentops.llm.response.body), with secrets masked (RedactSecrets, after
//     any WithContentRedactor) and cut at WithMaxPayloadBytes. Headers,
//     and so the Authorization header, are never recorded.
//
// Content capture (WithContentCapture) is a switch of its own that no level
// overrides: off, no prompt, completion, tool call argument or result, nor
// raw body is recorded at any level. At LevelMinimal and LevelStandard no
// content is recorded whatever it says.
//
// Attributes a program sets itself (WithAttributes, WithTags,
// Span.SetAttributes, AddEvent) are recorded at every level, and the
// gen_ai.client.* metrics too: they are aggregates that hold no content,
// and at LevelMinimal they are where token usage is still counted. Turn
// them off on their own with OTEL_METRICS_EXPORTER=none or
// WithMeterProvider.
//
// The zero TraceLevel is not a level; WithTraceLevel refuses it.
type TraceLevel uint8

// The trace levels, from least to most recorded.
const (
	LevelMinimal TraceLevel = iota + 1
	LevelStandard
	LevelDetailed
	LevelDebug
)

var traceLevelNames = [...]string{
	LevelMinimal:  "minimal",
	LevelStandard: "standard",
	LevelDetailed: "detailed",
	LevelDebug:    "debug",
}

func (l TraceLevel) valid() bool { return l >= LevelMinimal && l <= LevelDebug }

// String is the level's name: "minimal", "standard", "detailed", "debug".
func (l TraceLevel) String() string {
	if !l.valid() {
		return fmt.Sprintf("TraceLevel(%d)", uint8(l))
	}
	return traceLevelNames[l]
}

// ParseTraceLevel reads a level's name, in any case and with surrounding
// space: minimal, standard, detailed or debug.
func ParseTraceLevel(s string) (TraceLevel, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	for l := LevelMinimal; l <= LevelDebug; l++ {
		if traceLevelNames[l] == name {
			return l, nil
		}
	}
	return 0, fmt.Errorf("agentops: %q is not a trace level: want minimal, standard, detailed or debug", s)
}

// MarshalText is the level's name, so a level reads and writes as text in
// JSON, YAML and flags (flag.TextVar).
func (l TraceLevel) MarshalText() ([]byte, error) {
	if !l.valid() {
		return nil, fmt.Errorf("agentops: %s is not a trace level", l)
	}
	return []byte(l.String()), nil
}

// UnmarshalText reads a level's name as ParseTraceLevel does.
func (l *TraceLevel) UnmarshalText(text []byte) error {
	v, err := ParseTraceLevel(string(text))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// WithTraceLevel sets how much is recorded of each span
// (AGENTOPS_TRACE_LEVEL); the default is LevelDetailed. See TraceLevel for
// what each level records.
func WithTraceLevel(l TraceLevel) Option {
	return optionFunc(func(c config) config { c.level = l; return c })
}

// Verbosity is how much a Client records: its level, and whether it records
// content at that level. Instrumentation of other libraries reads it before
// translating a call, so as to build only what will be recorded.
type Verbosity struct {
	Level TraceLevel
	// Content: prompts, completions, tool definitions, and tool call
	// arguments and results are recorded, because content capture is on
	// and Level is LevelDetailed or LevelDebug.
	Content bool
}

// RawBodies reports whether the raw HTTP bodies of LLM calls are recorded:
// at LevelDebug, with content capture on.
func (v Verbosity) RawBodies() bool { return v.Level >= LevelDebug && v.Content }

// Verbosity returns how much c records. A nil Client records nothing: its
// Verbosity is the zero one.
func (c *Client) Verbosity() Verbosity {
	if c == nil {
		return Verbosity{}
	}
	return Verbosity{Level: c.cfg.level, Content: c.cfg.captureContent}
}

// VerbosityFor returns how much is recorded of the spans started from ctx:
// the Verbosity of the Client of the session ctx carries, else of the
// default Client. ok is false when there is no Client, and so nothing is
// recorded. It is safe for concurrent use.
func VerbosityFor(ctx context.Context) (v Verbosity, ok bool) {
	c := clientFor(ctx)
	return c.Verbosity(), c != nil
}

// Package agentops shows what an AI agent written in Go actually did: every
// session, LLM call, tool call and error, as OpenTelemetry spans that the
// AgentOps backend, the local `agentops serve` backend, or any OTel backend
// can read.
//
// # Sessions and spans
//
// Init builds a Client (and makes it the default one); StartSession starts a
// session, the root span of a trace of its own; StartSpan, Run and Do start
// spans of a Kind (agent, tool, task, ...) under whatever span the context
// carries:
//
//	client, err := agentops.Init(ctx)
//	if err != nil { ... }
//	defer client.Shutdown(shutdownCtx) // or WithShutdownOnSignal
//
//	ctx, sess := agentops.StartSession(ctx, "research", agentops.WithTags("web"))
//	ctx, span := agentops.StartSpan(ctx, agentops.KindTool, "web_search", agentops.WithInput(args))
//	span.SetOutput(result)
//	span.End(err)
//	sess.End(agentops.Success)
//
// Spans carry both vocabularies: the AgentOps keys (agentops.span.kind, ...)
// the AgentOps dashboard reads, and the OTel GenAI names (execute_tool
// web_search, gen_ai.operation.name, ...) other OTel backends read.
//
// # Where spans go
//
// With an API key and no endpoint, to AgentOps cloud; with neither, to the
// local backend at LocalEndpoint; WithEndpoint points everything at another
// server. WithExporter adds more destinations, WithTracerProvider joins an
// existing OTel setup so one trace never splits. Every AGENTOPS_* variable of
// the AgentOps SDKs and the standard OTEL_* variables work; options beat
// variables, which beat defaults.
//
// # Cost to the agent
//
// Nothing in the agent's call path touches the network: spans are batched
// and exported in the background, the auth token is fetched in the
// background, and session-end work runs on a worker goroutine. Without Init,
// or with WithDisabled or OTEL_SDK_DISABLED=true, every call is a no-op.
//
// # Losing no spans at exit
//
// Spans wait in a batch before export; a program that exits without
// Shutdown loses them. Call Client.Shutdown with a deadline on the way out
// (after signal.NotifyContext in programs that handle signals), or give Init
// WithShutdownOnSignal. Shutdown ends sessions still open as Indeterminate.
//
// # Distributed agents
//
// PropagatingTransport and ExtractingHandler carry W3C trace context and
// baggage over HTTP, so a remote tool service's spans join the session's
// trace.
//
// # Agent frameworks
//
// A Bridge maps a framework's start and end callbacks (a session, a step,
// an LLM call, a tool call, a message, an error) to these spans, pairing
// ends with starts by the framework's run id. Ready adapters for
// langchaingo and eino are modules of their own under integrations/.
//
// # Watching your own agent
//
// Subscribe streams a program's own steps as they start and end (a slow
// subscriber drops events, counted, and never blocks the agent);
// RecordSteps keeps one session's steps as a Trace for an API answer;
// Trace.Print and StreamSteps print them, and WithConsole prints each
// session's tree when it ends, with or without a backend.
//
// # Trace levels
//
// WithTraceLevel (or AGENTOPS_TRACE_LEVEL) decides what is recorded at the
// source: LevelMinimal (names, timing, status), LevelStandard (plus models,
// tokens, tool names), LevelDetailed (plus inputs, outputs and messages:
// the default) and LevelDebug (plus raw LLM request and response bodies,
// secrets masked).
//
// # Concurrency
//
// Every function and method in this package is safe for concurrent use;
// many sessions may run at once in one process, each its own trace.
//
// # Diagnostics
//
// The SDK never writes to stdout. Background failures (an unreachable
// backend, a rejected key) go to WithErrorHandler, or else are logged to
// stderr, each kind once a minute, with what to do about it.
package agentops

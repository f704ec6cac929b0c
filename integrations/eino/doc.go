// Package agentopseino records what a github.com/cloudwego/eino program
// does, as agentops sessions and spans, through eino's own callbacks: no
// component, graph or chain of the program changes.
//
// A Handler is an eino callbacks.Handler. Give it to a graph, chain or
// agent call, or to every call of the process:
//
//	h := agentopseino.New(agentopseino.WithSession("support-bot"))
//	defer h.Close(shutdownCtx) // before client.Shutdown
//
//	out, err := runnable.Invoke(ctx, input, compose.WithCallbacks(h))
//	// or, once at start-up (eino's global handlers are not safe to change later):
//	callbacks.AppendGlobalHandlers(h)
//
// # Spans
//
// Each component run that eino reports becomes a span under the span of
// the run that contains it: a graph, chain or workflow is a workflow span,
// a chat model call an LLM span ("chat gpt-4o-mini") with its model,
// messages (system prompt included), tools offered, answer, tool calls,
// finish reason and token usage, a tool call an execute_tool span with its
// call id, arguments and result, a retriever a retrieval span with its
// query and documents, and any other component (a chat template, a lambda,
// the tools node) a task span with its input and output. A run that fails
// ends its span with the error.
//
// The span's name is the node's name (compose.WithNodeName,
// compose.WithGraphName), else the component's type and kind as eino
// names them ("OpenAIChatModel", "Chain").
//
// The context a component runs with carries its span, so work it does
// that agentops records by other means (an HTTP call through
// instrument/openai's transport, a span of the program's own) nests under
// it too; an LLM call that the handler records is not recorded a second
// time by instrument/openai.
//
// # Sessions
//
// A run nests under the span its context carries: to make a graph call
// part of a session, pass the context agentops.StartSession returned. With
// WithSession, each outermost run that is not already in a session starts
// one of its own, which ends with the run.
//
// # Streams
//
// When a component streams, eino gives the handler a copy of the stream.
// The handler reads its copy on a goroutine of its own, whether or not the
// program reads its own, and closes it at the end, as eino requires: the
// run's span ends when the stream does (at its end, or with its error),
// with the chunks assembled into one output (a streamed chat answer is
// recorded whole, with its token usage). A stream the program abandons is
// still read to its end, because eino closes a stream's source only once
// every copy is closed. A stream that never ends keeps its span open until
// Close.
//
// # Shutting down
//
// Close waits for the streams being read to end and then ends every span
// still open as failed (agentops.ErrRunNotEnded): call it before the
// agentops Client's Shutdown, so that no span is lost or left open.
//
// A Handler is safe for concurrent use; one Handler serves any number of
// concurrent graph calls.
package agentopseino

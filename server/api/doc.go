// Package api is the read side of the local backend (`agentops serve`): a
// JSON REST API over the stored sessions, and a Server-Sent Events stream
// that tells the dashboard when a session starts, changes or ends.
//
// The API reads and deletes through a Reader (server/store implements it)
// and never writes spans itself. What it adds on top of the store is
// computed per request from a session's spans by pure functions that the
// tests exercise directly: the span tree (BuildTree), the summary
// (Summarize), the analysis with its recommendations (Analyze), the log
// viewer's lines (ParseLog) and the OTLP export (ExportTraces).
//
// Every response is JSON (or, on request, text/plain) and carries
// X-Content-Type-Options: nosniff: nothing a span, a log or a source file
// holds is ever served as HTML. Reads sit behind auth.Auth.Require when the
// server was started with API keys; /healthz and /readyz stay open for
// probes.
//
// The Hub decouples the store's writer goroutine from the SSE clients:
// Publish never blocks, each stream has a bounded buffer, and a client that
// lets its buffer fill is disconnected (it reconnects with Last-Event-ID and
// resumes from the Hub's history) rather than slowing ingestion.
package api

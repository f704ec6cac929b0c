// Package ingest is how data gets into the local backend (`agentops serve`):
// the HTTP handlers of the endpoints an AgentOps or OpenTelemetry SDK sends
// to (docs/WIRE.md).
//
//   - POST /v1/traces: OTLP/HTTP traces, protobuf or JSON, gzip or not.
//     Every span becomes a [model.Span], is handed to the [Normalizer], and
//     the request's spans are written as one [model.Batch]; the request is
//     answered only once the [Writer] has committed it. The answers copy
//     the OpenTelemetry Collector's OTLP/HTTP receiver: the response is in
//     the request's encoding, spans without a trace or span id are rejected
//     and counted in partial_success while the others are stored, and
//     failures carry a google.rpc.Status (400 undecodable, 413 too large,
//     503 overloaded with Retry-After, 500 otherwise).
//   - POST /v1/metrics: OTLP/HTTP metrics are decoded, to validate them and
//     to let an SDK's metric exporter succeed, and then dropped: the local
//     backend does not store metrics (token counts and costs come from the
//     spans).
//   - POST and GET /v3/auth/token: an API key for a JWT, and a check of
//     one, through [auth.Auth].
//   - POST /v4/logs/upload/, /v4/scripts/upload/, /v4/objects/upload/ (with
//     or without the trailing slash): the captured log text of a trace, a
//     source file of the program behind it, any text. The Trace-Id header
//     is read as AgentOps sends it (a 128-bit decimal integer) or as 32 hex
//     digits and kept as 32 lowercase hex; the body is the {"body": "..."}
//     envelope or raw text/plain.
//
// When [auth.Auth.Required] (the server was started with API keys), every
// route but /v3/auth/token needs "Authorization: Bearer <token>".
//
// Untrusted input is bounded everywhere: bodies are capped before and
// after gzip decompression, OTLP messages nested deeper than a fixed limit
// are refused before they reach the decoder (whose recursion would
// otherwise overflow the stack, a crash no recover catches), and at most
// Config.MaxConcurrentDecodes requests are read and decoded at once: past
// that the server answers 503 with Retry-After at once instead of
// queueing their bodies in memory. Errors are JSON {"error": "..."} that
// say what to do, except the OTLP routes' decoding and storing errors,
// which are google.rpc.Status as OTLP/HTTP prescribes.
package ingest

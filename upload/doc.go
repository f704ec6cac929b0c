// Package upload is the SDK's client for the AgentOps HTTP API outside OTLP:
// it trades the API key for a JWT at /v3/auth/token, keeps that token fresh,
// and lends it to every other request through [Transport], so the OTLP span
// exporter and the session-end uploads share one authentication.
//
// The AgentOps Python SDK fetches its token in the background and exports
// before it arrives, so early spans are refused with 401 and lost, and it
// never refreshes. [Auth] fixes that: callers wait (bounded by their context)
// for the first token, a 401 triggers exactly one re-authentication and
// retry, a token is renewed before it expires, and a rejected key is
// reported once, through the error handler, with what to do about it.
package upload

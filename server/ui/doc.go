// Package ui is the dashboard of `agentops serve`: a few static files
// (HTML, CSS and JavaScript modules, embedded in the binary, no build
// step) that read the REST API and the live event stream of server/api.
//
// The pages are served at / (the sessions list) and /sessions (a session,
// ?trace_id=..., the form of the links the SDK prints), the assets under
// /ui/. Both are public: they hold no data. Every read goes through the
// API, so on a server started with --api-key the dashboard asks for a key,
// trades it for a token at /v3/auth/token, and sends that token itself.
//
// The JavaScript never parses telemetry as HTML: it builds every element
// with createElement and textContent, and the Content-Security-Policy the
// pages carry allows no inline script, no eval and no foreign origin, so a
// span named "<script>" is shown as text. A test greps the assets to keep
// it that way.
package ui

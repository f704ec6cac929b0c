// Package logcapture collects the log lines each agent session produces, so
// that the SDK can upload them (to /v4/logs/upload/) when the session ends.
//
// # Sessions and buffers
//
// A session is known by its OTel trace ID. When one starts, the SDK opens a
// Buffer for it in a Registry; when it ends, it closes it and drains the
// text. A Buffer is bounded by Limits (lines, bytes, bytes per line): past
// a cap the oldest lines go and the drained text starts with one line that
// says how many. Many sessions are open at once, so every line is routed:
//
//   - a record logged with a context that carries a session's span goes to
//     that session only;
//   - a line with no session (a log call without a context, the standard
//     log package, stdout) goes to every session open at that moment. The
//     buffers share the one string.
//
// # Sources of lines
//
// Handler wraps the program's slog.Handler: the program's own output is
// untouched, and records are also formatted as capture lines. NewWriter does
// the same for the standard log package (log.SetOutput). CaptureStdio, opt-in,
// redirects fds 1 and 2 into pipes read by two goroutines that echo every
// byte to the original descriptors and capture the lines; Sync makes sure
// everything written before it has been captured, Stop puts the
// descriptors back.
//
// # Line format
//
// Lines are "2026-11-21 10:15:21,462 - INFO - message k=v", UTC, the format
// the AgentOps log viewer parses (Python logging's): a line that does not
// start this way is shown as part of the line before it.
//
// # Cost
//
// The capture sits in the user's logging calls. While no session is open
// it costs one atomic load (Registry.Active) per call. In a session, a
// record is formatted into a pooled buffer, and the line string is the only
// allocation; see benchmark_test.go.
package logcapture

package agentops

import (
	"context"
	"io"
	"log/slog"
	"sync"

	"go.opentelemetry.io/otel/trace"

	"github.com/agentops-go/agentops/internal/logcapture"
)

// capturedLogs holds the log buffer of every open session of every Client
// in the process, keyed by trace ID: log handlers are process-wide (slog's
// default logger, the log package, stdout), so their lines are routed here.
var capturedLogs = logcapture.NewRegistry()

// traceOf is the session a logging call belongs to: the trace of the span
// its context carries.
func traceOf(ctx context.Context) (logcapture.ID, bool) {
	if ctx == nil {
		return logcapture.ID{}, false
	}
	sc := trace.SpanContextFromContext(ctx)
	return logcapture.ID(sc.TraceID()), sc.IsValid()
}

// NewSlogHandler returns an slog.Handler that passes every record on to
// next, unchanged, and also captures records of level Info and above into
// the log of the session found in the record's context (the context given
// to InfoContext and friends); a record without one goes to every session
// open at that moment. Each session's log is uploaded when it ends, in the
// format AgentOps' log viewer reads. While no session is open it costs next
// almost nothing more. It is safe for concurrent use.
//
//	slog.SetDefault(slog.New(agentops.NewSlogHandler(slog.NewTextHandler(os.Stderr, nil))))
//	slog.InfoContext(ctx, "searching", "query", q) // ctx from StartSession or StartSpan
func NewSlogHandler(next slog.Handler) slog.Handler {
	return logcapture.NewHandler(next, capturedLogs, traceOf, slog.LevelInfo)
}

// LogWriter returns an io.Writer for the standard log package that passes
// everything on to next (nil: nowhere) and captures each line into every
// session open at the time, as log lines carry no context. It is safe for
// concurrent use.
//
//	log.SetOutput(agentops.LogWriter(os.Stderr))
func LogWriter(next io.Writer) io.Writer {
	return logcapture.NewWriter(next, capturedLogs, "INFO")
}

// stdio is the process-wide capture of stdout and stderr: the first Client
// that asks for it starts it and stops it at its Shutdown.
var stdio struct {
	sync.Mutex
	capture *logcapture.Stdio
	owner   *Client
}

func (c *Client) startStdioCapture() error {
	stdio.Lock()
	defer stdio.Unlock()
	if stdio.capture != nil {
		return nil // another Client captures for the whole process
	}
	s, err := logcapture.CaptureStdio(capturedLogs)
	if err != nil {
		return err
	}
	stdio.capture, stdio.owner = s, c
	return nil
}

// syncStdio makes sure what the program wrote so far has reached the
// session logs; a no-op without stdio capture.
func syncStdio(ctx context.Context) error {
	stdio.Lock()
	s := stdio.capture
	stdio.Unlock()
	if s == nil {
		return nil
	}
	return s.Sync(ctx)
}

func (c *Client) stopStdioCapture(ctx context.Context) error {
	stdio.Lock()
	defer stdio.Unlock()
	if stdio.owner != c {
		return nil
	}
	err := stdio.capture.Stop(ctx)
	stdio.capture, stdio.owner = nil, nil
	return err
}

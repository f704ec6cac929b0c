package agentops

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/agentops-go/agentops/internal/redact"
	"github.com/agentops-go/agentops/internal/semconv"
	"github.com/agentops-go/agentops/internal/sources"
	"github.com/agentops-go/agentops/upload"
)

// uploader is the session-end hook that sends a session's captured log and
// the program's source files through the v4 upload client. It runs on the
// processor's worker goroutine only.
type uploader struct {
	client  *upload.Client
	tracer  trace.Tracer
	secrets []string // exact values never to upload (the API key)
	sources *sourceUploads
}

// sessionEnded uploads what belongs to end; failures are returned for the
// error handler, and never stop the next session's uploads.
func (u *uploader) sessionEnded(ctx context.Context, end SessionEnd) error {
	var errs []error
	if end.logs != nil {
		if text := end.logs.Drain(); text != "" {
			if _, err := u.client.UploadLogs(ctx, end.TraceID, redact.String(text, u.secrets...)); err != nil {
				errs = append(errs, fmt.Errorf("agentops: the log of session %q (trace %s) was not uploaded: %w", end.Name, end.TraceID, err))
			}
		}
	}
	if u.sources != nil {
		errs = append(errs, u.sources.upload(ctx, u, end))
	}
	return errors.Join(errs...)
}

// sourceConcurrency is how many source files upload at once.
const sourceConcurrency = 4

// sourceUploads is the program's source bundle, read once, and which of its
// files have been uploaded, by content hash: each distinct file is sent once
// per process, at the first session end, and later sessions refer to it.
type sourceUploads struct {
	load func() (sources.Bundle, error)

	once    sync.Once
	bundle  sources.Bundle
	loadErr error

	// Only the worker goroutine touches what follows.
	sent     map[string]upload.Result // content hash -> where it went
	reported bool                     // loadErr was reported
}

func newSourceUploads(c config) *sourceUploads {
	secrets := []string{c.apiKey}
	load := func() (sources.Bundle, error) { return sources.FromFS(c.sourceFS, c.sourceLimits, secrets...) }
	if c.sourceFS == nil {
		hints := sourceHints()
		load = func() (sources.Bundle, error) { return sources.Discover(hints, c.sourceLimits, secrets...) }
	}
	return &sourceUploads{load: load, sent: map[string]upload.Result{}}
}

// sourceHints are where the program's source may be found: the files of the
// frames that called Init (absolute unless built with -trimpath) and the
// working directory. Taken at Init, the one moment the program's own code
// is on the stack.
func sourceHints() []string {
	var pcs [64]uintptr
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs[:])])
	var hints []string
	for {
		f, more := frames.Next()
		if f.File != "" {
			hints = append(hints, f.File)
		}
		if !more {
			break
		}
	}
	if wd, err := os.Getwd(); err == nil {
		hints = append(hints, wd)
	}
	return hints
}

func (s *sourceUploads) upload(ctx context.Context, u *uploader, end SessionEnd) error {
	s.once.Do(func() { s.bundle, s.loadErr = s.load() })
	if s.loadErr != nil {
		if s.reported {
			return nil
		}
		s.reported = true
		return fmt.Errorf("agentops: source files are not uploaded: %w (WithSourceCapture(false) turns this off)", s.loadErr)
	}

	var pending []sources.File
	for _, f := range s.bundle.Files {
		if _, ok := s.sent[f.Hash]; !ok {
			pending = append(pending, f)
		}
	}
	err := s.send(ctx, u.client, end.TraceID, pending)
	u.recordManifest(ctx, end, s.bundle, s.sent)
	if err != nil {
		return fmt.Errorf("agentops: source files of session %q (trace %s) were not all uploaded (the next session end retries): %w",
			end.Name, end.TraceID, err)
	}
	return nil
}

// send uploads files a few at a time and stops at the first failure: a
// backend that is down costs one bounded retry sequence, not one per file.
func (s *sourceUploads) send(ctx context.Context, client *upload.Client, traceID trace.TraceID, files []sources.File) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
		next     = make(chan sources.File)
	)
	for range min(sourceConcurrency, len(files)) {
		wg.Go(func() {
			for f := range next {
				res, err := client.UploadScript(ctx, traceID, f.Path, f.Content)
				mu.Lock()
				if err == nil {
					s.sent[f.Hash] = res
				} else if firstErr == nil {
					firstErr = fmt.Errorf("%s: %w", f.Path, err)
					cancel()
				}
				mu.Unlock()
			}
		})
	}
feed:
	for _, f := range files {
		select {
		case next <- f:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// recordManifest puts, in the session's trace, an agentops.sources span
// that lists the program's files and where each was stored, with the build
// identity: later sessions refer to files uploaded under an earlier trace,
// and servers without the scripts endpoint find the object URLs here.
func (u *uploader) recordManifest(ctx context.Context, end SessionEnd, b sources.Bundle, sent map[string]upload.Result) {
	paths := make([]string, len(b.Files))
	urls := make([]string, len(b.Files))
	hashes := make([]string, len(b.Files))
	via := ""
	for i, f := range b.Files {
		paths[i], hashes[i] = f.Path, f.Hash
		if r, ok := sent[f.Hash]; ok {
			urls[i], via = r.URL, r.Kind
		}
	}
	skipped := make([]string, len(b.Skipped))
	for i, sk := range b.Skipped {
		skipped[i] = sk.Path + ": " + sk.Reason
	}
	attrs := []attribute.KeyValue{
		attribute.StringSlice(semconv.SourcesFiles, paths),
		attribute.StringSlice(semconv.SourcesURLs, urls),
		attribute.StringSlice(semconv.SourcesHashes, hashes),
		attribute.String(semconv.SourcesEndpoint, via),
		attribute.String(semconv.SourcesOrigin, b.Origin),
		attribute.String(semconv.BuildModule, b.Build.ModulePath),
		attribute.String(semconv.BuildVersion, b.Build.Version),
		attribute.String(semconv.BuildGoVersion, b.Build.GoVersion),
		attribute.String(semconv.BuildRevision, b.Build.Revision),
		attribute.Bool(semconv.BuildModified, b.Build.Modified),
	}
	if len(skipped) > 0 {
		attrs = append(attrs, attribute.StringSlice(semconv.SourcesSkipped, skipped))
	}
	// The span sits at the end of the session, under its root, whenever the
	// uploads finished.
	ctx = trace.ContextWithSpanContext(ctx, end.root)
	at := trace.WithTimestamp(end.End)
	_, span := u.tracer.Start(ctx, semconv.SourcesSpanName, at, trace.WithAttributes(attrs...))
	span.End(trace.WithTimestamp(end.End.Add(time.Nanosecond)))
}

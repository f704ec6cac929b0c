package logcapture

import (
	"context"
	"io"
	"log/slog"
	"testing"
)

// BenchmarkHandler compares a logging call through the capture Handler
// with the same call on the handler it wraps, in one run.
func BenchmarkHandler(b *testing.B) {
	session := testID(1)

	b.Run("next-only", func(b *testing.B) {
		l := slog.New(slog.NewTextHandler(io.Discard, nil))
		ctx := sessionCtx(context.Background(), session)
		b.ReportAllocs()
		for b.Loop() {
			l.InfoContext(ctx, "msg", "k", 1, "user", "ada")
		}
	})

	b.Run("capture-no-session", func(b *testing.B) {
		reg := NewRegistry()
		l := slog.New(NewHandler(slog.NewTextHandler(io.Discard, nil), reg, traceOf, slog.LevelInfo))
		ctx := sessionCtx(context.Background(), session)
		b.ReportAllocs()
		for b.Loop() {
			l.InfoContext(ctx, "msg", "k", 1, "user", "ada")
		}
	})

	b.Run("capture-in-session", func(b *testing.B) {
		reg := NewRegistry()
		reg.Open(session, NewBuffer(DefaultLimits()))
		l := slog.New(NewHandler(slog.NewTextHandler(io.Discard, nil), reg, traceOf, slog.LevelInfo))
		ctx := sessionCtx(context.Background(), session)
		b.ReportAllocs()
		for b.Loop() {
			l.InfoContext(ctx, "msg", "k", 1, "user", "ada")
		}
	})

	// Many goroutines logging into many sessions at once: what the
	// registry and the buffers cost under contention.
	b.Run("capture-in-session-parallel", func(b *testing.B) {
		reg := NewRegistry()
		for i := range 64 {
			reg.Open(testID(byte(i)), NewBuffer(DefaultLimits()))
		}
		l := slog.New(NewHandler(slog.NewTextHandler(io.Discard, nil), reg, traceOf, slog.LevelInfo))
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			ctx := sessionCtx(context.Background(), testID(byte(fastrandSession())))
			for pb.Next() {
				l.InfoContext(ctx, "msg", "k", 1, "user", "ada")
			}
		})
	})
}

// BenchmarkWriter is the standard log package's path: a whole line per
// Write, with and without an open session.
func BenchmarkWriter(b *testing.B) {
	line := []byte("2026/11/21 10:15:21 agent: step done k=1 user=ada\n")
	b.Run("next-only", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = io.Discard.Write(line)
		}
	})
	b.Run("capture-no-session", func(b *testing.B) {
		w := NewWriter(io.Discard, NewRegistry(), "INFO")
		b.ReportAllocs()
		for b.Loop() {
			_, _ = w.Write(line)
		}
	})
	b.Run("capture-in-session", func(b *testing.B) {
		reg := NewRegistry()
		reg.Open(testID(1), NewBuffer(DefaultLimits()))
		w := NewWriter(io.Discard, reg, "INFO")
		b.ReportAllocs()
		for b.Loop() {
			_, _ = w.Write(line)
		}
	})
}

var sessionSeq = make(chan int, 1)

func init() { sessionSeq <- 0 }

// fastrandSession hands each parallel worker its own session.
func fastrandSession() int {
	n := <-sessionSeq
	sessionSeq <- n + 1
	return n % 64
}

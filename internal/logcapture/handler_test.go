package logcapture

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var prefixRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} - ([A-Z]+) - `)

// stripPrefixes checks every line's prefix and returns "LEVEL rest" lines.
func stripPrefixes(t *testing.T, text string) []string {
	t.Helper()
	if text == "" {
		return nil
	}
	var out []string
	for _, line := range strings.Split(text, "\n") {
		m := prefixRE.FindStringSubmatch(line)
		require.NotNil(t, m, "line without prefix: %q", line)
		out = append(out, m[1]+" "+line[len(m[0]):])
	}
	return out
}

// noTime drops the time from the text handler's output so runs compare.
func noTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

type secret string

func (s secret) LogValue() slog.Value { return slog.StringValue("REDACTED") }

type user struct{ Name, Email string }

func (u user) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", u.Name), slog.Int("age", 36))
}

type nilErr struct{ msg string }

func (e *nilErr) Error() string { return e.msg }

// logAll exercises attrs, groups, WithAttrs, WithGroup and odd values.
func logAll(ctx context.Context, l *slog.Logger) {
	l.InfoContext(ctx, "plain")
	l.InfoContext(ctx, "hello world", "k", 1, "user", "ada", "empty", "", "q", `say "hi"`, "eq", "a=b")
	l2 := l.With("a", 1, slog.Group("svc", "name", "agent")).WithGroup("req").With("id", 7)
	l2.WarnContext(ctx, "with attrs", "path", "/x y",
		slog.Group("g", "x", 1, "y", true),
		slog.Group("nothing"),
		"err", errors.New("boom bang"),
		"pw", secret("hunter2"),
		"who", user{"Ada", "ada@example.com"},
		"t", time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
		"d", 1500*time.Millisecond,
		"f", 0.25,
		"u", uint64(9),
		"bytes", []byte("hi there"),
		"nilerr", (*nilErr)(nil),
		slog.Group("", "inlined", "yes"),
	)
	l.WithGroup("empty-group").ErrorContext(ctx, "no attrs in group")
	l.WithGroup("").With().ErrorContext(ctx, "noop With/WithGroup")
	l.Log(ctx, slog.LevelError+4, "critical")
}

func TestHandlerNextSeesExactlyWhatItWouldAlone(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelDebug, slog.LevelWarn} {
		for _, session := range []bool{false, true} {
			t.Run(fmt.Sprintf("next-%s-session-%v", level, session), func(t *testing.T) {
				opts := &slog.HandlerOptions{Level: level, ReplaceAttr: noTime}
				var alone, wrapped bytes.Buffer
				logAll(t.Context(), slog.New(slog.NewTextHandler(&alone, opts)))

				reg := NewRegistry()
				buf := NewBuffer(Limits{})
				if session {
					reg.Open(testID(1), buf)
				}
				h := NewHandler(slog.NewTextHandler(&wrapped, opts), reg, traceOf, slog.LevelDebug)
				logAll(sessionCtx(t.Context(), testID(1)), slog.New(h))

				assert.Equal(t, alone.String(), wrapped.String())
				if session {
					assert.Equal(t, 6, buf.Len())
				}
			})
		}
	}
}

func TestHandlerCapturedText(t *testing.T) {
	reg := NewRegistry()
	buf := NewBuffer(Limits{})
	reg.Open(testID(1), buf)
	logAll(sessionCtx(t.Context(), testID(1)), slog.New(NewHandler(nil, reg, traceOf, slog.LevelDebug)))

	assert.Equal(t, []string{
		`INFO plain`,
		`INFO hello world k=1 user=ada empty="" q="say \"hi\"" eq="a=b"`,
		`WARNING with attrs a=1 svc.name=agent req.id=7 req.path="/x y" req.g.x=1 req.g.y=true ` +
			`req.err="boom bang" req.pw=REDACTED req.who.name=Ada req.who.age=36 ` +
			`req.t=2026-01-02T03:04:05.000000006Z req.d=1.5s req.f=0.25 req.u=9 req.bytes="hi there" ` +
			`req.nilerr=<nil> req.inlined=yes`,
		`ERROR no attrs in group`,
		`ERROR noop With/WithGroup`,
		`CRITICAL critical`,
	}, stripPrefixes(t, buf.Drain()))
}

func TestHandlerRecordTime(t *testing.T) {
	reg := NewRegistry()
	buf := NewBuffer(Limits{})
	reg.Open(testID(1), buf)
	h := NewHandler(nil, reg, nil, slog.LevelInfo)

	tm := time.Date(2026, 11, 21, 11, 15, 21, 462_000_000, time.FixedZone("CET", 3600))
	require.NoError(t, h.Handle(t.Context(), slog.NewRecord(tm, slog.LevelInfo, "fixed", 0)))
	assert.Equal(t, "2026-11-21 10:15:21,462 - INFO - fixed", buf.Drain())

	before := time.Now().UTC().Truncate(time.Millisecond)
	require.NoError(t, h.Handle(t.Context(), slog.NewRecord(time.Time{}, slog.LevelInfo, "zero time", 0)))
	line := buf.Drain()
	got, err := time.Parse("2006-01-02 15:04:05,000", line[:23])
	require.NoError(t, err)
	assert.False(t, got.Before(before), "a zero record time is replaced by now")
}

func TestHandlerEnabled(t *testing.T) {
	var next bytes.Buffer
	reg := NewRegistry()
	h := NewHandler(slog.NewTextHandler(&next, &slog.HandlerOptions{Level: slog.LevelWarn}), reg, traceOf, slog.LevelInfo)
	l := slog.New(h)
	ctx := sessionCtx(t.Context(), testID(1))

	assert.False(t, h.Enabled(ctx, slog.LevelInfo), "no session: only next decides")
	assert.True(t, h.Enabled(ctx, slog.LevelWarn))
	l.InfoContext(ctx, "lost")
	assert.Empty(t, next.String())

	buf := NewBuffer(Limits{})
	reg.Open(testID(1), buf)
	assert.True(t, h.Enabled(ctx, slog.LevelInfo))
	assert.False(t, h.Enabled(ctx, slog.LevelDebug))

	l.DebugContext(ctx, "below both")
	l.InfoContext(ctx, "captured only")
	l.WarnContext(ctx, "both")
	assert.NotContains(t, next.String(), "captured only", "next never sees records below its level")
	assert.Contains(t, next.String(), "msg=both")
	assert.Equal(t, []string{"INFO captured only", "WARNING both"}, stripPrefixes(t, buf.Drain()))
}

type failingHandler struct{ slog.Handler }

func (failingHandler) Handle(context.Context, slog.Record) error { return errors.New("disk full") }

func TestHandlerReturnsNextError(t *testing.T) {
	reg := NewRegistry()
	buf := NewBuffer(Limits{})
	reg.Open(testID(1), buf)
	h := NewHandler(failingHandler{slog.DiscardHandler}, reg, traceOf, slog.LevelInfo)
	// DiscardHandler is never enabled, so Handle is not called on it.
	require.NoError(t, h.Handle(t.Context(), slog.NewRecord(time.Now(), slog.LevelInfo, "m", 0)))

	h = NewHandler(failingHandler{slog.NewTextHandler(&bytes.Buffer{}, nil)}, reg, traceOf, slog.LevelInfo)
	assert.EqualError(t, h.Handle(t.Context(), slog.NewRecord(time.Now(), slog.LevelInfo, "m", 0)), "disk full")
	assert.Equal(t, 2, buf.Len(), "captured either way")
}

func TestHandlerCutsHugeRecords(t *testing.T) {
	reg := NewRegistry()
	buf := NewBuffer(Limits{MaxLineBytes: 1 << 20})
	reg.Open(testID(1), buf)
	slog.New(NewHandler(nil, reg, traceOf, slog.LevelInfo)).Info(strings.Repeat("m", 100_000))
	line := buf.Drain()
	assert.LessOrEqual(t, len(line), 16<<10)
	assert.Greater(t, len(line), 16<<10-8, "the marker's width is estimated from the full length")
	assert.Regexp(t, `m \.\.\.\[truncated \d+ bytes\]$`, line[len(line)-40:])
}

func TestHandlerConcurrentSessionsStaySeparate(t *testing.T) {
	reg := NewRegistry()
	bufs := map[ID]*Buffer{testID(1): NewBuffer(Limits{}), testID(2): NewBuffer(Limits{})}
	for id, b := range bufs {
		reg.Open(id, b)
	}
	var out bytes.Buffer
	var outMu sync.Mutex
	next := slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		outMu.Lock()
		defer outMu.Unlock()
		return out.Write(p)
	}), nil)
	l := slog.New(NewHandler(next, reg, traceOf, slog.LevelInfo)).With("component", "agent")

	const goroutines, perG = 16, 200
	var wg sync.WaitGroup
	for g := range goroutines {
		id := testID(byte(1 + g%2))
		wg.Go(func() {
			ctx := sessionCtx(context.Background(), id)
			for i := range perG {
				l.InfoContext(ctx, "step", "session", id[15], "g", g, "i", i)
			}
		})
	}
	l.Info("no session: everyone")
	wg.Wait()

	for id, b := range bufs {
		lines := stripPrefixes(t, b.Drain())
		assert.Len(t, lines, goroutines/2*perG+1)
		want := fmt.Sprintf("session=%d ", id[15])
		shared := 0
		for _, line := range lines {
			if strings.Contains(line, "everyone") {
				shared++
				continue
			}
			require.Contains(t, line, want)
		}
		assert.Equal(t, 1, shared)
	}
	assert.Equal(t, goroutines*perG+1, strings.Count(out.String(), "\n"))
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func ExampleHandler() {
	reg := NewRegistry()
	sessionID := ID{15: 1}
	buf := NewBuffer(DefaultLimits())
	reg.Open(sessionID, buf)

	traceOf := func(ctx context.Context) (ID, bool) {
		id, ok := ctx.Value(sessionKey{}).(ID)
		return id, ok
	}
	h := NewHandler(slog.DiscardHandler, reg, traceOf, slog.LevelInfo)
	ctx := context.WithValue(context.Background(), sessionKey{}, sessionID)

	r := slog.NewRecord(time.Date(2026, 11, 21, 10, 15, 21, 462e6, time.UTC), slog.LevelWarn, "tool failed", 0)
	r.AddAttrs(slog.String("tool", "web search"), slog.Int("attempt", 2))
	_ = h.WithGroup("agent").Handle(ctx, r)

	fmt.Println(reg.Close(sessionID).Drain())
	// Output: 2026-11-21 10:15:21,462 - WARNING - tool failed agent.tool="web search" agent.attempt=2
}

type sessionKey struct{}

package ui_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops"
	"github.com/agentops-go/agentops/server/model"
)

// The browser tests drive the dashboard in a real headless Chromium
// against a real server seeded through the SDK.
//
//	AGENTOPS_CHROMIUM          the browser (default /usr/bin/chromium, else chromium on PATH)
//	AGENTOPS_REQUIRE_BROWSER=1 fail, not skip, when there is none (CI)
//	AGENTOPS_SCREENSHOT_DIR    where each test writes its full-page PNG (default: $TMPDIR/agentops-ui-screenshots)

const (
	viewportW, viewportH = 1280, 800
	// tabTimeout bounds each test's time in its tab, and waitTimeout each
	// wait in it (shorter, so a failure still gets its screenshot): a hung
	// browser fails a test in seconds.
	tabTimeout  = 25 * time.Second
	waitTimeout = 8 * time.Second
)

func chromiumPath(t *testing.T) string {
	path := os.Getenv("AGENTOPS_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
		if _, err := os.Stat(path); err != nil {
			if p, err := exec.LookPath("chromium"); err == nil {
				path = p
			}
		}
	}
	if _, err := os.Stat(path); err != nil {
		msg := fmt.Sprintf("no Chromium at %s (set AGENTOPS_CHROMIUM, or install it: apt-get install chromium): %v", path, err)
		if os.Getenv("AGENTOPS_REQUIRE_BROWSER") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg + "; the browser tests are skipped (AGENTOPS_REQUIRE_BROWSER=1 makes this a failure)")
	}
	return path
}

// browser is one headless Chromium shared by the tests of a run; each
// test gets a tab of its own.
type browser struct {
	ctx   context.Context
	shots string
}

var (
	shotDirOnce sync.Once
	shotDir     string
	shotDirErr  error
)

// screenshotDir is AGENTOPS_SCREENSHOT_DIR, else agentops-ui-screenshots
// in the temp dir: kept after the run so the PNGs can be looked at, and
// overwritten by the next run rather than piling up.
func screenshotDir() (string, error) {
	shotDirOnce.Do(func() {
		if shotDir = os.Getenv("AGENTOPS_SCREENSHOT_DIR"); shotDir == "" {
			shotDir = filepath.Join(os.TempDir(), "agentops-ui-screenshots")
		}
		shotDirErr = os.MkdirAll(shotDir, 0o755)
	})
	return shotDir, shotDirErr
}

func newBrowser(t *testing.T) *browser {
	path := chromiumPath(t)
	shots, err := screenshotDir()
	require.NoError(t, err)
	// Not t.TempDir: Chromium's helper processes can write to the profile
	// for a moment after the browser exits, and TempDir's cleanup fails on
	// a directory that is not empty. Removed with retries instead.
	profile, err := os.MkdirTemp("", "agentops-ui-chromium-")
	require.NoError(t, err)
	t.Cleanup(func() {
		for range 50 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(viewportW, viewportH),
		chromedp.Env("TZ=UTC"),
	)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// The browser lives as long as ctx, so it is started without a
	// deadline of its own; the wait for it is bounded here instead.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		require.NoError(t, err, "starting Chromium at %s", path)
	case <-time.After(30 * time.Second):
		t.Fatalf("Chromium at %s did not start within 30 s", path)
	}
	return &browser{ctx: ctx, shots: shots}
}

// tab is a page for one test, closed when the test ends. Uncaught
// exceptions and Content-Security-Policy violations in it fail the test.
type tab struct {
	t   *testing.T
	b   *browser
	ctx context.Context

	mu       sync.Mutex
	problems []string
}

func (b *browser) tab(t *testing.T) *tab {
	ctx, cancelTimeout := context.WithTimeout(b.ctx, tabTimeout)
	ctx, cancelTab := chromedp.NewContext(ctx)
	tb := &tab{t: t, b: b, ctx: ctx}
	messages := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() || strings.Contains(m.Text, "Content Security Policy") {
				tb.mu.Lock()
				tb.problems = append(tb.problems, m.String())
				tb.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		tb.mu.Lock()
		for _, p := range tb.problems {
			t.Errorf("browser console: %s", p)
		}
		tb.mu.Unlock()
		cancelTab()
		cancelTimeout()
		<-done
	})
	tb.do(chromedp.EmulateViewport(viewportW, viewportH))
	return tb
}

func (tb *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, actions...); err != nil {
		tb.fail("%v", err)
	}
}

// fail stops the test, with a screenshot of how the page looked.
func (tb *tab) fail(format string, args ...any) {
	tb.t.Helper()
	msg := fmt.Sprintf(format, args...)
	name := "FAILED-" + strings.NewReplacer("/", "-", " ", "-").Replace(tb.t.Name())
	if buf, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100)); err == nil {
		p := filepath.Join(tb.b.shots, name+".png")
		if os.WriteFile(p, buf, 0o644) == nil {
			msg += "\nscreenshot: " + p
		}
	}
	if text, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`document.body.innerText.slice(0, 1500)`)); err == nil {
		msg += "\npage text:\n" + text
	}
	tb.t.Fatal(msg)
}

func (tb *tab) open(url string) {
	tb.t.Helper()
	tb.do(chromedp.Navigate(url))
}

// eval returns the value of a JavaScript expression.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.fail("evaluating %s: %v", expr, err)
	}
	return v
}

// wait polls a JavaScript condition until it holds. (chromedp.Poll builds
// its predicate with new Function, which the dashboard's CSP forbids, as
// it should.)
func (tb *tab) wait(what, cond string) {
	tb.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		ok, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](`Boolean(`+cond+`)`))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) || tb.ctx.Err() != nil {
			tb.fail("timed out waiting for %s (%s)", what, cond)
		}
		time.Sleep(40 * time.Millisecond)
	}
}

// count is the number of elements a CSS selector matches.
func (tb *tab) count(sel string) int {
	tb.t.Helper()
	return eval[int](tb, fmt.Sprintf(`document.querySelectorAll(%q).length`, sel))
}

// texts are the text contents of the elements a selector matches.
func (tb *tab) texts(sel string) []string {
	tb.t.Helper()
	return eval[[]string](tb, fmt.Sprintf(`[...document.querySelectorAll(%q)].map((e) => e.textContent)`, sel))
}

// click clicks the first element matching sel whose text contains text.
func (tb *tab) click(sel, text string) {
	tb.t.Helper()
	js := fmt.Sprintf(`(() => { const e = [...document.querySelectorAll(%q)].find((e) => e.textContent.includes(%q)); if (e) e.click(); return Boolean(e); })()`, sel, text)
	if !eval[bool](tb, js) {
		tb.fail("nothing to click: %s containing %q", sel, text)
	}
}

func (tb *tab) location() string {
	tb.t.Helper()
	return eval[string](tb, `location.pathname + location.search`)
}

// screenshot writes the full page, from its top, as name.png.
func (tb *tab) screenshot(name string) {
	tb.t.Helper()
	tb.do(chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0); document.fonts.ready`, chromedp.EvalAwaitPromise))
	buf, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.fail("screenshot: %v", err)
	}
	p := filepath.Join(tb.b.shots, name+".png")
	require.NoError(tb.t, os.WriteFile(p, buf, 0o644))
	tb.t.Logf("screenshot: %s", p)
}

// getSpans reads a session's spans from the API.
func getSpans(base, traceID string) ([]model.Span, error) {
	resp, err := http.Get(base + "/api/sessions/" + traceID + "/spans?flat=1")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET spans: %s", resp.Status)
	}
	var spans []model.Span
	return spans, json.NewDecoder(resp.Body).Decode(&spans)
}

func flatSpans(t *testing.T, base, traceID string) []model.Span {
	t.Helper()
	spans, err := getSpans(base, traceID)
	require.NoError(t, err)
	return spans
}

// badRoot is the root span id of the trace postBadTrace sends.
const badRoot = "00000000000000aa"

// postBadTrace sends, as OTLP/JSON, a trace no SDK would: a 5,000-character
// attribute, map and array attributes, an exception whose stack trace is a
// number, spans nested deep levels deep, an orphan, and a span that
// ends before it starts. It returns the trace id.
func postBadTrace(t *testing.T, base string, deep int) string {
	t.Helper()
	const traceID = "0123456789abcdef0123456789abcdef"
	t0 := time.Now().Add(-time.Minute).UnixNano()
	at := func(ms int) string { return fmt.Sprint(t0 + int64(ms)*int64(time.Millisecond)) }
	str := func(s string) map[string]any { return map[string]any{"stringValue": s} }
	attr := func(k string, v any) map[string]any { return map[string]any{"key": k, "value": v} }
	span := func(id, parent, name string, start, end int, attrs ...map[string]any) map[string]any {
		return map[string]any{"traceId": traceID, "spanId": id, "parentSpanId": parent, "name": name,
			"startTimeUnixNano": at(start), "endTimeUnixNano": at(end), "attributes": attrs}
	}
	root := span(badRoot, "", "bad-data", 0, 2*deep+50,
		attr("long.value", str(strings.Repeat("y", 5000))),
		attr("a.map", map[string]any{"kvlistValue": map[string]any{"values": []any{
			attr("deeper", map[string]any{"arrayValue": map[string]any{"values": []any{map[string]any{"intValue": "1"}, str("two")}}})}}}),
		attr("a.list", map[string]any{"arrayValue": map[string]any{"values": []any{map[string]any{"boolValue": true}}}}))
	root["events"] = []any{map[string]any{"name": "exception", "timeUnixNano": at(1),
		"attributes": []any{attr("exception.stacktrace", map[string]any{"intValue": "42"})}}}
	spans := []any{root}
	parent := badRoot
	for i := range deep {
		id := fmt.Sprintf("%016x", 0x100+i)
		spans = append(spans, span(id, parent, fmt.Sprintf("level-%d", i+1), i, 2*deep-i))
		parent = id
	}
	spans = append(spans,
		span("00000000000000bb", "ffffffffffffffff", "orphan", 10, 20),
		span("00000000000000cc", badRoot, "backwards", 30, 25))
	body, err := json.Marshal(map[string]any{"resourceSpans": []any{map[string]any{
		"resource":   map[string]any{"attributes": []any{attr("service.name", str("bad-data"))}},
		"scopeSpans": []any{map[string]any{"spans": spans}},
	}}})
	require.NoError(t, err)
	resp, err := http.Post(base+"/v1/traces", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return traceID
}

// spansOf picks the spans of one class, in start order.
func spansOf(spans []model.Span, class string) []model.Span {
	var out []model.Span
	for _, s := range spans {
		if s.Derived.Class == class {
			out = append(out, s)
		}
	}
	return out
}

func TestBrowser(t *testing.T) {
	b := newBrowser(t)
	base := newServer(t)
	c := newClient(t, base)
	tripID := seedTripPlanner(c)
	seedOthers(c)
	shutdown(t, c)

	spans := flatSpans(t, base, tripID)
	llms := spansOf(spans, "llm")
	require.Len(t, llms, 3)
	var forecastTool, notifyTool model.Span
	for _, s := range spansOf(spans, "tool") {
		switch s.Derived.Tool {
		case "get_forecast":
			forecastTool = s
		case "send_notification":
			notifyTool = s
		}
	}
	require.Equal(t, "error", notifyTool.StatusCode)
	session := base + "/sessions?trace_id=" + tripID
	seeded := []string{"trip-planner", "support-triage", "inbox-summary", "code-review"}

	t.Run("SessionsList", func(t *testing.T) {
		tb := b.tab(t)
		tb.open(base + "/")
		tb.wait("a row per seeded session", `document.querySelectorAll('tr.session-row').length === 4`)
		assert.ElementsMatch(t, seeded, tb.texts(".session-link"))
		tb.wait("the stats strip", `document.querySelector('.stats-strip .stat-value')?.textContent === '4'`)
		row := func(name string) string {
			return fmt.Sprintf(`[...document.querySelectorAll('tr.session-row')].find((r) => r.querySelector('.session-link').textContent === %q)`, name)
		}
		assert.Equal(t, "error", eval[string](tb, row("inbox-summary")+`.querySelector('.status').textContent`))
		assert.Equal(t, "success", eval[string](tb, row("trip-planner")+`.querySelector('.status').textContent`))
		assert.Equal(t, "demoweather", eval[string](tb, row("trip-planner")+`.querySelector('.tags').textContent`))
		assert.Contains(t, eval[string](tb, row("trip-planner")+`.textContent`), "gpt-4o-mini")
		tb.screenshot("sessions-list")

		// A filter narrows the list and lands in the URL.
		tb.do(chromedp.SetValue(chromedp.CSS(`select[name="status"]`), "error"),
			chromedp.Evaluate[chromedp.Void](`document.querySelector('select[name="status"]').dispatchEvent(new Event('input', {bubbles: true}))`))
		tb.wait("the error sessions only", `document.querySelectorAll('tr.session-row').length === 1`)
		assert.Equal(t, []string{"inbox-summary"}, tb.texts(".session-link"))
		assert.Equal(t, "/?status=error", tb.location())

		// Back to all sessions, then a click on a row opens the session.
		tb.do(chromedp.NavigateBack())
		tb.wait("all sessions again", `document.querySelectorAll('tr.session-row').length === 4`)
		tb.do(chromedp.Evaluate[chromedp.Void](row("trip-planner") + `.querySelector('.started').click()`))
		tb.wait("the session page", `document.querySelector('.session-name')?.textContent === 'trip-planner'`)
		assert.Equal(t, "/sessions?trace_id="+tripID, tb.location())
	})

	t.Run("Waterfall", func(t *testing.T) {
		tb := b.tab(t)
		tb.open(session)
		tb.wait("the waterfall", `document.querySelector('.waterfall')`)
		assert.Equal(t, len(spans), tb.count(".wf-bar"), "one bar per span")
		assert.Equal(t, len(spans), tb.count(".wf-row"))
		assert.Equal(t, 1, tb.count(".wf-row-error .wf-bar.wf-bar-error"), "the failed tool is red")
		assert.Equal(t, notifyTool.SpanID, eval[string](tb, `document.querySelector('.wf-row-error').dataset.spanId`))
		assert.Equal(t, len(llms), tb.count(".wf-bar.c-llm"))
		assert.GreaterOrEqual(t, tb.count(".wf-tick"), 3, "a time axis")

		// The root's twisty folds everything under it, and opens it again.
		tb.do(chromedp.Click(chromedp.CSS(".wf-row .twisty")))
		tb.wait("the tree folded", `document.querySelectorAll('.wf-row:not([hidden])').length === 1`)
		tb.do(chromedp.Click(chromedp.CSS(".wf-row .twisty")))
		tb.wait("the tree open", fmt.Sprintf(`document.querySelectorAll('.wf-row:not([hidden])').length === %d`, len(spans)))
		tb.screenshot("session-waterfall")

		// The export link is the API's OTLP JSON, a plain link on an open
		// server.
		export := eval[string](tb, `document.querySelector('.session-head a[download]').href`)
		resp, err := http.Get(export)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Contains(t, resp.Header.Get("Content-Disposition"), tripID+".otlp.json")
	})

	t.Run("ChatView", func(t *testing.T) {
		tb := b.tab(t)
		tb.open(session)
		call := llms[1] // the prompt, the first tool call and its result; asks for the second
		tb.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`.wf-row[data-span-id=%q] .wf-name`, call.SpanID))))
		tb.wait("the chat view", `document.querySelector('.span-panel .chat')`)
		assert.Contains(t, tb.location(), "span="+call.SpanID)
		assert.Equal(t, []string{systemPrompt}, tb.texts(".msg-system .msg-text"))
		assert.Equal(t, []string{userPrompt}, tb.texts(".msg-user .msg-text"))
		assert.Equal(t, []string{"get_forecast", "send_notification"}, tb.texts(".tool-call-name"))
		args := tb.texts(".tool-call .json")
		require.Len(t, args, 2)
		assert.Contains(t, args[0], `"city": "Lisbon"`, "arguments pretty-printed")
		assert.Contains(t, args[1], `"text": "Rain likely in Lisbon`)
		assert.Contains(t, tb.texts(".msg-tool .json")[0], `"rain_mm": 4.2`)
		panel := eval[string](tb, `document.querySelector('.span-panel').textContent`)
		for _, want := range []string{"gpt-4o-mini-2024-07-18", "openai", "498", "384", "Time to first token"} {
			assert.Contains(t, panel, want)
		}
		assert.Equal(t, 1, tb.count(`.wf-row.selected`))
		tb.screenshot("session-llm")

		// Back closes the panel, forward opens it again.
		tb.do(chromedp.NavigateBack())
		tb.wait("no panel", `!document.querySelector('.span-panel')`)
		tb.do(chromedp.NavigateForward())
		tb.wait("the panel again", `document.querySelector('.span-panel .chat')`)
	})

	t.Run("SourceLink", func(t *testing.T) {
		tb := b.tab(t)
		tb.open(session + "&span=" + notifyTool.SpanID)
		tb.wait("the failed tool's panel", `document.querySelector('.span-panel .event-exception')`)
		assert.Contains(t, eval[string](tb, `document.querySelector('.span-panel').textContent`), notifyArgs)
		tb.screenshot("session-error")
		link := fmt.Sprintf("tools/notify.go:%d", panicLine)
		tb.click(".span-panel a.source-link", link)
		tb.wait("the linked line", `document.querySelector('.code-line.hl')`)
		assert.Equal(t, fmt.Sprintf("/sessions?trace_id=%s&tab=files&file=tools%%2Fnotify.go&line=%d", tripID, panicLine), tb.location())
		assert.Equal(t, fmt.Sprint(panicLine), eval[string](tb, `document.querySelector('.code-line.hl .ln').textContent`))
		assert.Contains(t, eval[string](tb, `document.querySelector('.code-line.hl .lc').textContent`), "n.URL, strings.NewReader")
		assert.Equal(t, []string{"notify.go"}, tb.texts(".tree-file.active"))
		for _, tok := range []string{".tok-kw", ".tok-str", ".tok-com", ".tok-type", ".tok-fn"} {
			assert.Positive(t, tb.count(".code "+tok), "syntax tokens %s", tok)
		}
		assert.Contains(t, tb.texts(".code .tok-kw"), "func")
		tb.screenshot("session-files")

		// The URL alone opens a file at a line.
		line := lineOf(forecastGo, "RainProbability: 0.7")
		tb.open(fmt.Sprintf("%s&tab=files&file=tools/forecast.go&line=%d", session, line))
		tb.wait("the linked line", `document.querySelector('.code-line.hl')`)
		assert.Equal(t, fmt.Sprint(line), eval[string](tb, `document.querySelector('.code-line.hl .ln').textContent`))
		assert.Equal(t, []string{"forecast.go"}, tb.texts(".tree-file.active"))
		assert.Positive(t, tb.count(".code-line.hl .tok-num"))
	})

	t.Run("Logs", func(t *testing.T) {
		tb := b.tab(t)
		tb.open(session + "&tab=logs")
		tb.wait("the log", `document.querySelectorAll('.log-line').length >= 6`)
		assert.Equal(t, 1, tb.count(".log-line.lv-error"))
		assert.Positive(t, tb.count(".log-line a.source-link"), "file:line in a log line is a link")
		tb.screenshot("session-logs")

		tb.do(chromedp.SendKeys(chromedp.CSS("input.search"), "forecast"))
		tb.wait("the filtered log", `document.querySelectorAll('.log-line').length === 1`)
		assert.Equal(t, []string{"forecast"}, tb.texts(".log-line mark"))
		tb.do(chromedp.Click(chromedp.CSS(".log-line a.jump")))
		tb.wait("the moment on the waterfall", `document.querySelector('.wf-marker') && document.querySelector('.wf-row.selected')`)
		assert.Contains(t, tb.location(), "tab=spans")
		assert.Contains(t, tb.location(), "at=")
		assert.Equal(t, forecastTool.SpanID, eval[string](tb, `document.querySelector('.wf-row.selected').dataset.spanId`),
			"the span running when the line was written")
	})

	t.Run("Analysis", func(t *testing.T) {
		tb := b.tab(t)
		tb.open(session + "&tab=analysis")
		tb.wait("the analysis", `document.querySelectorAll('.analysis .card').length >= 8`)
		text := eval[string](tb, `document.querySelector('.analysis').textContent`)
		for _, want := range []string{"Recommendations", "Critical path", "gpt-4o-mini", "send_notification"} {
			assert.Contains(t, text, want)
		}
		tb.screenshot("session-analysis")
		tb.click(".card a.span-ref", "send_notification")
		tb.wait("the span on the waterfall", `document.querySelector('.wf-row.selected')`)
		assert.Equal(t, notifyTool.SpanID, eval[string](tb, `document.querySelector('.wf-row.selected').dataset.spanId`))
	})

	t.Run("LiveSession", func(t *testing.T) {
		tb := b.tab(t)
		tb.open(base + "/")
		tb.wait("the list", `document.querySelectorAll('tr.session-row').length >= 4`)
		tb.wait("the live stream", `document.getElementById('live').dataset.state === 'live'`)
		tb.do(chromedp.Evaluate[chromedp.Void](`window.sameDocument = true`))
		live := newClient(t, base)
		_, sess := live.StartSession(context.Background(), "arrived-live", agentops.WithTags("live"))
		sess.End(agentops.Success)
		shutdown(t, live)
		tb.wait("the new session's row", `[...document.querySelectorAll('.session-link')].some((a) => a.textContent === 'arrived-live')`)
		assert.True(t, eval[bool](tb, `window.sameDocument === true`), "no reload")
		assert.Equal(t, "arrived-live", tb.texts("tr.session-row .session-link")[0], "newest first")
		tb.screenshot("live-session")

		// A session page follows its session: open while it runs, its
		// header changes when it ends, and offers the spans that came since.
		running := newClient(t, base, agentops.WithBatchTimeout(20*time.Millisecond))
		ctx, sess := running.StartSession(context.Background(), "still-running")
		_ = agentops.Do(ctx, agentops.KindTask, "first-step", func(context.Context) error { return nil })
		require.Eventually(t, func() bool {
			spans, err := getSpans(base, sess.TraceID().String())
			return err == nil && len(spans) > 0
		},
			5*time.Second, 10*time.Millisecond, "the first span to arrive")
		tb.open(base + "/sessions?trace_id=" + sess.TraceID().String())
		tb.wait("the running session", `document.querySelector('.session-head .status')?.textContent === 'running'`)
		tb.do(chromedp.Evaluate[chromedp.Void](`window.sameDocument = true`))
		sess.End(agentops.Success)
		shutdown(t, running)
		tb.wait("the session ended", `document.querySelector('.session-head .status').textContent === 'success'`)
		tb.wait("the new spans offered", `document.querySelector('.session-head button')?.textContent.includes('new span')`)
		assert.True(t, eval[bool](tb, `window.sameDocument === true`), "no reload")
		tb.click(".session-head button", "new span")
		tb.wait("all spans", `document.querySelectorAll('.wf-bar').length >= 2`)
	})

	t.Run("TelemetryIsText", func(t *testing.T) {
		const name = `<img src=x onerror="window.pwned=1">`
		const prompt = `<script>window.pwned=2</script><b>bold?</b>`
		c := newClient(t, base)
		ctx, sess := c.StartSession(context.Background(), name, agentops.WithTags(`<script>window.pwned=3</script>`))
		llm(ctx, time.Millisecond, agentops.LLMRequest{Provider: "openai", Model: `<i>model</i>`,
			Messages: []agentops.Message{{Role: "user", Content: prompt}}},
			agentops.LLMResponse{Choices: []agentops.Choice{{Message: agentops.Message{Role: "assistant", Content: `<img src=x onerror=window.pwned=4>`,
				ToolCalls: []agentops.ToolCall{{Name: `<svg onload=window.pwned=5>`, Arguments: `{"html":"<iframe src=javascript:window.pwned=6>"}`}}}}}})
		sess.Fail(errors.New(`<img src=x onerror=window.pwned=7>`))
		traceID := sess.TraceID().String()
		shutdown(t, c)
		markup := `document.querySelectorAll('#main img, #main script, #main svg, #main iframe, #main b, #main i').length`

		tb := b.tab(t)
		tb.open(base + "/")
		tb.wait("the session's row", fmt.Sprintf(`[...document.querySelectorAll('.session-link')].some((a) => a.textContent === %q)`, name))
		assert.Zero(t, eval[int](tb, markup), "telemetry became elements")

		call := spansOf(flatSpans(t, base, traceID), "llm")[0]
		tb.open(fmt.Sprintf("%s/sessions?trace_id=%s&span=%s", base, traceID, call.SpanID))
		tb.wait("the chat view", `document.querySelector('.span-panel .chat')`)
		assert.Equal(t, name, eval[string](tb, `document.querySelector('.session-name').textContent`))
		assert.Equal(t, []string{prompt}, tb.texts(".msg-user .msg-text"))
		assert.Equal(t, []string{`<svg onload=window.pwned=5>`}, tb.texts(".tool-call-name"))
		assert.Zero(t, eval[int](tb, markup), "telemetry became elements")
		assert.True(t, eval[bool](tb, `window.pwned === undefined`), "telemetry ran as script")
		tb.screenshot("telemetry-as-text")
	})

	t.Run("BadData", func(t *testing.T) {
		const deep = 60
		traceID := postBadTrace(t, base, deep)
		tb := b.tab(t)
		tb.open(fmt.Sprintf("%s/sessions?trace_id=%s&span=%s", base, traceID, badRoot))
		tb.wait("the span panel", `document.querySelector('.span-panel')`)
		assert.Equal(t, deep+3, tb.count(".wf-bar"), "root, chain, orphan and backwards span")
		assert.Equal(t, fmt.Sprint(deep+1), eval[string](tb, `[...document.querySelectorAll('.wf-row')].map((r) => Number(r.getAttribute('aria-level'))).reduce((a, b) => Math.max(a, b)) + ''`))
		assert.Equal(t, []string{"show all (5,000 chars)"}, tb.texts(".span-panel .show-all"))
		tb.do(chromedp.Click(chromedp.CSS(".span-panel .show-all")))
		tb.wait("the whole value", `[...document.querySelectorAll('.attr-text')].some((e) => e.textContent === 'y'.repeat(5000))`)
		assert.Contains(t, strings.Join(tb.texts(".span-panel .json"), "\n"), `"deeper": [`+"\n", "a map attribute as JSON")
		assert.Contains(t, eval[string](tb, `document.querySelector('.span-panel').textContent`), "exception.stacktrace")
		assert.NotContains(t, eval[string](tb, `document.querySelector('.session-head').textContent`), "null")
		assert.True(t, eval[bool](tb, `[...document.querySelectorAll('.wf-name')].every((e) => e.getBoundingClientRect().width > 20)`),
			"every name has room, however deep")
		tb.screenshot("bad-data")
	})

	t.Run("Modules", func(t *testing.T) {
		script, err := os.ReadFile("testdata/modules.js")
		require.NoError(t, err)
		tb := b.tab(t)
		tb.open(base + "/")
		fails, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]string](string(script), chromedp.EvalAwaitPromise))
		require.NoError(t, err)
		assert.Empty(t, fails)
	})

	t.Run("EmptyAndErrors", func(t *testing.T) {
		empty := newServer(t)
		tb := b.tab(t)
		tb.open(empty + "/")
		tb.wait("the empty list", `document.querySelector('.notice-empty')?.textContent.includes('No sessions yet')`)
		tb.open(empty + "/sessions?trace_id=0123456789abcdef0123456789abcdef")
		tb.wait("not found", `document.querySelector('.notice-error')?.textContent.includes('the server answered 404')`)
		tb.open(empty + "/sessions?trace_id=not-a-trace")
		tb.wait("a bad id", `document.querySelector('.notice-error')?.textContent.includes('the server answered 400: bad trace id')`)
	})

	t.Run("SignIn", func(t *testing.T) {
		closed := newServer(t, apiKey)
		c := newClient(t, closed, agentops.WithAPIKey(apiKey))
		_, sess := c.StartSession(context.Background(), "behind-a-key")
		sess.End(agentops.Success)
		shutdown(t, c)

		tb := b.tab(t)
		tb.open(closed + "/")
		tb.wait("the sign-in form", `document.querySelector('form.signin')`)
		tb.screenshot("sign-in")
		tb.do(chromedp.SendKeys(chromedp.CSS(`input[name="api_key"]`), "123e4567-e89b-12d3-a456-426614174000"),
			chromedp.Click(chromedp.CSS(`form.signin button[type="submit"]`)))
		tb.wait("the refusal", `document.querySelector('.form-message').textContent.includes('403')`)

		tb.do(chromedp.SetValue(chromedp.CSS(`input[name="api_key"]`), apiKey),
			chromedp.Click(chromedp.CSS(`form.signin button[type="submit"]`)))
		tb.wait("the list", `[...document.querySelectorAll('.session-link')].some((a) => a.textContent === 'behind-a-key')`)
		assert.True(t, eval[bool](tb, `sessionStorage.getItem('agentops.token')?.split('.').length === 3`), "the token is kept for the tab")
		tb.wait("the live stream with the token", `document.getElementById('live').dataset.state === 'live'`)

		c = newClient(t, closed, agentops.WithAPIKey(apiKey))
		_, sess = c.StartSession(context.Background(), "behind-a-key-live")
		sess.End(agentops.Success)
		shutdown(t, c)
		tb.wait("the live session", `[...document.querySelectorAll('.session-link')].some((a) => a.textContent === 'behind-a-key-live')`)

		// The session page reads its data with the token too, and the
		// export fetches with it (the blob it saves is caught here).
		tb.click(".session-link", "behind-a-key-live")
		tb.wait("the session page", `document.querySelector('.wf-bar')`)
		tb.do(chromedp.Evaluate[chromedp.Void](`window.saved = []; const create = URL.createObjectURL; URL.createObjectURL = (b) => { window.saved.push(b.size); return create(b); }`))
		tb.do(chromedp.Click(chromedp.CSS(".session-head a[download]")))
		tb.wait("the exported file", `window.saved.length === 1 && window.saved[0] > 100`)
		assert.Zero(t, tb.count(".toast"), "no export error")
	})
}

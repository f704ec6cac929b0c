package agentops

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// Format is a way to print a Trace.
type Format int

// The formats of Trace.Print. Durations are rounded (850µs, 420ms, 1.25s,
// 2m3s), so the text forms of equal traces are equal.
const (
	// FormatCompact is one line per step, indented under its parent: its
	// name, duration, tokens, cost and error.
	FormatCompact Format = iota + 1
	// FormatDetailed is the tree of steps, each with its start (from the
	// root's), duration, model, tokens, cost, input, output and error,
	// then the totals.
	FormatDetailed
	// FormatJSON is the JSON form of the Trace, indented.
	FormatJSON
)

var formatNames = [...]string{FormatCompact: "compact", FormatDetailed: "detailed", FormatJSON: "json"}

func (f Format) valid() bool { return f >= FormatCompact && f <= FormatJSON }

// String is the format's name: "compact", "detailed" or "json".
func (f Format) String() string {
	if !f.valid() {
		return fmt.Sprintf("Format(%d)", int(f))
	}
	return formatNames[f]
}

// parseFormat reads a format's name, in any case.
func parseFormat(s string) (Format, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	for f := FormatCompact; f <= FormatJSON; f++ {
		if formatNames[f] == name {
			return f, nil
		}
	}
	return 0, fmt.Errorf("%q is not a format: want compact, detailed or json", s)
}

// Print writes t to w in format f, in a single Write, so that traces
// printed from several goroutines to one writer do not interleave.
func (t Trace) Print(w io.Writer, f Format) error {
	var b bytes.Buffer
	switch f {
	case FormatCompact:
		if t.Root.SpanID != "" {
			writeCompact(&b, t.Root, 0)
		}
	case FormatDetailed:
		if t.Root.SpanID != "" {
			writeDetailed(&b, t.Root, t.Root.Start, "", "")
		}
		b.WriteString("totals: " + totalsLine(t.Totals) + "\n")
	case FormatJSON:
		enc := json.NewEncoder(&b)
		enc.SetIndent("", "  ")
		// Inputs and outputs hold <, > and & often; escaped, a reader
		// would see \u003c.
		enc.SetEscapeHTML(false)
		if err := enc.Encode(t); err != nil {
			return fmt.Errorf("agentops: print trace: %w", err)
		}
	default:
		return fmt.Errorf("agentops: print trace: %v is not a Format", f)
	}
	_, err := w.Write(b.Bytes())
	return err
}

func writeCompact(b *bytes.Buffer, s Step, depth int) {
	b.WriteString(strings.Repeat("  ", depth) + stepLine(s) + "\n")
	for _, c := range s.Children {
		writeCompact(b, c, depth+1)
	}
}

// writeDetailed writes s and its children as a tree: head prefixes the
// step's own line, body the lines beneath it.
func writeDetailed(b *bytes.Buffer, s Step, origin time.Time, head, body string) {
	b.WriteString(head + s.Name)
	if s.Kind != "" {
		b.WriteString(" [" + s.Kind + "]")
	}
	if head != "" {
		b.WriteString(" +" + formatDuration(s.Start.Sub(origin)))
	}
	b.WriteString(" " + stepTime(s))
	if s.Status == StepError {
		b.WriteString(" ERROR")
	}
	b.WriteByte('\n')

	detail := body + "  "
	if len(s.Children) > 0 {
		detail = body + "│ "
	}
	for _, line := range stepDetails(s) {
		b.WriteString(detail + line + "\n")
	}
	for i, c := range s.Children {
		if i == len(s.Children)-1 {
			writeDetailed(b, c, origin, body+"└─ ", body+"   ")
		} else {
			writeDetailed(b, c, origin, body+"├─ ", body+"│  ")
		}
	}
}

// detailTextLimit keeps an input or output to about a terminal line.
const detailTextLimit = 120

// stepDetails are the lines the detailed form shows under a step.
func stepDetails(s Step) []string {
	var lines []string
	switch {
	case s.Model != "" && s.Provider != "":
		lines = append(lines, "model: "+s.Model+" ("+s.Provider+")")
	case s.Model != "":
		lines = append(lines, "model: "+s.Model)
	}
	if s.InputTokens > 0 || s.OutputTokens > 0 {
		tokens := "tokens: " + strconv.Itoa(s.InputTokens) + " in"
		if s.CachedTokens > 0 {
			tokens += " (" + strconv.Itoa(s.CachedTokens) + " cached)"
		}
		tokens += ", " + strconv.Itoa(s.OutputTokens) + " out"
		if s.ReasoningTokens > 0 {
			tokens += " (" + strconv.Itoa(s.ReasoningTokens) + " reasoning)"
		}
		lines = append(lines, tokens)
	}
	if s.Cost > 0 {
		lines = append(lines, "cost: "+formatCost(s.Cost))
	}
	if s.Input != "" {
		lines = append(lines, "input: "+oneLine(s.Input, detailTextLimit))
	}
	if s.Output != "" {
		lines = append(lines, "output: "+oneLine(s.Output, detailTextLimit))
	}
	if s.Error != "" {
		lines = append(lines, "error: "+oneLine(s.Error, detailTextLimit))
	}
	return lines
}

// stepLine is a step in one line, as the compact and streamed forms show
// it.
func stepLine(s Step) string {
	line := s.Name + " " + stepTime(s)
	if s.InputTokens > 0 || s.OutputTokens > 0 {
		line += " in=" + strconv.Itoa(s.InputTokens) + " out=" + strconv.Itoa(s.OutputTokens)
	}
	if s.Cost > 0 {
		line += " " + formatCost(s.Cost)
	}
	if s.Status == StepError {
		line += " ERROR"
		if s.Error != "" {
			line += ": " + oneLine(s.Error, detailTextLimit)
		}
	}
	return line
}

// stepTime is how long the step took, or that it runs.
func stepTime(s Step) string {
	if s.Status == StepRunning {
		return string(StepRunning)
	}
	return formatDuration(s.Duration)
}

func totalsLine(t TraceTotals) string {
	parts := []string{
		formatDuration(t.Duration),
		plural(t.Steps, "step"),
		plural(t.LLMCalls, "LLM call"),
		plural(t.ToolCalls, "tool call"),
		fmt.Sprintf("%d tokens (%d in, %d out)", t.InputTokens+t.OutputTokens, t.InputTokens, t.OutputTokens),
		plural(t.Errors, "error"),
	}
	if t.Cost > 0 {
		parts = append(parts, formatCost(t.Cost))
	}
	if t.Dropped > 0 {
		parts = append(parts, fmt.Sprintf("%d steps not recorded", t.Dropped))
	}
	return strings.Join(parts, ", ")
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// formatDuration rounds d to what a reader compares at a glance:
// microseconds under a millisecond, milliseconds under a second,
// hundredths of a second under a minute, seconds beyond.
func formatDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + "s"
	}
	return d.Round(time.Second).String()
}

// formatCost shows dollars to the micro-dollar, which hides the float
// noise that sums of prices pick up.
func formatCost(usd float64) string {
	return "$" + strconv.FormatFloat(math.Round(usd*1e6)/1e6, 'f', -1, 64)
}

// oneLine puts s on one line, its runs of spaces and newlines made single
// spaces, cut to limit bytes.
func oneLine(s string, limit int) string {
	return cutText(strings.Join(strings.Fields(s), " "), limit)
}

// StreamSteps prints sub's steps to w as they end, one line each in the
// compact form, indented under the steps whose start it saw, until sub's
// channel closes (Close, the end of its session, Client.Shutdown) or ctx
// ends. It returns nil when the channel closes, else ctx's error or the
// first error of w. It does not close sub.
func StreamSteps(ctx context.Context, w io.Writer, sub *Subscription) error {
	var p stepStreamer
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev, ok := <-sub.Events():
			if !ok {
				return nil
			}
			if line := p.line(ev); line != "" {
				if _, err := io.WriteString(w, line); err != nil {
					return err
				}
			}
		}
	}
}

// stepStreamer turns events into the lines of StreamSteps.
type stepStreamer struct {
	depth map[string]int // of the steps started and not yet ended
}

// line is the line for an event: "" for a start, whose depth it notes.
func (p *stepStreamer) line(ev StepEvent) string {
	if p.depth == nil {
		p.depth = map[string]int{}
	}
	s := ev.Step
	d, known := p.depth[s.SpanID]
	if !known {
		d = p.depthUnder(s.ParentID)
	}
	if ev.Type == StepStarted {
		p.depth[s.SpanID] = d
		return ""
	}
	delete(p.depth, s.SpanID)
	return strings.Repeat("  ", d) + stepLine(s) + "\n"
}

// depthUnder is the depth of a child of parent. A parent whose start was
// not seen is still a level up: it is the session's root, more often than
// not, which began before the subscription.
func (p *stepStreamer) depthUnder(parent string) int {
	if parent == "" {
		return 0
	}
	if d, ok := p.depth[parent]; ok {
		return d + 1
	}
	return 1
}

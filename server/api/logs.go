package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/agentops-go/agentops/server/model"
)

// LogLine is one entry of a captured log. Time is as the program wrote it
// (local time of the machine that ran it, zone unknown), "" for text that
// came before the first entry.
type LogLine struct {
	Time    string `json:"time"`
	Level   string `json:"level"`
	Message string `json:"message"`
}

// Log is what /api/sessions/{id}/logs serves.
type Log struct {
	Text  string    `json:"text"`
	Lines []LogLine `json:"lines"`
}

// ParseLog splits captured log text into entries of the AgentOps line
// format, `YYYY-MM-DD HH:MM:SS,mmm - LEVEL - message`. A line not in that
// format (a traceback, a wrapped message) continues the previous entry.
// The empty first line the SDK sends (AgentOps' viewer drops the first
// line) is dropped, as are trailing empty lines. ParseLog is a pure
// function, safe for concurrent use.
func ParseLog(text string) []LogLine {
	out := []LogLine{}
	if rest, ok := strings.CutPrefix(text, "\n"); ok {
		text = rest
	} else {
		text = strings.TrimPrefix(text, "\r\n")
	}
	text = strings.TrimRight(text, "\r\n")
	if text == "" {
		return out
	}
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSuffix(line, "\r")
		if tm, level, msg, ok := parseLogHeader(line); ok {
			out = append(out, LogLine{Time: tm, Level: level, Message: msg})
			continue
		}
		if len(out) == 0 {
			out = append(out, LogLine{Message: line})
			continue
		}
		out[len(out)-1].Message += "\n" + line
	}
	return out
}

// parseLogHeader reads `YYYY-MM-DD HH:MM:SS,mmm - LEVEL - message`.
func parseLogHeader(line string) (tm, level, msg string, ok bool) {
	const layout = "dddd-dd-dd dd:dd:dd,ddd"
	if len(line) < len(layout)+len(" - X -") {
		return "", "", "", false
	}
	for i := 0; i < len(layout); i++ {
		c := line[i]
		if layout[i] == 'd' {
			if c < '0' || c > '9' {
				return "", "", "", false
			}
		} else if c != layout[i] {
			return "", "", "", false
		}
	}
	rest, found := strings.CutPrefix(line[len(layout):], " - ")
	if !found {
		return "", "", "", false
	}
	n := 0
	for n < len(rest) && n <= 10 && ('A' <= rest[n] && rest[n] <= 'Z' || 'a' <= rest[n] && rest[n] <= 'z') {
		n++
	}
	if n == 0 || n > 10 {
		return "", "", "", false
	}
	level, rest = rest[:n], rest[n:]
	switch {
	case strings.HasPrefix(rest, " - "):
		msg = rest[3:]
	case rest == " -":
	default:
		return "", "", "", false
	}
	return line[:len(layout)], level, msg, true
}

// readLogs returns the trace's log uploads; none for a trace the store
// does not know at all is a 404. (Logs can arrive before the spans, so
// uploads are served even when the session is not known yet.)
func (a *API) readLogs(r *http.Request, traceID string) ([]model.LogUpload, error) {
	logs, err := a.r.Logs(r.Context(), traceID)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return nil, err
	}
	if len(logs) == 0 {
		return nil, a.exists(r, traceID)
	}
	return logs, nil
}

// joinLogs is the uploads' text, one after the other.
func joinLogs(logs []model.LogUpload) string {
	if len(logs) == 1 {
		return logs[0].Text
	}
	var b strings.Builder
	for _, l := range logs {
		if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
			b.WriteByte('\n')
		}
		b.WriteString(l.Text)
	}
	return b.String()
}

func (a *API) getSessionLogs(w http.ResponseWriter, r *http.Request) {
	id, ok := pathTraceID(w, r, "id")
	if !ok {
		return
	}
	logs, err := a.readLogs(r, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := Log{Text: joinLogs(logs), Lines: []LogLine{}}
	for _, l := range logs {
		out.Lines = append(out.Lines, ParseLog(l.Text)...)
	}
	writeJSON(w, http.StatusOK, out)
}

// getRawLogs serves the text the log upload's answer points to.
func (a *API) getRawLogs(w http.ResponseWriter, r *http.Request) {
	id, ok := pathTraceID(w, r, "traceID")
	if !ok {
		return
	}
	logs, err := a.r.Logs(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if len(logs) == 0 {
		writeError(w, http.StatusNotFound, "no logs for trace "+id)
		return
	}
	writeText(w, http.StatusOK, joinLogs(logs))
}

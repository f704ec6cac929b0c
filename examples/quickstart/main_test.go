package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/internal/fakebackend"
)

// The README's first command, run against a fake backend: the session and
// its spans arrive, the failed search attempt marked as such.
func TestQuickstartSendsItsSession(t *testing.T) {
	b := fakebackend.New(t)
	t.Setenv("AGENTOPS_API_ENDPOINT", b.URL)
	main()

	spans := b.WaitForSpans(t, 5, 5*time.Second)
	counts := map[string]int{}
	status := map[string][]string{}
	var root fakebackend.Span
	for _, s := range spans {
		counts[s.Name]++
		status[s.Name] = append(status[s.Name], s.Status.Code)
		if s.ParentSpanID == "" {
			root = s
		}
	}
	require.Equal(t, "quickstart.session", root.Name)
	assert.Equal(t, "Success", root.Attrs["agentops.session.end_state"])
	assert.Equal(t, []string{"example", "quickstart"}, root.Attrs["agentops.tags"])
	assert.Equal(t, map[string]int{"quickstart.session": 1, "invoke_agent planner": 1,
		"execute_tool web_search": 2, "execute_tool summarise": 1, "agentops.sources": 1}, counts)
	assert.ElementsMatch(t, []string{"error", "ok"}, status["execute_tool web_search"], "the first attempt failed")

	var logs string
	scripts := map[string]bool{}
	for _, u := range b.WaitForUploads(t, 2, 5*time.Second) {
		switch u.Kind {
		case "logs":
			logs = u.Body
		case "scripts":
			scripts[u.Filename] = true
		}
	}
	assert.Contains(t, logs, " - INFO - searching query=")
	assert.Contains(t, logs, " - WARNING - search failed, retrying err=")
	assert.True(t, scripts["examples/quickstart/main.go"], "the program's own source went with it")
}

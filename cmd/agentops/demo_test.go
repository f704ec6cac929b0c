package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/server/model"
	"github.com/agentops-go/agentops/server/store"
)

// The README's main command, as CI runs it: the sample agent's whole
// session reaches the backend, with every step the demo promises.
func TestDemoOnceStoresTheAgentsSession(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "") // the scripted model, whatever the machine has
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := runDemo(context.Background(), []string{"-once", "-addr", "127.0.0.1:0", "-data", dir}, &stdout, &stderr)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())

	out := stdout.String()
	assert.Contains(t, out, "model: SCRIPTED", "the canned model says what it is")
	assert.Contains(t, out, "Your Lisbon weekend", "the streamed answer is printed")
	m := regexp.MustCompile(`session:\s+(http://127\.0\.0\.1:\d+)/sessions\?trace_id=([0-9a-f]{32})`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	assert.Contains(t, out, "dashboard: "+m[1]+"/")

	st, err := store.Open(context.Background(), filepath.Join(dir, "agentops.db"), store.Options{})
	require.NoError(t, err)
	defer st.Close()
	sess, err := st.Session(context.Background(), m[2])
	require.NoError(t, err)
	assert.Equal(t, "trip-planner", sess.Name)
	assert.Equal(t, 9, int(sess.LLMCalls))
	assert.Equal(t, 5, int(sess.ToolCalls))
	assert.Positive(t, sess.Files, "the program's source files were uploaded")
	assert.True(t, sess.HasLogs)

	spans, err := st.Spans(context.Background(), m[2])
	require.NoError(t, err)
	byName := map[string][]model.Span{}
	for _, s := range spans {
		byName[s.Name] = append(byName[s.Name], s)
	}
	for _, agent := range []string{"planner", "researcher", "local-guide", "budget-analyst", "writer"} {
		assert.Len(t, byName["invoke_agent "+agent], 1, agent)
	}

	// The hotel search failed once and the model's retry succeeded.
	hotels := byName["execute_tool search_hotels"]
	require.Len(t, hotels, 2)
	assert.ElementsMatch(t, []string{"error", "ok"}, []string{hotels[0].StatusCode, hotels[1].StatusCode})

	// The two sub-agents ran at the same time.
	guide, budget := byName["invoke_agent local-guide"][0], byName["invoke_agent budget-analyst"][0]
	assert.True(t, guide.Start.Before(budget.End) && budget.Start.Before(guide.End), "the sub-agents overlap in time")

	// The writer's answer was streamed: its chat span has a time to first token.
	writer := byName["invoke_agent writer"][0]
	var streamed []model.Span
	for _, s := range byName["chat gpt-4o-mini"] {
		if s.ParentSpanID == writer.SpanID {
			streamed = append(streamed, s)
		}
	}
	require.Len(t, streamed, 1)
	assert.Positive(t, streamed[0].Derived.TTFT)
	assert.Contains(t, streamed[0].Derived.Output+messagesText(streamed[0].Derived.Messages), "Lisbon weekend")

	logs, err := st.Logs(context.Background(), m[2])
	require.NoError(t, err)
	require.NotEmpty(t, logs)
	assert.Contains(t, logs[0].Text, "a tool failed; handing the error to the model")
}

func messagesText(ms []model.Message) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString(m.Content)
	}
	return b.String()
}

// Ctrl-C while serving ends the demo cleanly.
func TestDemoServesUntilCancelled(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- runDemo(ctx, []string{"-addr", "127.0.0.1:0"}, out, out) }()
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "until Ctrl-C") }, 60*time.Second, 20*time.Millisecond)
	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 0, code, out.String())
	case <-time.After(15 * time.Second):
		t.Fatal("the demo did not stop when its context ended")
	}
	m := regexp.MustCompile(`data in (\S+)\)`).FindStringSubmatch(out.String())
	require.NotNil(t, m, out.String())
	assert.NoDirExists(t, m[1], "the demo's temporary database is removed on exit")
}

// syncBuffer is a bytes.Buffer that a command and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

package agentops

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// durations matches what formatDuration writes, so that printed trees can
// be compared whatever the clock did.
var durations = regexp.MustCompile(`\b\d+(\.\d+)?(µs|ms|s|m\d+s)\b`)

func TestConsolePrintsEachSessionWhenItEnds(t *testing.T) {
	out := &logBuffer{}
	c := newStepsClient(t, WithConsole(out, FormatCompact))

	ctx, sess := StartSession(context.Background(), "research")
	_ = Do(ctx, KindTool, "web_search", func(context.Context) error { return nil })
	_ = Do(ctx, KindTask, "summarise", func(context.Context) error { return errors.New("model unavailable") })
	require.NoError(t, c.ForceFlush(context.Background()))
	assert.Empty(t, out.String(), "nothing is printed before the session ends")

	sess.End(Failure)
	require.NoError(t, c.ForceFlush(context.Background()))
	assert.Equal(t, "research.session T ERROR: session ended in Error\n  execute_tool web_search T\n  summarise.task T ERROR: model unavailable\n",
		durations.ReplaceAllString(out.String(), "T"))

	// A session still open at Shutdown is ended by it, and printed, with
	// the step it left running.
	ctx, _ = StartSession(context.Background(), "left-open")
	_, _ = StartSpan(ctx, KindTask, "forgotten")
	require.NoError(t, c.Shutdown(context.Background()))
	assert.Contains(t, durations.ReplaceAllString(out.String(), "T"), "left-open.session T\n  forgotten.task running\n")
}

func TestConsoleJSONReadsBack(t *testing.T) {
	out := &logBuffer{}
	c := newStepsClient(t, WithConsole(out, FormatJSON))
	ctx, sess := StartSession(context.Background(), "research")
	_ = Do(ctx, KindAgent, "planner", func(ctx context.Context) error {
		return Do(ctx, KindTool, "web_search", func(context.Context) error { return nil })
	})
	sess.End(Success)
	require.NoError(t, c.ForceFlush(context.Background()))

	var tr Trace
	require.NoError(t, json.Unmarshal([]byte(out.String()), &tr))
	assert.Equal(t, "research.session", tr.Root.Name)
	require.Len(t, tr.Root.Children, 1)
	assert.Equal(t, "execute_tool web_search", tr.Root.Children[0].Children[0].Name)
	assert.Equal(t, 1, tr.Totals.ToolCalls)
}

// consoles lists the console processors a configuration would run.
func consoles(t *testing.T, env map[string]string, opts ...Option) []*consolePrinter {
	t.Helper()
	getenv := func(k string) string { return env[k] }
	cfg, err := newConfig(getenv, consoleFromEnv(getenv, opts))
	require.NoError(t, err)
	var out []*consolePrinter
	for _, p := range cfg.processors {
		if cp, ok := p.(*consolePrinter); ok {
			out = append(out, cp)
		}
	}
	return out
}

func TestConsoleConfiguration(t *testing.T) {
	mine := &logBuffer{}
	env := map[string]string{consoleEnv: " JSON "}

	got := consoles(t, env)
	require.Len(t, got, 1)
	assert.Equal(t, os.Stderr, got[0].w, "the variable prints to stderr, never stdout")
	assert.Equal(t, FormatJSON, got[0].format)

	got = consoles(t, env, WithConsole(mine, FormatDetailed))
	require.Len(t, got, 1, "the option replaces the variable's console")
	assert.Equal(t, mine, got[0].w)
	assert.Equal(t, FormatDetailed, got[0].format)

	assert.Len(t, consoles(t, nil, WithConsole(os.Stderr, FormatCompact), WithConsole(mine, FormatCompact)), 1, "the last WithConsole wins")
	assert.Empty(t, consoles(t, env, WithConsole(nil, 0)), "a nil writer turns the console off")
	assert.Empty(t, consoles(t, nil))

	_, err := newConfig(os.Getenv, []Option{WithConsole(mine, Format(7))})
	assert.ErrorIs(t, err, ErrInvalidConfig)
	assert.ErrorContains(t, err, "WithConsole: Format(7) is not a Format")

	t.Setenv(consoleEnv, "tree")
	_, err = Init(context.Background(), WithoutDefaultExporter())
	assert.ErrorIs(t, err, ErrInvalidConfig, "Init reads the variable")
	assert.ErrorContains(t, err, `AGENTOPS_CONSOLE: "tree" is not a format: want compact, detailed or json`)
}

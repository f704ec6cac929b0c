package agentopseino_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/cloudwego/eino/compose"
	"github.com/cloudwego/eino/schema"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops"
	"github.com/agentops-go/agentops/agentopstest"
	"github.com/agentops-go/agentops/agentopstest/scripted"
	agentopseino "github.com/agentops-go/agentops/integrations/eino"
)

// A stream the program closes unread is still read to its end by the
// handler, which records the whole answer and closes its copy: eino
// closes the model's stream once both copies are closed.
func TestAbandonedStreamIsRecordedWhole(t *testing.T) {
	e := newEnv(t, scripted.Echo, agentopseino.WithSession("eino-qa", agentops.WithTags("eino")))
	sr, err := qaChain(t, e).Stream(context.Background(), map[string]any{"question": question}, compose.WithCallbacks(e.handler))
	require.NoError(t, err)
	sr.Close()

	workflow, llm := assertQASpans(t, e.finish(4), true)
	assert.Equal(t, "ok", workflow.StatusCode)
	assert.Equal(t, answer, llm.Attributes["gen_ai.completion.0.content"])
}

// tickerChain is a chain of one lambda, "ticker", that streams "tick" and
// then ends with end, once release is closed.
func tickerChain(t *testing.T, release <-chan struct{}, end error) compose.Runnable[string, string] {
	t.Helper()
	ticker := compose.StreamableLambda(func(context.Context, string) (*schema.StreamReader[string], error) {
		sr, sw := schema.Pipe[string](1)
		go func() {
			defer sw.Close()
			sw.Send("tick", nil)
			<-release
			if end != nil {
				sw.Send("", end)
			}
		}()
		return sr, nil
	})
	r, err := compose.NewChain[string, string]().
		AppendLambda(ticker, compose.WithNodeName("ticker")).
		Compile(context.Background(), compose.WithGraphName("ticks"))
	require.NoError(t, err)
	return r
}

// A stream that ends with an error fails the runs it came through.
func TestStreamErrorFailsTheRun(t *testing.T) {
	e := newEnv(t, scripted.Echo, agentopseino.WithSession("eino-ticks"))
	release := make(chan struct{})
	close(release)
	sr, err := tickerChain(t, release, errors.New("the feed broke")).Stream(context.Background(), "go", compose.WithCallbacks(e.handler))
	require.NoError(t, err)
	defer sr.Close()
	tick, err := sr.Recv()
	require.NoError(t, err)
	require.Equal(t, "tick", tick)
	_, err = sr.Recv()
	require.ErrorContains(t, err, "the feed broke")

	spans := e.finish(3)
	for _, name := range []string{"eino-ticks.session", "ticks.workflow", "ticker.task"} {
		s := agentopstest.One(t, spans, name)
		assert.Equal(t, "error", s.StatusCode, name)
		assert.Contains(t, s.StatusMessage, "the feed broke", name)
	}
	agentopstest.RequireChild(t, agentopstest.One(t, spans, "ticks.workflow"), agentopstest.One(t, spans, "ticker.task"))
}

// Close ends the runs of a stream that has not ended, as failed, without
// waiting past its deadline; the goroutine reading the stream ends when the
// stream does.
func TestCloseEndsAStreamThatNeverEnds(t *testing.T) {
	e := newEnv(t, scripted.Echo, agentopseino.WithSession("eino-ticks"))
	release := make(chan struct{})
	sr, err := tickerChain(t, release, nil).Stream(context.Background(), "go", compose.WithCallbacks(e.handler))
	require.NoError(t, err)
	defer sr.Close()
	tick, err := sr.Recv()
	require.NoError(t, err)
	require.Equal(t, "tick", tick)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, e.handler.Close(ctx), context.DeadlineExceeded)
	spans := e.shutdown(3)
	for _, name := range []string{"eino-ticks.session", "ticks.workflow", "ticker.task"} {
		s := agentopstest.One(t, spans, name)
		assert.Equal(t, "error", s.StatusCode, name)
		assert.Equal(t, agentops.ErrRunNotEnded.Error(), s.StatusMessage, name)
	}

	// The stream ends after all: its reader ends nothing more, and stops.
	close(release)
	_, err = sr.Recv()
	require.ErrorIs(t, err, io.EOF)
	require.NoError(t, e.handler.Close(context.Background()))
	assert.Len(t, agentopstest.SpanNames(e.backend.Spans()), 3)
}

// With agentops off, the handler reads no stream: it closes its copies at
// once, and leaves nothing for Close to wait for.
func TestDisabledSDKReadsNoStream(t *testing.T) {
	client, err := agentops.Init(context.Background(), agentops.WithDisabled())
	require.NoError(t, err)
	h := agentopseino.New(agentopseino.WithSession("eino-ticks"))
	release := make(chan struct{})
	sr, err := tickerChain(t, release, nil).Stream(context.Background(), "go", compose.WithCallbacks(h))
	require.NoError(t, err)
	defer sr.Close()
	tick, err := sr.Recv()
	require.NoError(t, err)
	require.Equal(t, "tick", tick)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	assert.NoError(t, h.Close(ctx), "no stream is being read")
	close(release)
	_, err = sr.Recv()
	require.ErrorIs(t, err, io.EOF)
	require.NoError(t, client.Shutdown(context.Background()))
}

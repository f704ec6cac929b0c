// Command streaming streams a chat completion through the instrumented
// go-openai client and prints the answer as it arrives, then the time to
// its first token and the token usage.
//
// The stream's "chat {model}" span starts with the request and ends with
// the stream (at its end, on an error, on Close, or when the context is
// cancelled), with the answer assembled from the chunks, the time to first
// chunk and, because the request asks for it with
// stream_options.include_usage, the token usage the API sends in its last
// chunk.
//
// With OPENAI_API_KEY set it talks to OpenAI (OPENAI_BASE_URL and
// OPENAI_MODEL change where and which model); without it, to a scripted
// model in the same process that thinks for a moment before it answers.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/agentops-go/agentops"
	"github.com/agentops-go/agentops/agentopstest/scripted"
	"github.com/agentops-go/agentops/examples/internal/example"
	aoopenai "github.com/agentops-go/agentops/instrument/openai"
)

const question = "In three sentences: why does time to first token matter more than total latency in a chat UI?"

// scriptedAnswer is what the scripted model streams, a word at a time,
// after thinking for scriptedDelay.
const (
	scriptedAnswer = "People judge a chat by how soon it starts talking, not by when it stops. " +
		"A first token within a second feels like a conversation; a blank screen for five feels broken. " +
		"Streaming turns the same total latency into reading time."
	scriptedDelay = 400 * time.Millisecond
)

func main() { example.Main(run) }

func run(ctx context.Context, stdout io.Writer) error {
	env, err := example.Start(ctx, func(*scripted.Request) scripted.Reply {
		return scripted.Reply{Content: scriptedAnswer, Delay: scriptedDelay}
	})
	if err != nil {
		return err
	}
	defer env.Close() // flushes the session's spans, stops the scripted model

	llm := aoopenai.NewClient(env.Model.ClientConfig(), env.Model.Options()...)
	ctx, sess := agentops.StartSession(ctx, "streaming", agentops.WithTags("example", "streaming"), agentops.WithInput(question))
	fmt.Fprintln(stdout, "session:", sess.URL())
	err = stream(ctx, stdout, llm, env.Model.Name)
	sess.Fail(err) // ends the session: Success when err is nil
	return err
}

// stream asks the question and prints the answer chunk by chunk.
func stream(ctx context.Context, stdout io.Writer, llm *aoopenai.Client, model string) error {
	start := time.Now()
	s, err := llm.CreateChatCompletionStream(ctx, goopenai.ChatCompletionRequest{
		Model:    model,
		Messages: []goopenai.ChatCompletionMessage{{Role: goopenai.ChatMessageRoleUser, Content: question}},
		// Without it the API counts no tokens for a stream, and neither
		// can the span.
		StreamOptions: &goopenai.StreamOptions{IncludeUsage: true},
	})
	if err != nil {
		return err
	}
	// Ends the span, with what arrived so far, if the loop below returns
	// early; after the end of the stream it does nothing more.
	defer s.Close()

	var firstToken time.Duration
	var usage *goopenai.Usage
	for {
		chunk, err := s.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if chunk.Usage != nil { // the last chunk, which has no choices
			usage = chunk.Usage
		}
		for _, c := range chunk.Choices {
			if c.Delta.Content == "" {
				continue
			}
			if firstToken == 0 {
				firstToken = time.Since(start)
			}
			fmt.Fprint(stdout, c.Delta.Content)
		}
	}
	fmt.Fprintln(stdout)
	// The span's time to first chunk counts to the first chunk of any
	// kind (often the one that only names the role); this is to the first
	// word the user sees.
	fmt.Fprintf(stdout, "time to first token: %s, whole answer: %s\n",
		firstToken.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	if usage == nil {
		return errors.New("the API sent no usage, though stream_options.include_usage asked for it")
	}
	fmt.Fprintf(stdout, "usage: %d prompt + %d completion tokens\n", usage.PromptTokens, usage.CompletionTokens)
	return nil
}

// Command functioncalling is an agent that answers with tools: it offers
// the model two functions, runs the calls the model asks for, sends their
// results back, and loops until the model answers in words.
//
// The go-openai client is wrapped by instrument/openai, so each model call
// is a "chat {model}" span carrying the messages, the tools offered and the
// tool calls asked for; openai.RunToolCalls runs each call under an
// "execute_tool {name}" span with its arguments and result. The dashboard
// then shows the whole round trip: what the model asked for, what each tool
// returned, and what the model made of it.
//
// With OPENAI_API_KEY set it talks to OpenAI (OPENAI_BASE_URL and
// OPENAI_MODEL change where and which model); without it, to a scripted
// model in the same process.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/agentops-go/agentops"
	"github.com/agentops-go/agentops/agentopstest/scripted"
	"github.com/agentops-go/agentops/examples/internal/example"
	aoopenai "github.com/agentops-go/agentops/instrument/openai"
)

const (
	instructions = "You are a travel assistant. Use the tools for facts, then answer in two sentences."
	question     = "I land in Paris tomorrow. What is the weather there, and how much is 200 USD in euros?"
)

// maxTurns bounds the conversation: a model that keeps asking for tools is
// stopped rather than left to loop, and spend, forever.
const maxTurns = 5

func main() { example.Main(run) }

func run(ctx context.Context, stdout io.Writer) error {
	env, err := example.Start(ctx, respond)
	if err != nil {
		return err
	}
	defer env.Close() // flushes the session's spans, stops the scripted model

	llm := aoopenai.NewClient(env.Model.ClientConfig(), env.Model.Options()...)
	return agentops.RunSession(ctx, "functioncalling", func(ctx context.Context) error {
		fmt.Fprintln(stdout, "session:", agentops.SessionFromContext(ctx).URL())
		answer, err := converse(ctx, stdout, llm, env.Model.Name)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, "answer:", answer)
		return nil
	}, agentops.WithTags("example", "functioncalling"), agentops.WithInput(question))
}

// converse asks the question and runs the tools the model calls, turn after
// turn, until the model answers without calling one.
func converse(ctx context.Context, stdout io.Writer, llm *aoopenai.Client, model string) (string, error) {
	msgs := []goopenai.ChatCompletionMessage{
		{Role: goopenai.ChatMessageRoleSystem, Content: instructions},
		{Role: goopenai.ChatMessageRoleUser, Content: question},
	}
	for range maxTurns {
		resp, err := llm.CreateChatCompletion(ctx, goopenai.ChatCompletionRequest{
			Model: model, Messages: msgs, Tools: tools,
		})
		if err != nil {
			return "", err
		}
		if len(resp.Choices) == 0 {
			return "", errors.New("the model returned no answer")
		}
		reply := resp.Choices[0].Message
		msgs = append(msgs, reply)
		if len(reply.ToolCalls) == 0 {
			return reply.Content, nil
		}
		// A failed call comes back as an "error: ..." tool message, which
		// the model can recover from, and its span records the error: the
		// conversation goes on, so the joined error adds nothing here.
		results, _ := aoopenai.RunToolCalls(ctx, reply, toolFuncs)
		for i, call := range reply.ToolCalls {
			fmt.Fprintf(stdout, "tool: %s(%s) -> %s\n", call.Function.Name, call.Function.Arguments, results[i].Content)
		}
		msgs = append(msgs, results...)
	}
	return "", fmt.Errorf("no answer after %d model calls", maxTurns)
}

// respond is the scripted model: it asks for both tools, then answers from
// what they returned.
func respond(req *scripted.Request) scripted.Reply {
	results := scripted.ToolResults(req)
	if len(results) == 0 {
		return scripted.Reply{ToolCalls: []scripted.ToolCall{
			{ID: "call_weather", Name: "get_weather", Arguments: `{"city":"Paris"}`},
			{ID: "call_fx", Name: "convert_currency", Arguments: `{"amount":200,"from":"USD","to":"EUR"}`},
		}}
	}
	return scripted.Reply{Content: fmt.Sprintf("Paris tomorrow: %s. 200 USD is %s.",
		results["call_weather"], results["call_fx"])}
}

// Package demoagent is the sample agent of `agentops demo`: a travel
// assistant that plans, calls tools through function calling, recovers
// from a failing tool, runs two sub-agents at once and streams its answer,
// logging as it goes. It talks to any OpenAI-compatible API; Script is the
// scripted model it is run against when no real provider is configured.
package demoagent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/agentops-go/agentops"
	"github.com/agentops-go/agentops/instrument/openai"
)

// Question is what the demo's user asks.
const Question = "Plan a two-day weekend in Lisbon for two people with a budget of 500 USD."

// maxRounds bounds a tool loop: a model that keeps calling tools is
// stopped rather than run forever.
const maxRounds = 5

// Config is what Run needs.
type Config struct {
	LLM   *openai.Client
	Model string
	// Out gets the agent's progress and its streamed answer.
	Out io.Writer
	// Logger's records logged with a session's context are uploaded with
	// the session (give it an agentops.NewSlogHandler).
	Logger *slog.Logger
}

// Result is what a Run did.
type Result struct {
	Session *agentops.Session
	Answer  string
}

type agent struct {
	Config
	tools *toolbox

	outMu sync.Mutex
}

// Run runs the agent as one session named "trip-planner" and returns it,
// ended Success, or Failure with the error that stopped it.
func Run(ctx context.Context, cfg Config) (Result, error) {
	a := &agent{Config: cfg, tools: newToolbox()}
	var res Result
	err := agentops.RunSession(ctx, "trip-planner", func(ctx context.Context) error {
		res.Session = agentops.SessionFromContext(ctx)
		a.Logger.InfoContext(ctx, "new request", "question", Question, "model", a.Model)
		var err error
		res.Answer, err = a.run(ctx)
		return err
	}, agentops.WithTags("demo", "travel"), agentops.WithInput(Question))
	return res, err
}

func (a *agent) run(ctx context.Context) (string, error) {
	plan, err := agentops.Run(ctx, agentops.KindAgent, "planner", func(ctx context.Context) (string, error) {
		a.progress("planner: breaking the request into steps")
		resp, err := a.LLM.CreateChatCompletion(ctx, a.request(plannerPrompt, Question))
		if err != nil {
			return "", err
		}
		return content(resp)
	}, agentops.WithInput(Question))
	if err != nil {
		return "", fmt.Errorf("planning: %w", err)
	}
	a.Logger.InfoContext(ctx, "plan ready", "steps", strings.Count(plan, "\n")+1)

	research, err := a.subAgent(ctx, "researcher", researcherPrompt,
		"Find the weekend weather and a hotel for this plan:\n"+plan, "get_weather", "search_hotels")
	if err != nil {
		return "", fmt.Errorf("research: %w", err)
	}

	// The guide and the analyst do not depend on each other: ask both at once.
	var guide, budget string
	var guideErr, budgetErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		guide, guideErr = a.subAgent(ctx, "local-guide", guidePrompt, "What should two visitors see in Lisbon in two days?", "list_sights")
	})
	wg.Go(func() {
		budget, budgetErr = a.subAgent(ctx, "budget-analyst", budgetPrompt,
			"The budget is 500 USD. Research so far:\n"+research, "convert_currency")
	})
	wg.Wait()
	if err := errors.Join(guideErr, budgetErr); err != nil {
		return "", err
	}

	return agentops.Run(ctx, agentops.KindAgent, "writer", func(ctx context.Context) (string, error) {
		a.progress("writer: streaming the itinerary")
		brief := fmt.Sprintf("Question: %s\nPlan:\n%s\nResearch: %s\nSights: %s\nBudget: %s", Question, plan, research, guide, budget)
		return a.stream(ctx, a.request(writerPrompt, brief))
	}, agentops.WithInput("itinerary"))
}

// subAgent runs one agent span: a tool loop with the named tools until the
// model answers without calling any.
func (a *agent) subAgent(ctx context.Context, name, system, task string, tools ...string) (string, error) {
	return agentops.Run(ctx, agentops.KindAgent, name, func(ctx context.Context) (string, error) {
		a.progress(name + ": working")
		req := a.request(system, task)
		req.Tools = a.tools.definitions(tools...)
		fns := a.tools.funcs(tools...)
		for range maxRounds {
			resp, err := a.LLM.CreateChatCompletion(ctx, req)
			if err != nil {
				return "", err
			}
			msg := resp.Choices[0].Message
			if len(msg.ToolCalls) == 0 {
				return content(resp)
			}
			for _, tc := range msg.ToolCalls {
				a.progress(fmt.Sprintf("%s: calling %s %s", name, tc.Function.Name, tc.Function.Arguments))
			}
			results, err := openai.RunToolCalls(ctx, msg, fns)
			if err != nil {
				// The model gets the error as the tool's result and decides.
				a.Logger.WarnContext(ctx, "a tool failed; handing the error to the model", "agent", name, "err", err)
				a.progress(name + ": a tool failed, asking the model how to recover")
			}
			req.Messages = append(append(req.Messages, msg), results...)
		}
		return "", fmt.Errorf("%s: no answer after %d rounds of tool calls", name, maxRounds)
	}, agentops.WithInput(task))
}

// stream asks for a streamed answer and prints it as it arrives.
func (a *agent) stream(ctx context.Context, req goopenai.ChatCompletionRequest) (string, error) {
	req.Stream = true
	req.StreamOptions = &goopenai.StreamOptions{IncludeUsage: true}
	s, err := a.LLM.CreateChatCompletionStream(ctx, req)
	if err != nil {
		return "", err
	}
	defer s.Close()
	var answer strings.Builder
	a.outMu.Lock()
	defer a.outMu.Unlock()
	fmt.Fprint(a.Out, "\n")
	for {
		chunk, err := s.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", err
		}
		for _, c := range chunk.Choices {
			answer.WriteString(c.Delta.Content)
			fmt.Fprint(a.Out, c.Delta.Content)
		}
	}
	fmt.Fprint(a.Out, "\n\n")
	return answer.String(), nil
}

func (a *agent) request(system, user string) goopenai.ChatCompletionRequest {
	return goopenai.ChatCompletionRequest{
		Model: a.Model,
		Messages: []goopenai.ChatCompletionMessage{
			{Role: goopenai.ChatMessageRoleSystem, Content: system},
			{Role: goopenai.ChatMessageRoleUser, Content: user},
		},
	}
}

func (a *agent) progress(line string) {
	a.outMu.Lock()
	defer a.outMu.Unlock()
	fmt.Fprintln(a.Out, "  ·", line)
}

func content(resp goopenai.ChatCompletionResponse) (string, error) {
	if len(resp.Choices) == 0 {
		return "", errors.New("the model answered with no choices")
	}
	return resp.Choices[0].Message.Content, nil
}

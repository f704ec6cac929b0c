package ui_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops"
)

// The seeded sessions are what a small Go agent, "trip-planner", sends
// through the real SDK: LLM calls with a system prompt and tool calls,
// tools (one of them failing), logs, and the program's source. The source
// is given to the SDK (WithSourceFS) rather than discovered, so the files,
// and the stack trace that points into them, are the same on every run.

const notifyGo = `package tools

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// Notifier posts short messages to the user's phone.
type Notifier struct {
	Client *http.Client
	URL    string
}

// SendNotification is the send_notification tool.
func SendNotification(ctx context.Context, n *Notifier, text string) (string, error) {
	if strings.TrimSpace(text) == "" {
		return "", fmt.Errorf("send_notification: empty text")
	}
	return n.Send(ctx, text)
}

// Send posts text. It panics when the push service is not configured
// (n is nil): the bug this session ran into.
func (n *Notifier) Send(ctx context.Context, text string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.URL, strings.NewReader(text))
	if err != nil {
		return "", err
	}
	resp, err := n.Client.Do(req)
	if err != nil {
		return "", fmt.Errorf("send_notification: %w", err)
	}
	defer resp.Body.Close()
	return resp.Status, nil
}
`

const forecastGo = `package tools

import (
	"context"
	"encoding/json"
	"fmt"
)

// Forecast is what get_forecast answers.
type Forecast struct {
	City            string  ` + "`json:\"city\"`" + `
	RainProbability float64 ` + "`json:\"rain_probability\"`" + `
	RainMM          float64 ` + "`json:\"rain_mm\"`" + `
	Summary         string  ` + "`json:\"summary\"`" + `
}

// GetForecast is the get_forecast tool: tomorrow's weather for a city.
func GetForecast(ctx context.Context, arguments string) (string, error) {
	var args struct {
		City string ` + "`json:\"city\"`" + `
	}
	if err := json.Unmarshal([]byte(arguments), &args); err != nil {
		return "", fmt.Errorf("get_forecast: bad arguments: %w", err)
	}
	f := Forecast{City: args.City, RainProbability: 0.7, RainMM: 4.2, Summary: "light rain in the afternoon"}
	b, err := json.Marshal(f)
	return string(b), err
}
`

const mainGo = `// Command trip-planner answers travel questions with an LLM and two
// tools, instrumented with agentops.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/agentops-go/agentops"

	"example.com/trip-planner/tools"
)

func main() {
	ctx := context.Background()
	client, err := agentops.Init(ctx)
	if err != nil {
		slog.Error("agentops", "err", err)
		os.Exit(1)
	}
	defer client.Shutdown(ctx)
	slog.SetDefault(slog.New(agentops.NewSlogHandler(slog.NewTextHandler(os.Stderr, nil))))

	ctx, session := agentops.StartSession(ctx, "trip-planner", agentops.WithTags("demo", "weather"))
	answer, err := plan(ctx, "Should I pack an umbrella for Lisbon tomorrow?")
	if err != nil {
		session.Fail(err)
		return
	}
	slog.InfoContext(ctx, "answer sent", "chars", len(answer))
	session.End(agentops.Success)
}

// runTool runs one tool call the model asked for.
func runTool(ctx context.Context, call agentops.ToolCall) (string, error) {
	return agentops.RunTool(ctx, call, func(ctx context.Context, args string) (string, error) {
		switch call.Name {
		case "get_forecast":
			return tools.GetForecast(ctx, args)
		case "send_notification":
			var notifier *tools.Notifier // not configured on this machine
			return tools.SendNotification(ctx, notifier, args)
		}
		return "", nil
	})
}
`

const planGo = `package main

import (
	"context"
	"log/slog"

	"github.com/agentops-go/agentops"
)

// plan asks the model until it answers without calling a tool.
func plan(ctx context.Context, question string) (string, error) {
	ctx, agent := agentops.StartSpan(ctx, agentops.KindAgent, "planner")
	messages := []agentops.Message{{Role: "system", Content: systemPrompt}, {Role: "user", Content: question}}
	for {
		reply, err := chat(ctx, messages) // one StartLLM span per call
		if err != nil {
			agent.End(err)
			return "", err
		}
		messages = append(messages, reply)
		if len(reply.ToolCalls) == 0 {
			agent.End(nil)
			return reply.Content, nil
		}
		for _, call := range reply.ToolCalls {
			result, err := runTool(ctx, call)
			if err != nil {
				slog.ErrorContext(ctx, "tool failed", "tool", call.Name, "err", err)
				result = "error: " + err.Error()
			}
			messages = append(messages, agentops.Message{Role: "tool", ToolCallID: call.ID, Content: result})
		}
	}
}
`

// demoSource is the trip-planner's source as the SDK uploads it.
var demoSource = fstest.MapFS{
	"go.mod":            {Data: []byte("module example.com/trip-planner\n\ngo 1.26\n\nrequire github.com/agentops-go/agentops v0.1.0\n")},
	"main.go":           {Data: []byte(mainGo)},
	"plan.go":           {Data: []byte(planGo)},
	"tools/forecast.go": {Data: []byte(forecastGo)},
	"tools/notify.go":   {Data: []byte(notifyGo)},
}

// lineOf is the line number of the first line of src containing s.
func lineOf(src, s string) int {
	for i, line := range strings.Split(src, "\n") {
		if strings.Contains(line, s) {
			return i + 1
		}
	}
	panic("lineOf: " + s + " not found")
}

// panicLine is the line of tools/notify.go the failing tool's stack
// trace points at.
var panicLine = lineOf(notifyGo, "n.URL, strings.NewReader")

// notifyPanic is the error the send_notification tool fails with: the
// panic the program recovered, with the stack of the goroutine that
// panicked, as Go prints it.
var notifyPanic = fmt.Errorf("send_notification panicked: runtime error: invalid memory address or nil pointer dereference\n\n"+
	"goroutine 27 [running]:\n"+
	"example.com/trip-planner/tools.(*Notifier).Send(0x0, {0x1029f3a28, 0x14000120000}, {0x140001a2000, 0x3c})\n"+
	"\t/home/dev/trip-planner/tools/notify.go:%d +0x3c\n"+
	"example.com/trip-planner/tools.SendNotification({0x1029f3a28, 0x14000120000}, 0x0, {0x140001a2000, 0x3c})\n"+
	"\t/home/dev/trip-planner/tools/notify.go:%d +0xa4\n"+
	"main.runTool.func1({0x1029f3a28, 0x14000120000}, {0x140001a2000, 0x3c})\n"+
	"\t/home/dev/trip-planner/main.go:%d +0x1b8\n",
	panicLine, lineOf(notifyGo, "return n.Send(ctx, text)"), lineOf(mainGo, "return tools.SendNotification"))

const (
	systemPrompt = "You are a travel assistant. Check the weather with get_forecast before you answer, and send the user " +
		"a reminder with send_notification when rain is likely. Keep answers short."
	userPrompt   = "Should I pack an umbrella for Lisbon tomorrow?"
	forecastArgs = `{"city":"Lisbon","date":"tomorrow"}`
	forecast     = `{"city":"Lisbon","rain_probability":0.7,"rain_mm":4.2,"summary":"light rain in the afternoon"}`
	notifyArgs   = `{"text":"Rain likely in Lisbon tomorrow afternoon: pack an umbrella."}`
	finalAnswer  = "Yes: light rain is likely in Lisbon tomorrow afternoon (about 4 mm, 70% chance), so pack a small " +
		"umbrella. I could not set a reminder: the notification service is not configured."
)

// newClient starts an SDK client sending to base, with the demo's source.
func newClient(t testing.TB, base string, opts ...agentops.Option) *agentops.Client {
	t.Helper()
	c, err := agentops.Init(context.Background(), append([]agentops.Option{
		agentops.WithEndpoint(base),
		agentops.WithServiceName("trip-planner"),
		agentops.WithSourceFS(demoSource),
		agentops.WithLogger(slog.New(slog.DiscardHandler)),
		agentops.WithErrorHandler(func(err error) { t.Errorf("agentops: %v", err) }),
	}, opts...)...)
	require.NoError(t, err)
	return c
}

// shutdown flushes c: the sessions, logs and files are stored when it
// returns.
func shutdown(t testing.TB, c *agentops.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, c.Shutdown(ctx))
}

var (
	systemMsg = agentops.Message{Role: "system", Content: systemPrompt}
	userMsg   = agentops.Message{Role: "user", Content: userPrompt}
	tripTools = []agentops.ToolDefinition{
		{Name: "get_forecast", Description: "Tomorrow's weather for a city", Parameters: `{"type":"object","properties":{"city":{"type":"string"}}}`},
		{Name: "send_notification", Description: "Send the user a reminder", Parameters: `{"type":"object","properties":{"text":{"type":"string"}}}`},
	}
)

// llm records one model call that takes about d (the first chunk at a
// third of it) and answers resp.
func llm(ctx context.Context, d time.Duration, req agentops.LLMRequest, resp agentops.LLMResponse) {
	req.Stream = true
	_, call := agentops.StartLLM(ctx, req)
	time.Sleep(d / 3)
	call.ChunkReceived()
	time.Sleep(d - d/3)
	call.End(resp, nil)
}

// seedTripPlanner runs the trip-planner session (the sleeps give the
// waterfall the shape of a real run, in half a second) and returns its
// trace id.
func seedTripPlanner(c *agentops.Client) string {
	log := slog.New(agentops.NewSlogHandler(slog.DiscardHandler))
	ctx, sess := c.StartSession(context.Background(), "trip-planner", agentops.WithTags("demo", "weather"))
	log.InfoContext(ctx, "planning a trip", "city", "Lisbon")
	actx, agent := agentops.StartSpan(ctx, agentops.KindAgent, "planner")

	askForecast := agentops.ToolCall{ID: "call_forecast_1", Name: "get_forecast", Arguments: forecastArgs}
	log.InfoContext(actx, "calling the model", "model", "gpt-4o-mini")
	llm(actx, 120*time.Millisecond, agentops.LLMRequest{Provider: "openai", Model: "gpt-4o-mini", Messages: []agentops.Message{systemMsg, userMsg}, Tools: tripTools},
		agentops.LLMResponse{ID: "chatcmpl-1", Model: "gpt-4o-mini-2024-07-18",
			Choices: []agentops.Choice{{Message: agentops.Message{Role: "assistant", ToolCalls: []agentops.ToolCall{askForecast}}, FinishReason: "tool_calls"}},
			Usage:   &agentops.Usage{InputTokens: 412, OutputTokens: 23, CacheReadTokens: 128}})
	_, _ = agentops.RunTool(actx, askForecast, func(ctx context.Context, _ string) (string, error) {
		time.Sleep(60 * time.Millisecond)
		log.InfoContext(ctx, "forecast fetched", "city", "Lisbon", "rain_mm", 4.2)
		return forecast, nil
	})

	forecastMsg := agentops.Message{Role: "tool", ToolCallID: askForecast.ID, Content: forecast}
	askNotify := agentops.ToolCall{ID: "call_notify_1", Name: "send_notification", Arguments: notifyArgs}
	history := []agentops.Message{systemMsg, userMsg, {Role: "assistant", ToolCalls: []agentops.ToolCall{askForecast}}, forecastMsg}
	llm(actx, 90*time.Millisecond, agentops.LLMRequest{Provider: "openai", Model: "gpt-4o-mini", Messages: history, Tools: tripTools},
		agentops.LLMResponse{ID: "chatcmpl-2", Model: "gpt-4o-mini-2024-07-18",
			Choices: []agentops.Choice{{Message: agentops.Message{Role: "assistant", ToolCalls: []agentops.ToolCall{askNotify}}, FinishReason: "tool_calls"}},
			Usage:   &agentops.Usage{InputTokens: 498, OutputTokens: 31, CacheReadTokens: 384}})
	_, _ = agentops.RunTool(actx, askNotify, func(context.Context, string) (string, error) {
		time.Sleep(25 * time.Millisecond)
		return "", notifyPanic
	})
	log.ErrorContext(actx, "notification failed", "at", fmt.Sprintf("tools/notify.go:%d", panicLine), "err", "nil *tools.Notifier")
	log.WarnContext(actx, "answering without a reminder")

	history = append(history, agentops.Message{Role: "assistant", ToolCalls: []agentops.ToolCall{askNotify}},
		agentops.Message{Role: "tool", ToolCallID: askNotify.ID, Content: "error: the tool panicked (nil pointer dereference)"})
	llm(actx, 150*time.Millisecond, agentops.LLMRequest{Provider: "openai", Model: "gpt-4o-mini", Messages: history, Tools: tripTools},
		agentops.LLMResponse{ID: "chatcmpl-3", Model: "gpt-4o-mini-2024-07-18",
			Choices: []agentops.Choice{{Message: agentops.Message{Role: "assistant", Content: finalAnswer}, FinishReason: "stop"}},
			Usage:   &agentops.Usage{InputTokens: 561, OutputTokens: 48, CacheReadTokens: 384}})
	agent.End(nil)
	log.InfoContext(ctx, "answer sent", "chars", len(finalAnswer))
	sess.End(agentops.Success)
	return sess.TraceID().String()
}

// seedOthers runs three short sessions, so the list has some variety:
// another provider, a failure, an indeterminate end.
func seedOthers(c *agentops.Client) {
	ctx, sess := c.StartSession(context.Background(), "support-triage", agentops.WithTags("support"))
	_, _ = agentops.Run(ctx, agentops.KindRetrieval, "kb-search", func(context.Context) (string, error) {
		time.Sleep(15 * time.Millisecond)
		return "3 articles", nil
	}, agentops.WithInput("refund policy for annual plans"))
	llm(ctx, 40*time.Millisecond, agentops.LLMRequest{Provider: "anthropic", Model: "claude-sonnet-4-5",
		Messages: []agentops.Message{{Role: "user", Content: "Classify this ticket: 'I was charged twice for my annual plan.'"}}},
		agentops.LLMResponse{Model: "claude-sonnet-4-5", Choices: []agentops.Choice{{Message: agentops.Message{Role: "assistant", Content: "billing/refund"}, FinishReason: "end_turn"}},
			Usage: &agentops.Usage{InputTokens: 1840, OutputTokens: 12}})
	sess.End(agentops.Success)

	ctx, sess = c.StartSession(context.Background(), "inbox-summary", agentops.WithTags("email", "nightly"))
	llm(ctx, 30*time.Millisecond, agentops.LLMRequest{Provider: "openai", Model: "gpt-4.1",
		Messages: []agentops.Message{{Role: "user", Content: "Summarise today's unread mail."}}},
		agentops.LLMResponse{Model: "gpt-4.1", Choices: []agentops.Choice{{Message: agentops.Message{Role: "assistant", Content: "You have 12 unread messages..."}, FinishReason: "stop"}},
			Usage: &agentops.Usage{InputTokens: 9120, OutputTokens: 356}})
	sess.Fail(errors.New("mailbox quota exceeded"))

	ctx, sess = c.StartSession(context.Background(), "code-review", agentops.WithTags("ci"))
	_ = agentops.Do(ctx, agentops.KindTask, "fetch-diff", func(context.Context) error {
		time.Sleep(10 * time.Millisecond)
		return nil
	})
	sess.End(agentops.Indeterminate)
}

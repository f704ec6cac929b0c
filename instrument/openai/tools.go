package openai

import (
	"context"
	"errors"
	"fmt"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/agentops-go/agentops"
)

// ToolFunc runs one tool: it gets the context of the tool's span and the
// call's arguments (JSON, as the model wrote them), and returns the result
// text for the model. RunToolCalls calls it on its own goroutine, one call
// after the other.
type ToolFunc func(ctx context.Context, arguments string) (string, error)

// ErrUnknownTool is wrapped by the error of a call to a tool that
// RunToolCalls was not given.
var ErrUnknownTool = errors.New("unknown tool")

// RunToolCalls runs the tool calls of an assistant message, in order, each
// through agentops.RunTool (an "execute_tool {name}" span with the call's
// id, arguments and result), and returns the tool messages to send back:
// one per call, in the same order, with the call's id and the result as
// content. A call that fails, or names a tool not in tools, gets
// "error: <message>" as content, so the model can recover; the returned
// error joins those failures, and the messages are complete either way.
// Legacy function_call messages have no call id to answer and are not
// run. RunToolCalls is safe for concurrent use if the tools are.
func RunToolCalls(ctx context.Context, msg goopenai.ChatCompletionMessage, tools map[string]ToolFunc) ([]goopenai.ChatCompletionMessage, error) {
	out := make([]goopenai.ChatCompletionMessage, 0, len(msg.ToolCalls))
	var errs []error
	for _, tc := range msg.ToolCalls {
		call := agentops.ToolCall{ID: tc.ID, Type: string(tc.Type), Name: tc.Function.Name, Arguments: tc.Function.Arguments}
		fn := tools[call.Name]
		if fn == nil {
			fn = func(context.Context, string) (string, error) {
				return "", fmt.Errorf("%w %q", ErrUnknownTool, call.Name)
			}
		}
		var toolErr error
		result, err := agentops.RunTool(ctx, call, func(ctx context.Context, arguments string) (string, error) {
			res, err := fn(ctx, arguments)
			toolErr = err
			return res, err
		})
		if err != nil {
			errs = append(errs, err)
			if toolErr == nil {
				toolErr = err
			}
			result = "error: " + toolErr.Error()
		}
		out = append(out, goopenai.ChatCompletionMessage{
			Role:       goopenai.ChatMessageRoleTool,
			ToolCallID: tc.ID,
			Content:    result,
		})
	}
	return out, errors.Join(errs...)
}

package agentops

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/attribute"

	"github.com/agentops-go/agentops/internal/semconv"
)

// RunTool runs fn for one tool call a model asked for, under an
// execute_tool span that carries the call's id, name and type (from
// LevelStandard up) and its arguments and result (when content is
// captured: see TraceLevel), in both vocabularies. fn gets the span's
// context and the call's arguments (JSON, as the model wrote them) and
// returns the result text for the model. A panic in fn ends the span with an
// error and is re-raised.
func RunTool(ctx context.Context, call ToolCall, fn func(ctx context.Context, arguments string) (string, error)) (string, error) {
	ctx, t := startTool(ctx, call)
	defer endOnPanic(t.span)
	result, err := fn(ctx, call.Arguments)
	t.end(result, err)
	if err != nil {
		return result, fmt.Errorf("tool %s (call %s): %w", call.Name, call.ID, err)
	}
	return result, nil
}

// toolSpan is the execute_tool span of one call, as RunTool and a Bridge
// record it.
type toolSpan struct {
	span    *Span
	client  *Client
	capture bool // content capture is on and the span records
}

// startTool starts the span of call with its id, name and type from
// LevelStandard up, and its arguments when content is captured.
func startTool(ctx context.Context, call ToolCall) (context.Context, toolSpan) {
	c := clientFor(ctx)
	var opts []SpanOption
	if c != nil && c.cfg.level >= LevelStandard {
		typ := call.Type
		if typ == "" {
			typ = "function"
		}
		opts = append(opts, WithAttributes(
			attribute.String(semconv.ToolCallID, call.ID),
			attribute.String(semconv.GenAIToolCallID, call.ID),
			attribute.String(semconv.ToolType, typ),
		))
	}
	ctx, span := c.StartSpan(ctx, KindTool, call.Name, opts...)
	t := toolSpan{span: span, client: c, capture: c != nil && c.cfg.captureContent && span.span.IsRecording()}
	t.setArguments(call.Arguments)
	return ctx, t
}

// setArguments records the call's arguments, when content is captured.
func (t toolSpan) setArguments(arguments string) {
	if t.capture {
		args := t.client.content().text(arguments)
		t.span.span.SetAttributes(
			attribute.String(semconv.ToolCallArguments, args),
			attribute.String(semconv.ToolParameters, args),
			attribute.String(t.span.info.inputKey, args))
	}
}

// end records the result of a call that succeeded, and ends the span.
func (t toolSpan) end(result string, err error) {
	if t.capture && err == nil {
		res := t.client.content().text(result)
		t.span.span.SetAttributes(
			attribute.String(semconv.ToolCallResult, res),
			attribute.String(semconv.ToolResult, res),
			attribute.String(t.span.info.outputKey, res))
	}
	t.span.End(err)
}

package agentops

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/attribute"

	"github.com/agentops-go/agentops/internal/semconv"
)

// RunTool runs fn for one tool call a model asked for, under an
// execute_tool span that carries the call's id, name and type, and (when
// content capture is on) its arguments and result, in both vocabularies.
// fn gets the span's context and the call's arguments (JSON, as the model
// wrote them) and returns the result text for the model. A panic in fn ends
// the span with an error and is re-raised.
func RunTool(ctx context.Context, call ToolCall, fn func(ctx context.Context, arguments string) (string, error)) (string, error) {
	c := clientFor(ctx)
	typ := call.Type
	if typ == "" {
		typ = "function"
	}
	ctx, span := c.StartSpan(ctx, KindTool, call.Name, WithAttributes(
		attribute.String(semconv.ToolCallID, call.ID),
		attribute.String(semconv.GenAIToolCallID, call.ID),
		attribute.String(semconv.ToolType, typ),
	))
	defer endOnPanic(span)
	capture := c != nil && c.cfg.captureContent && span.span.IsRecording()
	if capture {
		args := c.content().text(call.Arguments)
		span.span.SetAttributes(
			attribute.String(semconv.ToolCallArguments, args),
			attribute.String(semconv.ToolParameters, args),
			attribute.String(span.info.inputKey, args))
	}
	result, err := fn(ctx, call.Arguments)
	if capture && err == nil {
		res := c.content().text(result)
		span.span.SetAttributes(
			attribute.String(semconv.ToolCallResult, res),
			attribute.String(semconv.ToolResult, res),
			attribute.String(span.info.outputKey, res))
	}
	span.End(err)
	if err != nil {
		return result, fmt.Errorf("tool %s (call %s): %w", call.Name, call.ID, err)
	}
	return result, nil
}

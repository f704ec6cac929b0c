package agentopseino

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/cloudwego/eino/callbacks"
	"github.com/cloudwego/eino/components"
	"github.com/cloudwego/eino/components/model"
	"github.com/cloudwego/eino/components/prompt"
	"github.com/cloudwego/eino/components/retriever"
	"github.com/cloudwego/eino/components/tool"
	"github.com/cloudwego/eino/compose"

	"github.com/agentops-go/agentops"
)

// The input and output of a run are the component's callback payloads:
// the typed *model.CallbackInput and the like when the component reports
// its own callbacks (as eino-ext's models do), its plain input and output
// when a graph node reports them for it. Each component package's
// ConvCallbackInput and ConvCallbackOutput read both forms.

// describe is the start of r in the Bridge's terms; input is nil for a run
// whose input is a stream.
func (r *run) describe(ctx context.Context, input callbacks.CallbackInput) agentops.BridgeStart {
	s := agentops.BridgeStart{Key: r, Kind: r.kind, Name: r.name}
	switch r.info.Component {
	case components.ComponentOfChatModel:
		s.LLM = llmRequest(r.info.Type, model.ConvCallbackInput(input))
		return s
	case components.ComponentOfTool:
		// The tools node puts the call's id in the context the tool runs
		// with; a tool run elsewhere has none.
		s.Tool = &agentops.ToolCall{ID: compose.GetToolCallID(ctx), Name: r.name}
		if in := tool.ConvCallbackInput(input); in != nil {
			s.Tool.Arguments = in.ArgumentsInJSON
		}
		return s
	case components.ComponentOfRetriever:
		if in := retriever.ConvCallbackInput(input); in != nil {
			s.Input = in.Query
			return s
		}
	case components.ComponentOfPrompt:
		if in := prompt.ConvCallbackInput(input); in != nil {
			s.Input = in.Variables
			return s
		}
	}
	s.Input = input
	return s
}

// outcome is how r ended, in the Bridge's terms, given its output.
func (r *run) outcome(output callbacks.CallbackOutput) agentops.BridgeEnd {
	switch r.info.Component {
	case components.ComponentOfChatModel:
		return agentops.BridgeEnd{LLM: llmResponse(model.ConvCallbackOutput(output))}
	case components.ComponentOfTool:
		if out := tool.ConvCallbackOutput(output); out != nil {
			if out.Response == "" && out.ToolOutput != nil {
				// A multimodal result: as JSON, for the Bridge records a
				// tool's result as text.
				return agentops.BridgeEnd{Output: text(out.ToolOutput)}
			}
			return agentops.BridgeEnd{Output: out.Response}
		}
	case components.ComponentOfRetriever:
		if out := retriever.ConvCallbackOutput(output); out != nil {
			return agentops.BridgeEnd{Output: out.Docs}
		}
	case components.ComponentOfPrompt:
		if out := prompt.ConvCallbackOutput(output); out != nil {
			return agentops.BridgeEnd{Output: out.Result}
		}
	}
	return agentops.BridgeEnd{Output: output}
}

// text is v as the Bridge records it as text (a message's content, a
// tool's result): a string as it is, anything else as JSON.
func text(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%+v", v)
	}
	return string(b)
}

package agentopslangchain

import (
	"cmp"
	"context"
	"strings"

	"github.com/tmc/langchaingo/callbacks"
	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/schema"
	"go.opentelemetry.io/otel/trace"

	"github.com/agentops-go/agentops"
)

// Handler is a langchaingo callbacks.Handler that records what it is told
// as agentops spans: chains as workflow and task spans (agent spans through
// Agent), LLM calls as chat spans with their messages and token usage,
// tools as execute_tool spans, retrievers as retrieval spans. Make one
// with New.
//
// Give the same Handler, or views of it made by Named, Agent and LLM, to
// every part of a chain: the views share its runs, so a run reported
// through one nests under a run reported through another. A Handler is
// safe for concurrent use, on the terms the package documentation sets
// out: concurrent runs need contexts of their own.
type Handler struct {
	t *tracker

	name     string // of chain, tool and retriever runs
	agent    bool   // chain runs are agents
	provider string // of LLM calls
	model    string // of LLM calls
}

var _ callbacks.Handler = (*Handler)(nil)

// New returns a Handler with no run open.
func New(opts ...Option) *Handler {
	var cfg config
	for _, o := range opts {
		cfg = o.apply(cfg)
	}
	return &Handler{t: newTracker(cfg)}
}

// Named returns a view of h whose chain, tool and retriever runs are named
// name: give it to a chain (chains.WithCallback), a tool, or a retriever.
// Unnamed, they are "chain", "tool" and "retriever".
func (h *Handler) Named(name string) *Handler {
	v := *h
	v.name = name
	return &v
}

// Agent returns a view of h whose chain runs are agent spans named name:
// give it to an agent executor (agents.WithCallbacksHandler).
func (h *Handler) Agent(name string) *Handler {
	v := h.Named(name)
	v.agent = true
	return v
}

// LLM returns a view of h whose LLM calls are calls to model at provider
// (gen_ai.provider.name: "openai", "anthropic", ...; the SDK's default
// when empty): give it to the langchaingo LLM (openai.WithCallback, ...).
// langchaingo tells its callbacks neither, so without this view the calls
// have no model.
func (h *Handler) LLM(provider, model string) *Handler {
	v := *h
	v.provider, v.model = provider, model
	return &v
}

// Context returns the context of the innermost run open on ctx, which
// carries its span, or ctx when none is: code that runs inside a run with
// the context langchaingo gave it (a tool's, say) starts its own spans
// from it to nest them under the run, since a callback cannot hand a
// context back to langchaingo.
func (h *Handler) Context(ctx context.Context) context.Context {
	out := ctx
	h.t.do(ctx, false, func(st *stack) {
		if c, ok := h.t.bridge.Context(st.top()); ok {
			out = c
		}
	})
	return out
}

// Open is how many runs have started and not ended.
func (h *Handler) Open() int { return h.t.bridge.Open() }

// Close ends every run still open, as failed with agentops.ErrRunNotEnded:
// call it when the program is done with langchaingo (before the agentops
// Client's Shutdown), so that a run langchaingo never ended is not left
// out. It closes the views of h too.
func (h *Handler) Close() { h.t.close() }

// runName is what a chain, tool or retriever run is called.
func (h *Handler) runName(fallback string) string { return cmp.Or(h.name, fallback) }

// HandleChainStart starts a chain run: an agent span through an Agent
// view, else a workflow span for the outermost chain of its context and a
// task span for the chains inside it.
func (h *Handler) HandleChainStart(ctx context.Context, inputs map[string]any) {
	h.t.do(ctx, true, func(st *stack) {
		h.t.settle(st, cue{})
		outermost := st.top() == nil
		r := &run{role: roleChain}
		kind := agentops.KindTask
		switch {
		case h.agent:
			kind = agentops.KindAgent
		case outermost:
			kind = agentops.KindWorkflow
		}
		start := ctx
		if outermost && h.t.cfg.sessionPerRun && !trace.SpanContextFromContext(ctx).IsValid() {
			r.session = true
			start = h.t.bridge.StartSession(ctx, sessionKey{r}, h.name)
		}
		h.t.push(st, start, r, agentops.BridgeStart{Kind: kind, Name: h.runName("chain"), Input: inputs})
	})
}

// HandleChainEnd ends the innermost chain run of ctx with its outputs.
func (h *Handler) HandleChainEnd(ctx context.Context, outputs map[string]any) {
	h.end(ctx, roleChain, agentops.BridgeEnd{Output: outputs})
}

// HandleChainError ends the innermost chain run of ctx as failed.
func (h *Handler) HandleChainError(ctx context.Context, err error) {
	h.end(ctx, roleChain, agentops.BridgeEnd{Err: err})
}

// HandleLLMGenerateContentStart starts an LLM call with the messages sent.
func (h *Handler) HandleLLMGenerateContentStart(ctx context.Context, ms []llms.MessageContent) {
	h.startLLM(ctx, agentops.LLMRequest{Messages: messages(ms)}, ms)
}

// HandleLLMStart starts a text completion of prompts. No client of
// langchaingo v0.1.14 reports it; it ends as a call of
// HandleLLMGenerateContentStart does.
func (h *Handler) HandleLLMStart(ctx context.Context, prompts []string) {
	h.startLLM(ctx, agentops.LLMRequest{Operation: agentops.OperationTextCompletion, Prompts: prompts}, nil)
}

func (h *Handler) startLLM(ctx context.Context, req agentops.LLMRequest, ms []llms.MessageContent) {
	req.Provider, req.Model = h.provider, h.model
	h.t.do(ctx, true, func(st *stack) {
		h.t.settle(st, cue{messages: ms})
		h.t.push(st, ctx, &run{role: roleLLM}, agentops.BridgeStart{Kind: agentops.KindLLM, LLM: &req})
	})
}

// HandleLLMGenerateContentEnd ends the innermost LLM call of ctx with the
// model's choices, finish reasons and token usage.
func (h *Handler) HandleLLMGenerateContentEnd(ctx context.Context, res *llms.ContentResponse) {
	h.end(ctx, roleLLM, agentops.BridgeEnd{LLM: response(res)})
}

// HandleLLMError ends the innermost LLM call of ctx as failed. Not every
// client reports its errors (langchaingo's openai client does not): a
// call left open is ended by what follows on its context (see the package
// documentation).
func (h *Handler) HandleLLMError(ctx context.Context, err error) {
	h.end(ctx, roleLLM, agentops.BridgeEnd{Err: err})
}

// HandleToolStart starts a tool run with its input, or, when an agent
// action just started the run for this input, lets the tool's own end
// close it.
func (h *Handler) HandleToolStart(ctx context.Context, input string) {
	h.t.do(ctx, true, func(st *stack) {
		h.t.settle(st, cue{isToolStart: true, toolInput: input})
		if top := st.top(); top != nil && top.awaits(input) {
			top.action.claimed = true
			return
		}
		h.t.push(st, ctx, &run{role: roleTool}, agentops.BridgeStart{Kind: agentops.KindTool, Name: h.runName("tool"), Input: input})
	})
}

// HandleToolEnd ends the innermost tool run of ctx with its output.
func (h *Handler) HandleToolEnd(ctx context.Context, output string) {
	h.end(ctx, roleTool, agentops.BridgeEnd{Output: output})
}

// HandleToolError ends the innermost tool run of ctx as failed.
func (h *Handler) HandleToolError(ctx context.Context, err error) {
	h.end(ctx, roleTool, agentops.BridgeEnd{Err: err})
}

// HandleAgentAction starts the tool run of the call the agent decided on,
// with the model's call id and the tool's input, and records the agent's
// log of it (its thought, for a ReAct agent) as a message of the run: the
// executor reports no tool run of its own, and most tools report nothing.
func (h *Handler) HandleAgentAction(ctx context.Context, action schema.AgentAction) {
	// The executor passes the input without the ReAct stop word.
	input := strings.TrimSuffix(action.ToolInput, "\nObservation:")
	h.t.do(ctx, true, func(st *stack) {
		h.t.settle(st, cue{agent: true})
		r := &run{role: roleTool, action: &agentAction{input: input, callID: action.ToolID}}
		h.t.push(st, ctx, r, agentops.BridgeStart{
			Kind: agentops.KindTool, Name: action.Tool, Input: input,
			Tool: &agentops.ToolCall{ID: action.ToolID, Name: action.Tool, Arguments: input},
		})
		if action.Log != "" {
			h.t.bridge.Message(r, "assistant", action.Log)
		}
	})
}

// HandleAgentFinish records the agent's answer as a message of the
// innermost run of ctx, the executor's chain run, which ends with the
// answer as its output right after.
func (h *Handler) HandleAgentFinish(ctx context.Context, finish schema.AgentFinish) {
	h.t.do(ctx, false, func(st *stack) {
		h.t.settle(st, cue{agent: true})
		if top := st.top(); top != nil {
			h.t.bridge.Message(top, "assistant", answer(finish))
		}
	})
}

// answer is the text of an agent's finish: its one return value when that
// is a string, else its log.
func answer(finish schema.AgentFinish) string {
	if len(finish.ReturnValues) == 1 {
		for _, v := range finish.ReturnValues {
			if s, ok := v.(string); ok {
				return s
			}
		}
	}
	return finish.Log
}

// HandleRetrieverStart starts a retrieval run for query.
func (h *Handler) HandleRetrieverStart(ctx context.Context, query string) {
	h.t.do(ctx, true, func(st *stack) {
		h.t.settle(st, cue{})
		h.t.push(st, ctx, &run{role: roleRetriever}, agentops.BridgeStart{Kind: agentops.KindRetrieval, Name: h.runName("retriever"), Input: query})
	})
}

// HandleRetrieverEnd ends the innermost retrieval run of ctx with the
// documents found. langchaingo reports no retriever error: a failed
// retrieval ends with the chain it failed.
func (h *Handler) HandleRetrieverEnd(ctx context.Context, _ string, documents []schema.Document) {
	h.end(ctx, roleRetriever, agentops.BridgeEnd{Output: documents})
}

// HandleText records text as a message, role "text", of the innermost run
// of ctx; with no run open there is nothing to attach it to.
func (h *Handler) HandleText(ctx context.Context, text string) {
	h.t.do(ctx, false, func(st *stack) {
		h.t.bridge.Message(st.top(), "text", text)
	})
}

// HandleStreamingFunc records nothing: the streamed text arrives whole at
// HandleLLMGenerateContentEnd, and a chunk cannot be matched to its call,
// since the openai client reports chunks with a context of its own making.
func (h *Handler) HandleStreamingFunc(context.Context, []byte) {}

func (h *Handler) end(ctx context.Context, r role, e agentops.BridgeEnd) {
	h.t.do(ctx, false, func(st *stack) { h.t.closeInnermost(st, r, e) })
}

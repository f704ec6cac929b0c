package agentopseino

import (
	"context"

	"github.com/cloudwego/eino/callbacks"
	"github.com/cloudwego/eino/components"
	"github.com/cloudwego/eino/compose"

	"github.com/agentops-go/agentops"
)

// run is one component run that eino reported the start of. Its address
// is the run's key in the Bridge: eino has no run ids, but it gives OnEnd
// and OnError the context OnStart returned, and that context carries the
// run.
type run struct {
	info    callbacks.RunInfo // as OnStart got it, to recognise its end
	kind    agentops.Kind
	name    string
	session bool // the run started a session, keyed sessionKey{run}
}

// sessionKey is the Bridge key of the session a run started: a key of its
// own, because the run's span is keyed by the run.
type sessionKey struct{ *run }

// newRun returns the run eino reports with info (nil when eino reports
// none).
func newRun(info *callbacks.RunInfo) *run {
	if info == nil {
		return nil
	}
	name := info.Name
	if name == "" {
		name = info.Type + string(info.Component) // eino's own default: "OpenAIChatModel"
	}
	return &run{info: *info, kind: kindOf(info.Component), name: name}
}

// kindOf maps an eino component to the kind of its span.
func kindOf(c components.Component) agentops.Kind {
	switch c {
	case components.ComponentOfChatModel:
		return agentops.KindLLM
	case components.ComponentOfTool:
		return agentops.KindTool
	case components.ComponentOfRetriever:
		return agentops.KindRetrieval
	case compose.ComponentOfGraph, compose.ComponentOfChain, compose.ComponentOfWorkflow:
		return agentops.KindWorkflow
	default:
		return agentops.KindTask
	}
}

type runKey struct{}

func withRun(ctx context.Context, r *run) context.Context {
	return context.WithValue(ctx, runKey{}, r)
}

// parentRun is the run whose context ctx is, if any.
func parentRun(ctx context.Context) *run {
	r, _ := ctx.Value(runKey{}).(*run)
	return r
}

// runOf is the run that an end reported with ctx and info ends: the run
// ctx carries, if it is the one info names. An end may come with a context
// its own start never returned (eino-ext's OpenAI model reports an error
// in building a streamed request without a start), and must not end the
// enclosing run then.
func runOf(ctx context.Context, info *callbacks.RunInfo) *run {
	r := parentRun(ctx)
	if r == nil || info == nil || r.info != *info {
		return nil
	}
	return r
}

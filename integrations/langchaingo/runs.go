package agentopslangchain

import (
	"context"
	"reflect"
	"slices"
	"sync"

	"github.com/agentops-go/agentops"
	"github.com/tmc/langchaingo/llms"
)

// role is what a run is, as far as pairing its start and end goes.
type role int

const (
	roleChain role = iota
	roleLLM
	roleTool
	roleRetriever
)

// run is one open run: the key of its span in the Bridge.
type run struct {
	role role
	// action is set on a tool run started by an agent action, before (and
	// unless) the tool reports its own start.
	action *agentAction
	// session is set on an outermost chain run opened in a session of its
	// own (see sessionKey), which ends with the run.
	session bool
}

// sessionKey is the Bridge key of the session a chain run opened.
type sessionKey struct{ chain *run }

// awaits reports whether r is the tool run of an agent action whose tool
// has not reported its start, with input as its input.
func (r *run) awaits(input string) bool {
	return r.action != nil && !r.action.claimed && r.action.input == input
}

// agentAction is what a tool run started by an agent action remembers of
// the action.
type agentAction struct {
	input  string // what the executor passes to the tool
	callID string // the model's tool call id, when it gave one
	// claimed is set once the tool reports its start: from then on the
	// tool reports its end too, except on the paths where langchaingo's own
	// tools forget to.
	claimed bool
}

// stack is the runs open on one context, the innermost last.
type stack struct {
	runs []*run
	stop func() bool // stops the context.AfterFunc that abandons the runs
}

func (s *stack) top() *run {
	if len(s.runs) == 0 {
		return nil
	}
	return s.runs[len(s.runs)-1]
}

// tracker pairs langchaingo's callbacks, which name no run, into Bridge
// runs. A callback's context is the only thing its start and end share, so
// the runs open on each context form a stack: a start pushes, an end pops
// the innermost run of its kind, and a run starts under the innermost run
// of its context (else under the span the context carries).
//
// One mutex guards every stack, and it is held across the Bridge calls:
// the ends that a context's cancellation triggers (see abandon) must not
// interleave with a start or end on that context, and a span's start and
// end are cheap (the SDK's processors only enqueue), so the lock is never
// held for long.
type tracker struct {
	bridge *agentops.Bridge
	cfg    config

	mu     sync.Mutex
	stacks map[context.Context]*stack
}

func newTracker(cfg config) *tracker {
	return &tracker{bridge: agentops.NewBridge(), cfg: cfg, stacks: map[context.Context]*stack{}}
}

// do runs fn with the stack of ctx, under the lock. Without create, fn
// runs only when ctx has open runs. A stack left empty is dropped.
func (t *tracker) do(ctx context.Context, create bool, fn func(*stack)) {
	// A context is a map key here; one whose dynamic type cannot be
	// compared (a context type of the program's own) would panic, so its
	// runs are not recorded.
	if ctx == nil || !reflect.TypeOf(ctx).Comparable() {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	st := t.stacks[ctx]
	if st == nil {
		if !create {
			return
		}
		st = &stack{}
		t.stacks[ctx] = st
		// The LLM clients report no end for a call that fails (langchaingo's
		// openai client, for one), so a context that is done ends what is
		// still open on it rather than keep it, and its spans, forever.
		st.stop = context.AfterFunc(ctx, func() { t.abandon(ctx, st) })
	}
	fn(st)
	if len(st.runs) == 0 {
		st.stop()
		delete(t.stacks, ctx)
	}
}

// abandon ends the runs still open on a context that is done, as failed
// with the context's cause.
func (t *tracker) abandon(ctx context.Context, st *stack) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stacks[ctx] != st {
		return // its runs ended, and maybe a new stack took its place
	}
	delete(t.stacks, ctx)
	err := context.Cause(ctx)
	for _, r := range slices.Backward(st.runs) {
		t.end(r, agentops.BridgeEnd{Err: err})
	}
}

// push starts r's span from ctx under the innermost run of st, and makes
// r the innermost.
func (t *tracker) push(st *stack, ctx context.Context, r *run, s agentops.BridgeStart) {
	s.Key = r
	if top := st.top(); top != nil {
		s.Parent = top
	}
	t.bridge.Start(ctx, s)
	st.runs = append(st.runs, r)
}

// cue is what a callback that does not end a run proves about the runs on
// its context; see settle.
type cue struct {
	agent bool // an agent action or finish: the executor has gone on
	// toolInput, with isToolStart, is the input of a tool that reports
	// its start: it claims a tool run its action started.
	toolInput   string
	isToolStart bool
	// messages are an LLM call's request, where a silent tool's result
	// may be found.
	messages []llms.MessageContent
}

// settle ends the runs at the top of st that the callback c describes
// proves over, because langchaingo never reports their end:
//   - an LLM call contains no other run, so anything new on its context
//     means its client returned an error it did not report;
//   - a tool run an agent action started, whose tool reports nothing,
//     lasts until the next callback (its result, when the model gave a
//     call id, is read from the next LLM request);
//   - a tool that reported its start but not its end (langchaingo's
//     Calculator on an expression it cannot evaluate) is over when its
//     agent takes its next action or finishes.
func (t *tracker) settle(st *stack, c cue) {
	for top := st.top(); top != nil; top = st.top() {
		e, over := top.overAt(c)
		if !over {
			return
		}
		st.runs = st.runs[:len(st.runs)-1]
		t.end(top, e)
	}
}

// overAt reports whether r, open at the top of its stack, is over when c
// comes (see settle), and how it ended.
func (r *run) overAt(c cue) (agentops.BridgeEnd, bool) {
	a := r.action
	switch {
	case r.role == roleLLM:
		return agentops.BridgeEnd{Err: agentops.ErrRunNotEnded}, true
	case a != nil && !a.claimed:
		if c.isToolStart && r.awaits(c.toolInput) {
			return agentops.BridgeEnd{}, false // its tool speaks after all
		}
		out, ok := toolResult(c.messages, a.callID)
		if !ok {
			return agentops.BridgeEnd{}, true
		}
		return agentops.BridgeEnd{Output: out}, true
	case a != nil:
		return agentops.BridgeEnd{}, c.agent
	}
	return agentops.BridgeEnd{}, false
}

// closeInnermost ends the innermost run of role r on st with e, and first
// the runs above it, which never reported their end: with e's error when
// the run failed (theirs, most likely), else as not ended, except tool runs
// of agent actions, which returned if their agent went on. An end with no
// such run open is ignored: its start was not reported, or its context
// was done first.
func (t *tracker) closeInnermost(st *stack, r role, e agentops.BridgeEnd) {
	i := len(st.runs) - 1
	for i >= 0 && st.runs[i].role != r {
		i--
	}
	if i < 0 {
		return
	}
	above := st.runs[i+1:]
	target := st.runs[i]
	st.runs = st.runs[:i]
	for _, x := range slices.Backward(above) {
		err := e.Err
		if err == nil && x.action == nil {
			err = agentops.ErrRunNotEnded
		}
		t.end(x, agentops.BridgeEnd{Err: err})
	}
	t.end(target, e)
}

// end ends r, and the session it opened with it.
func (t *tracker) end(r *run, e agentops.BridgeEnd) {
	t.bridge.End(r, e)
	if r.session {
		t.bridge.End(sessionKey{r}, agentops.BridgeEnd{Err: e.Err})
	}
}

// close ends every open run, as the Bridge's Close does, and forgets the
// contexts.
func (t *tracker) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for ctx, st := range t.stacks {
		st.stop()
		delete(t.stacks, ctx)
	}
	t.bridge.Close()
}

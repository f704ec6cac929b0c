package openai

import (
	goopenai "github.com/sashabaranov/go-openai"

	"github.com/agentops-go/agentops"
)

// Bounds on what one stream may make the assembler hold, whatever the
// server sends: choices and tool calls past these indexes are not
// recorded, and each text stops growing at maxAssembledText (the root API
// caps recorded content far below it anyway).
const (
	maxChoices       = 128
	maxToolCalls     = 128
	maxAssembledText = 1 << 20
)

// assembler rebuilds a streamed answer from its chunks: each choice
// separately, by its index; within a choice, tool calls by their index,
// their id, type and name from the first delta that has them and their
// arguments concatenated; a finish reason per choice; usage from the chunk
// that carries it (the last one, when the caller asked for
// stream_options.include_usage). It is not safe for concurrent use; its
// owner locks.
type assembler struct {
	content bool // assemble texts (the span records content); else only what metrics and finish reasons need
	id      string
	model   string
	choices []choiceState
	usage   *agentops.Usage
}

type choiceState struct {
	role      string
	finish    string
	content   []byte
	reasoning []byte
	refusal   []byte
	calls     []callState
}

type callState struct {
	id, typ, name string
	args          []byte
}

// chat adds a chat.completion.chunk as go-openai decodes it.
func (a *assembler) chat(c *goopenai.ChatCompletionStreamResponse) {
	a.envelope(c.ID, c.Model, usage(c.Usage))
	for i := range c.Choices {
		ch := &c.Choices[i]
		d := &ch.Delta
		s := a.delta(ch.Index, d.Role, finishReason(ch.FinishReason), d.Content, d.ReasoningContent, d.Refusal)
		if s == nil || !a.content {
			continue
		}
		for j := range d.ToolCalls {
			tc := &d.ToolCalls[j]
			s.toolDelta(tc.Index, tc.ID, string(tc.Type), tc.Function.Name, tc.Function.Arguments)
		}
		if fc := d.FunctionCall; fc != nil { // the legacy form of a tool call
			s.toolDelta(&firstIndex, "", "function", fc.Name, fc.Arguments)
		}
	}
}

// completion adds a text_completion chunk as go-openai decodes it.
func (a *assembler) completion(c *goopenai.CompletionResponse) {
	a.envelope(c.ID, c.Model, usage(c.Usage))
	for i := range c.Choices {
		ch := &c.Choices[i]
		a.delta(ch.Index, "", ch.FinishReason, ch.Text, "", "")
	}
}

// wire adds a chunk of either kind as the transport decodes it.
func (a *assembler) wire(c *wireAnswer) {
	a.envelope(c.ID, c.Model, c.Usage.usage())
	for i := range c.Choices {
		ch := &c.Choices[i]
		d := &ch.Delta
		s := a.delta(ch.Index, d.Role, ch.FinishReason, string(d.Content)+ch.Text, d.ReasoningContent, d.Refusal)
		if s == nil || !a.content {
			continue
		}
		for j := range d.ToolCalls {
			tc := &d.ToolCalls[j]
			s.toolDelta(tc.Index, tc.ID, tc.Type, tc.Function.Name, string(tc.Function.Arguments))
		}
		if fc := d.FunctionCall; fc != nil {
			s.toolDelta(&firstIndex, "", "function", fc.Name, string(fc.Arguments))
		}
	}
}

var firstIndex = 0

func (a *assembler) envelope(id, model string, u *agentops.Usage) {
	setOnce(&a.id, id)
	setOnce(&a.model, model)
	if u != nil {
		a.usage = u
	}
}

// delta adds to choice i what one chunk brings it, and returns the
// choice's state (nil past maxChoices).
func (a *assembler) delta(i int, role, finish, content, reasoning, refusal string) *choiceState {
	s := a.choice(i)
	if s == nil {
		return nil
	}
	if role != "" {
		s.role = role
	}
	if finish != "" {
		s.finish = finish
	}
	if a.content {
		appendText(&s.content, content)
		appendText(&s.reasoning, reasoning)
		appendText(&s.refusal, refusal)
	}
	return s
}

// toolDelta adds a piece of a tool call: its id, type and name come once,
// its arguments in pieces.
func (s *choiceState) toolDelta(index *int, id, typ, name, args string) {
	call := s.call(index, id)
	if call == nil {
		return
	}
	setOnce(&call.id, id)
	setOnce(&call.typ, typ)
	setOnce(&call.name, name)
	appendText(&call.args, args)
}

// choice is the state of choice i, made on first sight.
func (a *assembler) choice(i int) *choiceState {
	if i < 0 || i >= maxChoices {
		return nil
	}
	for len(a.choices) <= i {
		a.choices = append(a.choices, choiceState{})
	}
	return &a.choices[i]
}

// call is the state of the tool call a delta continues: the one at its
// index, or, from servers that send no index, a new one when the delta
// brings a new id and the latest one otherwise.
func (s *choiceState) call(index *int, id string) *callState {
	i := len(s.calls) - 1
	switch {
	case index != nil:
		i = *index
	case id != "" && (i < 0 || s.calls[i].id != id):
		i = len(s.calls)
	case i < 0:
		i = 0
	}
	if i < 0 || i >= maxToolCalls {
		return nil
	}
	for len(s.calls) <= i {
		s.calls = append(s.calls, callState{})
	}
	return &s.calls[i]
}

func setOnce(dst *string, v string) {
	if *dst == "" && v != "" {
		*dst = v
	}
}

func appendText(b *[]byte, s string) {
	if s != "" && len(*b) < maxAssembledText {
		*b = append(*b, s[:min(len(s), maxAssembledText-len(*b))]...)
	}
}

// response is the answer as assembled so far.
func (a *assembler) response() agentops.LLMResponse {
	resp := agentops.LLMResponse{ID: a.id, Model: a.model, Usage: a.usage}
	if len(a.choices) == 0 {
		return resp
	}
	resp.Choices = make([]agentops.Choice, len(a.choices))
	for i := range a.choices {
		s := &a.choices[i]
		c := &resp.Choices[i]
		c.FinishReason = s.finish
		if !a.content {
			continue
		}
		c.Message = agentops.Message{
			Role:      s.role,
			Content:   string(s.content),
			Reasoning: string(s.reasoning),
			Refusal:   string(s.refusal),
		}
		if len(s.calls) > 0 {
			c.Message.ToolCalls = make([]agentops.ToolCall, len(s.calls))
			for j := range s.calls {
				cs := &s.calls[j]
				c.Message.ToolCalls[j] = agentops.ToolCall{ID: cs.id, Type: cs.typ, Name: cs.name, Arguments: string(cs.args)}
			}
		}
	}
	return resp
}

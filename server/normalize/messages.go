package normalize

import (
	"slices"
	"sort"
	"strings"

	"github.com/agentops-go/agentops/server/model"
)

// Directions of model.Message.
const (
	dirInput  = "input"
	dirOutput = "output"
)

// The flat message forms spread one message over many keys:
//
//	gen_ai.prompt.3.role, gen_ai.prompt.3.tool_calls.0.name, ...        (AgentOps)
//	llm.input_messages.3.message.role,
//	llm.input_messages.3.message.tool_calls.0.tool_call.function.name  (OpenInference)
//
// They arrive in map order, with gaps where an attribute limit or a
// truncation dropped some. A msgSet gathers them by index and hands them
// back in index order.

// msgField is what one flat key sets on its message.
type msgField uint8

const (
	mRole msgField = iota
	mContent
	mToolCallID
	mFinishReason
	mRefusal
	mCallID
	mCallName
	mCallArguments
	mContentPart // OpenInference message.contents.{k}.message_content.text
)

// part is a keyed piece of a message: a tool call's field (j is the call's
// index) or a content part (j is the part's index). The parts of all the
// messages of a set share one slice, kept between spans.
type part struct {
	msg   int32 // position of the message in msgSet.list
	j     int32
	field msgField
	val   string
}

// pending is a message being assembled.
type pending struct {
	idx                                        int
	role, content, toolCallID, finish, refusal string
	calls                                      int32 // distinct tool call indices, once counted
}

// maxDense bounds the index table; indices past it go to a map, so a
// hostile "gen_ai.prompt.99999999.role" costs one map entry.
const maxDense = 1 << 12

// msgSet gathers the messages of one direction in one flat form.
type msgSet struct {
	dense  []int32       // message index -> 1 + position in list, 0 for none
	sparse map[int]int32 // the same for indices past dense
	list   []pending
	parts  []part
}

// maxKept bounds the slices a pooled scan keeps: one huge span should not
// pin its scratch memory for the life of the pool.
const maxKept = 4096

func (m *msgSet) reset() {
	clear(m.dense)
	m.dense = m.dense[:0]
	m.sparse = nil
	m.list = resetSlice(m.list)
	m.parts = resetSlice(m.parts)
}

// resetSlice empties s for reuse, or drops it when it grew past maxKept.
func resetSlice[T any](s []T) []T {
	if cap(s) > maxKept {
		return nil
	}
	clear(s)
	return s[:0]
}

// set records field f of the message at index idx.
func (m *msgSet) set(idx, n int, f msgField, j int, val string) {
	pos := m.at(idx, n)
	p := &m.list[pos]
	switch f {
	case mRole:
		p.role = val
	case mContent:
		p.content = val
	case mToolCallID:
		p.toolCallID = val
	case mFinishReason:
		p.finish = val
	case mRefusal:
		p.refusal = val
	default:
		m.parts = append(m.parts, part{msg: int32(pos), j: int32(j), field: f, val: val})
	}
}

// at returns the position in list of the message of index idx, adding it
// if new. n is the number of attributes: a dense index beyond it must have
// gaps.
func (m *msgSet) at(idx, n int) int {
	if len(m.dense) == 0 {
		size := min(n, maxDense)
		if cap(m.dense) >= size {
			m.dense = m.dense[:size]
		} else {
			m.dense = make([]int32, size)
		}
	}
	var pos int32
	if idx < len(m.dense) {
		pos = m.dense[idx]
	} else {
		pos = m.sparse[idx]
	}
	if pos == 0 {
		m.list = append(m.list, pending{idx: idx})
		pos = int32(len(m.list))
		if idx < len(m.dense) {
			m.dense[idx] = pos
		} else {
			if m.sparse == nil {
				m.sparse = map[int]int32{}
			}
			m.sparse[idx] = pos
		}
	}
	return int(pos - 1)
}

// index reads "{i}." at the start of s: i and what follows the dot.
func index(s string) (i int, rest string, ok bool) {
	const maxDigits = 9 // fits an int32, and any real conversation
	n := 0
	for n < len(s) && n <= maxDigits && s[n] >= '0' && s[n] <= '9' {
		i = i*10 + int(s[n]-'0')
		n++
	}
	if n == 0 || n > maxDigits || n >= len(s) || s[n] != '.' {
		return 0, "", false
	}
	if n > 1 && s[0] == '0' {
		// "01" would be a second key for index 1, and which of the two
		// won would depend on map order.
		return 0, "", false
	}
	return i, s[n+1:], true
}

// addAgentOps reads one AgentOps key; rest is what follows
// "gen_ai.prompt." or "gen_ai.completion.".
func (m *msgSet) addAgentOps(rest string, v any, n int) {
	idx, rest, ok := index(rest)
	if !ok {
		return
	}
	j := 0
	var f msgField
	switch rest {
	case "role":
		f = mRole
	case "content":
		f = mContent
	case "tool_call_id":
		f = mToolCallID
	case "finish_reason":
		f = mFinishReason
	case "refusal":
		f = mRefusal
	default:
		call, found := strings.CutPrefix(rest, "tool_calls.")
		if !found {
			return
		}
		if j, call, ok = index(call); !ok {
			return
		}
		switch call {
		case "id":
			f = mCallID
		case "name":
			f = mCallName
		case "arguments":
			f = mCallArguments
		default:
			return
		}
	}
	m.set(idx, n, f, j, text(v))
}

// addOpenInference reads one OpenInference key; rest is what follows
// "llm.input_messages." or "llm.output_messages.".
func (m *msgSet) addOpenInference(rest string, v any, n int) {
	idx, rest, ok := index(rest)
	if !ok {
		return
	}
	rest, ok = strings.CutPrefix(rest, "message.")
	if !ok {
		return
	}
	j := 0
	var f msgField
	switch rest {
	case "role":
		f = mRole
	case "content":
		f = mContent
	case "tool_call_id":
		f = mToolCallID
	case "finish_reason":
		f = mFinishReason
	default:
		if call, found := strings.CutPrefix(rest, "tool_calls."); found {
			if j, call, ok = index(call); !ok {
				return
			}
			switch call {
			case "tool_call.id":
				f = mCallID
			case "tool_call.function.name":
				f = mCallName
			case "tool_call.function.arguments":
				f = mCallArguments
			default:
				return
			}
		} else if content, found := strings.CutPrefix(rest, "contents."); found {
			if j, content, ok = index(content); !ok || content != "message_content.text" {
				return
			}
			f = mContentPart
		} else {
			return
		}
	}
	m.set(idx, n, f, j, text(v))
}

// sortParts orders the parts by message, then index, and counts each
// message's tool calls; it returns the total, to size one backing array
// for all the calls of the span.
func (m *msgSet) sortParts() int {
	if len(m.parts) == 0 {
		return 0
	}
	slices.SortFunc(m.parts, func(a, b part) int {
		if a.msg != b.msg {
			return int(a.msg - b.msg)
		}
		return int(a.j - b.j)
	})
	total := 0
	lastMsg, lastJ := int32(-1), int32(-1)
	for _, pt := range m.parts {
		if pt.field == mContentPart {
			continue
		}
		if pt.msg != lastMsg || pt.j != lastJ {
			m.list[pt.msg].calls++
			total++
			lastMsg, lastJ = pt.msg, pt.j
		}
	}
	return total
}

// appendTo appends the set's messages to out in index order, numbered from
// 0 within the direction; their tool calls are cut from *calls. Call
// sortParts first.
func (m *msgSet) appendTo(out []model.Message, dir string, calls *[]model.ToolCall) []model.Message {
	i := 0
	emit := func(pos int32) {
		out = append(out, m.message(pos, dir, i, calls))
		i++
	}
	for _, pos := range m.dense {
		if pos > 0 {
			emit(pos - 1)
		}
	}
	if len(m.sparse) > 0 {
		keys := make([]int, 0, len(m.sparse))
		for k := range m.sparse {
			keys = append(keys, k)
		}
		sort.Ints(keys)
		for _, k := range keys {
			emit(m.sparse[k] - 1)
		}
	}
	return out
}

// message builds the message at position pos of list.
func (m *msgSet) message(pos int32, dir string, i int, calls *[]model.ToolCall) model.Message {
	p := &m.list[pos]
	msg := model.Message{
		Direction:    dir,
		Index:        i,
		Role:         p.role,
		Content:      p.content,
		ToolCallID:   p.toolCallID,
		FinishReason: p.finish,
	}
	if msg.Role == "" && dir == dirOutput {
		msg.Role = "assistant"
	}
	if p.calls > 0 {
		start := len(*calls)
		*calls = (*calls)[:start+int(p.calls)]
		msg.ToolCalls = (*calls)[start : start+int(p.calls) : start+int(p.calls)]
	}
	// The parts are sorted by message: find this one's run.
	lo, _ := slices.BinarySearchFunc(m.parts, pos, func(pt part, pos int32) int { return int(pt.msg - pos) })
	var texts []string
	c, lastJ := -1, int32(-1)
	for _, pt := range m.parts[lo:] {
		if pt.msg != pos {
			break
		}
		if pt.field == mContentPart {
			texts = append(texts, pt.val)
			continue
		}
		if c < 0 || pt.j != lastJ {
			c++
			lastJ = pt.j
		}
		tc := &msg.ToolCalls[c]
		switch pt.field {
		case mCallID:
			tc.ID = pt.val
		case mCallName:
			tc.Name = pt.val
		case mCallArguments:
			tc.Arguments = pt.val
		}
	}
	if msg.Content == "" && len(texts) > 0 {
		msg.Content = strings.Join(texts, "\n")
	}
	if msg.Content == "" {
		msg.Content = p.refusal
	}
	return msg
}

package normalize

import (
	"strings"
	"sync"

	"github.com/agentops-go/agentops/internal/semconv"
	"github.com/agentops-go/agentops/server/model"
	"github.com/agentops-go/agentops/server/pricing"
)

// Normalizer fills the derived fields of spans. It holds nothing but its
// price table, so one Normalizer serves every ingest goroutine: it is safe
// for concurrent use.
type Normalizer struct {
	prices *pricing.Table
}

// New returns a Normalizer that prices LLM calls with prices; nil means
// pricing.Default().
func New(prices *pricing.Table) *Normalizer {
	if prices == nil {
		prices = pricing.Default()
	}
	return &Normalizer{prices: prices}
}

// Span fills s.Derived from s's name, parent, status, attributes and events,
// replacing what it held; nothing else of s changes. Message contents and
// other derived strings share memory with s.Attributes' strings. It never
// panics, whatever the attributes hold: a span it cannot read is classed
// "other" and labelled with its name. It is safe for concurrent use on
// distinct spans.
func (n *Normalizer) Span(s *model.Span) {
	if s == nil {
		return
	}
	sc := scanPool.Get().(*scan)
	defer func() {
		if r := recover(); r != nil {
			// A bug here must not take the ingest path down. The scan is
			// dropped, not pooled: it may be half-reset.
			s.Derived = model.Derived{Class: ClassOther, Label: s.Name}
			return
		}
		sc.reset()
		scanPool.Put(sc)
	}()
	s.Derived = n.derive(s, sc)
}

// scan is one pass over a span's attributes: the values of the keys read,
// by field, and the flat message keys gathered by message.
type scan struct {
	v        [numFields]any
	http, db bool

	// Of the agentops.{kind}.input and .output keys, whether there are
	// any, and the one of the least kind (the span's own kind and
	// "entity" are looked up once the kind is known).
	payloads bool
	least    [2]payload // input, output
	attrs    map[string]any

	flatIn, flatOut msgSet   // gen_ai.prompt.*, gen_ai.completion.*
	oiIn, oiOut     msgSet   // llm.input_messages.*, llm.output_messages.*
	jsonIn, jsonOut fastJSON // gen_ai.input.messages, gen_ai.output.messages
}

type payload struct {
	kind string
	v    any
}

// scanPool keeps scans and their index tables between spans: most of a
// span's cost would otherwise be allocating them.
var scanPool = sync.Pool{New: func() any { return new(scan) }}

func (sc *scan) reset() {
	sc.v = [numFields]any{}
	sc.http, sc.db = false, false
	sc.payloads = false
	sc.least = [2]payload{}
	sc.attrs = nil
	sc.flatIn.reset()
	sc.flatOut.reset()
	sc.oiIn.reset()
	sc.oiOut.reset()
	sc.jsonIn.reset()
	sc.jsonOut.reset()
}

// read makes the one pass over attrs.
func (sc *scan) read(attrs map[string]any) {
	sc.attrs = attrs
	n := len(attrs)
	for k, v := range attrs {
		// Most keys of an LLM span are messages: sort them out before the
		// table lookup.
		if len(k) > len(promptPfx) && k[:len("gen_ai.")] == "gen_ai." {
			if rest, ok := strings.CutPrefix(k[len("gen_ai."):], "prompt."); ok {
				sc.flatIn.addAgentOps(rest, v, n)
				continue
			}
			if rest, ok := strings.CutPrefix(k[len("gen_ai."):], "completion."); ok {
				sc.flatOut.addAgentOps(rest, v, n)
				continue
			}
		} else if len(k) > len(oiInputMessagesPfx) && k[:len("llm.")] == "llm." {
			if rest, ok := strings.CutPrefix(k[len("llm."):], "input_messages."); ok {
				sc.oiIn.addOpenInference(rest, v, n)
				continue
			}
			if rest, ok := strings.CutPrefix(k[len("llm."):], "output_messages."); ok {
				sc.oiOut.addOpenInference(rest, v, n)
				continue
			}
		}
		if f, ok := fieldOf[k]; ok {
			sc.v[f] = v
			continue
		}
		switch {
		case strings.HasPrefix(k, httpPfx) || k == urlFull:
			sc.http = true
		case strings.HasPrefix(k, dbPfx):
			sc.db = true
		case strings.HasPrefix(k, agentopsPfx):
			sc.payload(k[len(agentopsPfx):], v)
		}
	}
}

// payload notes an agentops.{kind}.input or .output key; rest is what
// follows "agentops.".
func (sc *scan) payload(rest string, v any) {
	dir := 1
	kind, ok := strings.CutSuffix(rest, ".output")
	if !ok {
		dir = 0
		if kind, ok = strings.CutSuffix(rest, ".input"); !ok {
			return
		}
	}
	if kind == "" || strings.Contains(kind, ".") {
		return
	}
	sc.payloads = true
	if least := &sc.least[dir]; least.kind == "" || kind < least.kind {
		*least = payload{kind: kind, v: v}
	}
}

// str is the field's value as trimmed text.
func (sc *scan) str(f field) string { return strings.TrimSpace(text(sc.v[f])) }

// first is the first of fields whose value is set and not an empty string.
func (sc *scan) first(fields ...field) any {
	for _, f := range fields {
		switch v := sc.v[f].(type) {
		case nil:
		case string:
			if strings.TrimSpace(v) != "" {
				return v
			}
		default:
			return v
		}
	}
	return nil
}

// firstStr is the first of fields with non-empty text.
func (sc *scan) firstStr(fields ...field) string {
	for _, f := range fields {
		if s := sc.str(f); s != "" {
			return s
		}
	}
	return ""
}

// firstCount is the first of fields holding a token count.
func (sc *scan) firstCount(fields ...field) int64 {
	for _, f := range fields {
		if sc.v[f] == nil {
			continue
		}
		if n, ok := count(sc.v[f]); ok {
			return n
		}
	}
	return 0
}

// firstAmount is the first of fields holding a non-negative number.
func (sc *scan) firstAmount(fields ...field) (float64, bool) {
	for _, f := range fields {
		if sc.v[f] == nil {
			continue
		}
		if x, ok := amount(sc.v[f]); ok {
			return x, true
		}
	}
	return 0, false
}

// derive computes the derived fields; it is Span without the safety net.
func (n *Normalizer) derive(s *model.Span, sc *scan) model.Derived {
	sc.read(s.Attributes)
	var d model.Derived
	d.Class = classify(sc, s)
	d.Operation = operation(sc, d.Class)
	d.Model = sc.firstStr(fResponseModel, fRequestModel, fOIModel)
	d.Provider = sc.str(fProviderName)
	if d.Provider == "" {
		d.Provider = strings.ToLower(sc.firstStr(fSystem, fOIProvider, fOISystem))
	}
	d.Tool = sc.firstStr(fGenAIToolName, fToolName)

	d.InputTokens = sc.firstCount(fInputTokens, fPromptTokens, fOIPromptTokens)
	d.OutputTokens = sc.firstCount(fOutputTokens, fCompletionTokens, fOICompletionTokens)
	d.CacheReadTokens = sc.firstCount(fCacheRead, fCacheReadAlt, fOICacheRead)
	d.CacheCreationTokens = sc.firstCount(fCacheCreation, fCacheCreationAlt, fOICacheWrite)
	d.ReasoningTokens = sc.firstCount(fReasoning, fReasoningAlt, fOIReasoning)
	if ttft, ok := sc.firstAmount(fTTFC, fTTFT); ok {
		d.TTFT = ttft
	}
	n.cost(sc, &d)
	errorOf(s, sc, &d)

	if d.Class == ClassSession {
		d.SessionName = sc.str(fOperationName)
		if d.SessionName == "" {
			d.SessionName = strings.TrimSuffix(s.Name, sessionNameSuffix)
		}
		d.EndState = endState(sc.v[fEndState], s.StatusCode)
	}
	if v := sc.v[fTags]; v != nil {
		d.Tags = stringList(v)
	}

	d.Messages = messages(sc)
	d.Input, d.Output = payloads(sc)

	switch d.Class {
	case ClassTool:
		d.Label = d.Tool
	case ClassAgent:
		d.Label = sc.firstStr(fGenAIAgentName, fAgentName)
	case ClassLLM, ClassEmbedding:
		d.Label = d.Model
	case ClassSession:
		d.Label = d.SessionName
	}
	if d.Label == "" {
		d.Label = s.Name
	}
	return d
}

// cost is the span's own cost when it has one, else the price table's for
// its model and tokens.
func (n *Normalizer) cost(sc *scan, d *model.Derived) {
	if c, ok := sc.firstAmount(fTotalCost, fOICost); ok {
		d.Cost, d.CostSource = c, "span"
		return
	}
	if n.prices == nil || (d.InputTokens == 0 && d.OutputTokens == 0 && d.CacheReadTokens == 0 && d.CacheCreationTokens == 0) {
		return
	}
	u := pricing.Usage{
		Input:         d.InputTokens,
		Output:        d.OutputTokens,
		CacheRead:     d.CacheReadTokens,
		CacheCreation: d.CacheCreationTokens,
		Reasoning:     d.ReasoningTokens,
	}
	// The response model names the snapshot that ran; a deployment alias
	// in the request model may be all the table knows, or the reverse.
	for _, f := range [...]field{fResponseModel, fRequestModel, fOIModel} {
		m := sc.str(f)
		if m == "" {
			continue
		}
		if c, ok := n.prices.Cost(m, u); ok {
			d.Cost, d.CostSource = c, "table"
			return
		}
	}
}

// errorOf marks a span that failed: status ERROR, or an exception event.
func errorOf(s *model.Span, sc *scan, d *model.Derived) {
	status := strings.TrimSpace(s.StatusCode)
	d.Error = strings.EqualFold(status, "error") || strings.EqualFold(status, "status_code_error")
	exceptionType := ""
	for i := range s.Events {
		e := &s.Events[i]
		if !strings.EqualFold(e.Name, exceptionEvent) {
			continue
		}
		d.Error = true
		if exceptionType = strings.TrimSpace(text(e.Attributes[exceptionTypeKey])); exceptionType != "" {
			break
		}
	}
	if !d.Error {
		return
	}
	d.ErrorType = sc.str(fErrorType)
	if d.ErrorType == "" {
		d.ErrorType = exceptionType
	}
	if d.ErrorType == "" {
		d.ErrorType = "error"
	}
}

// messages are the call's messages, input then output, each direction
// from the first form present: AgentOps flat keys, the OTel JSON form,
// OpenInference flat keys.
func messages(sc *scan) []model.Message {
	var in, out *msgSet
	var jsonIn, jsonOut jsonSide
	var system model.Message
	hasSystem := false
	switch {
	case len(sc.flatIn.list) > 0:
		in = &sc.flatIn
	case sc.v[fInputMessages] != nil || sc.v[fSystemInstructions] != nil:
		system, hasSystem = systemMessage(sc.v[fSystemInstructions])
		if v := sc.v[fInputMessages]; v != nil {
			jsonIn = decodeJSONMessages(&sc.jsonIn, v)
		}
	case len(sc.oiIn.list) > 0:
		in = &sc.oiIn
	}
	switch {
	case len(sc.flatOut.list) > 0:
		out = &sc.flatOut
	case sc.v[fOutputMessages] != nil:
		jsonOut = decodeJSONMessages(&sc.jsonOut, sc.v[fOutputMessages])
	case len(sc.oiOut.list) > 0:
		out = &sc.oiOut
	}

	// One allocation for the messages and one for all their tool calls.
	size, ncalls := 0, 0
	if hasSystem {
		size++
	}
	for _, set := range [...]*msgSet{in, out} {
		if set != nil {
			size += len(set.list)
			ncalls += set.sortParts()
		}
	}
	for _, side := range [...]*jsonSide{&jsonIn, &jsonOut} {
		n, c := side.count()
		size += n
		ncalls += c
	}
	if size == 0 {
		return nil
	}
	var calls []model.ToolCall
	if ncalls > 0 {
		calls = make([]model.ToolCall, 0, ncalls)
	}
	msgs := make([]model.Message, 0, size)
	if in != nil {
		msgs = in.appendTo(msgs, dirInput, &calls)
	} else {
		first := 0
		if hasSystem {
			msgs = append(msgs, system)
			first = 1
		}
		msgs = jsonIn.appendTo(msgs, dirInput, first, &calls)
	}
	if out != nil {
		msgs = out.appendTo(msgs, dirOutput, &calls)
	} else {
		msgs = jsonOut.appendTo(msgs, dirOutput, 0, &calls)
	}
	return msgs
}

// payloadKeys are agentops.{kind}.input and .output of the known kinds,
// made once.
var payloadKeys = func() map[string][2]string {
	m := map[string][2]string{}
	for _, p := range agentopsKinds {
		m[p.key] = [2]string{semconv.InputKey(p.key), semconv.OutputKey(p.key)}
	}
	m[agentopsEntity] = [2]string{semconv.InputKey(agentopsEntity), semconv.OutputKey(agentopsEntity)}
	return m
}()

// payloads are the span's recorded input and output: agentops.{kind}.*
// of the span's own kind, agentops.entity.*, agentops.* of another kind,
// then the tool, OpenInference and Traceloop keys.
func payloads(sc *scan) (in, out string) {
	var v [2]any
	if sc.payloads {
		kind, _ := sc.v[fSpanKind].(string)
		var tries [2][2]string
		tries[1] = payloadKeys[agentopsEntity]
		if keys, ok := payloadKeys[kind]; ok {
			tries[0] = keys
		} else if kind != "" && !strings.Contains(kind, ".") {
			tries[0] = [2]string{semconv.InputKey(kind), semconv.OutputKey(kind)}
		}
		for dir := range v {
			for _, keys := range tries {
				if keys[dir] == "" {
					continue
				}
				if x, ok := sc.attrs[keys[dir]]; ok {
					v[dir] = x
					break
				}
			}
			if v[dir] == nil {
				v[dir] = sc.least[dir].v
			}
		}
	}
	if v[0] == nil {
		v[0] = sc.first(fToolParameters, fToolCallArguments, fInputValue, fTraceloopIn)
	}
	if v[1] == nil {
		v[1] = sc.first(fToolResult, fToolCallResult, fOutputValue, fTraceloopOut)
	}
	return text(v[0]), text(v[1])
}

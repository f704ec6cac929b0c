package store

import (
	"math"
	"slices"
	"strings"

	"github.com/agentops-go/agentops/server/model"
)

// rollup is a session's row: the totals the list shows, and the fold state
// (the earliest span, the root) that lets a write update it from its new
// spans alone. The same fold recomputes it from all the trace's spans
// when a span was replaced, so both paths agree.
type rollup struct {
	traceID string
	exists  bool // the row is in the table

	spans, errors, llmCalls, toolCalls int64
	inputTokens, outputTokens          int64
	cacheReadTokens, reasoningTokens   int64
	cost                               float64
	startNS, endNS                     int64
	models                             []string // sorted, distinct
	hasLogs                            bool
	files                              int64
	updatedNS                          int64

	// first is the earliest-starting span: the session's name and
	// service while no root is known.
	first struct {
		spanID        string
		startNS       int64
		name, service string
	}
	// root is the span without a parent (a "session" span preferred,
	// then the earliest).
	root struct {
		spanID, class        string
		startNS              int64
		sessionName, service string
		endState, statusCode string
		tags                 []string
	}
}

// reset clears what the spans fold into, keeping the trace's log and file
// facts.
func (r *rollup) reset() {
	*r = rollup{traceID: r.traceID, exists: r.exists, hasLogs: r.hasLogs, files: r.files, updatedNS: r.updatedNS}
}

// earlier orders spans by start, unknown (0) last, then by span id.
func earlier(aStart int64, aID string, bStart int64, bID string) bool {
	if aStart == 0 {
		aStart = math.MaxInt64
	}
	if bStart == 0 {
		bStart = math.MaxInt64
	}
	if aStart != bStart {
		return aStart < bStart
	}
	return aID < bID
}

func (r *rollup) fold(s *summary) {
	r.spans++
	if s.error {
		r.errors++
	}
	switch s.class {
	case "llm", "embedding":
		r.llmCalls++
	case "tool":
		r.toolCalls++
	}
	r.inputTokens += s.inputTokens
	r.outputTokens += s.outputTokens
	r.cacheReadTokens += s.cacheReadTokens
	r.reasoningTokens += s.reasoningTokens
	r.cost += s.cost
	if s.startNS != 0 && (r.startNS == 0 || s.startNS < r.startNS) {
		r.startNS = s.startNS
	}
	if s.endNS > r.endNS {
		r.endNS = s.endNS
	}
	if s.model != "" {
		if i, found := slices.BinarySearch(r.models, s.model); !found {
			r.models = slices.Insert(r.models, i, s.model)
		}
	}
	if r.first.spanID == "" || earlier(s.startNS, s.spanID, r.first.startNS, r.first.spanID) {
		r.first.spanID = s.spanID
		r.first.startNS = s.startNS
		r.first.name = s.name
		r.first.service = s.service
	}
	if s.parentID == "" && r.betterRoot(s) {
		r.root.spanID = s.spanID
		r.root.class = s.class
		r.root.startNS = s.startNS
		r.root.sessionName = s.sessionName
		r.root.service = s.service
		r.root.endState = s.endState
		r.root.statusCode = s.statusCode
		r.root.tags = s.tags
	}
}

// replace swaps a folded span's old version for its new one, when the
// change only moves sums. It returns false, leaving r as it was, when the
// span was (or might become) an extreme, the first span or the root, or
// changed model: then only folding all the spans again is right.
func (r *rollup) replace(old, new *summary) bool {
	if old.spanID != new.spanID {
		return false
	}
	if old.equal(new) {
		return true // the common case: an export retried
	}
	if old.model != new.model || old.parentID != new.parentID {
		return false
	}
	if old.startNS != new.startNS && (old.startNS == r.startNS || new.startNS == 0) {
		return false
	}
	if old.endNS != new.endNS && old.endNS == r.endNS {
		return false
	}
	if old.startNS != new.startNS || old.name != new.name || old.service != new.service {
		if old.spanID == r.first.spanID || earlier(new.startNS, new.spanID, r.first.startNS, r.first.spanID) {
			return false
		}
	}
	if new.parentID == "" { // a root candidate: its fields decide the session's
		return false
	}
	r.unfoldSums(old)
	r.spans-- // fold counts it again
	r.fold(new)
	return true
}

// unfoldSums takes s's share out of r's sums and counts.
func (r *rollup) unfoldSums(s *summary) {
	if s.error {
		r.errors--
	}
	switch s.class {
	case "llm", "embedding":
		r.llmCalls--
	case "tool":
		r.toolCalls--
	}
	r.inputTokens -= s.inputTokens
	r.outputTokens -= s.outputTokens
	r.cacheReadTokens -= s.cacheReadTokens
	r.reasoningTokens -= s.reasoningTokens
	r.cost -= s.cost
}

func (s *summary) equal(o *summary) bool {
	return s.spanID == o.spanID && s.parentID == o.parentID &&
		s.name == o.name && s.service == o.service && s.statusCode == o.statusCode &&
		s.startNS == o.startNS && s.endNS == o.endNS && s.class == o.class && s.model == o.model &&
		s.error == o.error && s.inputTokens == o.inputTokens && s.outputTokens == o.outputTokens &&
		s.cacheReadTokens == o.cacheReadTokens && s.reasoningTokens == o.reasoningTokens &&
		s.cost == o.cost && s.sessionName == o.sessionName && s.endState == o.endState &&
		slices.Equal(s.tags, o.tags)
}

func (r *rollup) betterRoot(s *summary) bool {
	if r.root.spanID == "" {
		return true
	}
	if a, b := s.class == "session", r.root.class == "session"; a != b {
		return a
	}
	return earlier(s.startNS, s.spanID, r.root.startNS, r.root.spanID)
}

func (r *rollup) hasRoot() bool { return r.root.spanID != "" }

func (r *rollup) name() string {
	if r.hasRoot() && r.root.sessionName != "" {
		return r.root.sessionName
	}
	return r.first.name
}

func (r *rollup) service() string {
	if r.hasRoot() && r.root.service != "" {
		return r.root.service
	}
	return r.first.service
}

func (r *rollup) tags() []string {
	if !r.hasRoot() || r.root.tags == nil {
		return []string{}
	}
	return r.root.tags
}

// Session statuses.
const (
	StatusRunning       = "running"
	StatusSuccess       = "success"
	StatusError         = "error"
	StatusIndeterminate = "indeterminate"
)

// status follows the root: its end state when it has one, else error if it
// ended with status error, else (no root yet, or one without an outcome)
// running.
func (r *rollup) status() string {
	if !r.hasRoot() {
		return StatusRunning
	}
	switch strings.ToLower(r.root.endState) {
	case "":
		if r.root.statusCode == "error" {
			return StatusError
		}
		return StatusRunning
	case "success":
		return StatusSuccess
	case "error", "fail", "failed", "failure":
		return StatusError
	}
	return StatusIndeterminate
}

// ended tells whether going from before to r brought the root's end: the
// root span arrived, or its end state did.
func (r *rollup) ended(before *rollup) bool {
	if !r.hasRoot() {
		return false
	}
	return !before.hasRoot() || (before.root.endState == "" && r.root.endState != "")
}

func (r *rollup) session() model.Session {
	s := model.Session{
		TraceID:         r.traceID,
		Name:            r.name(),
		Service:         r.service(),
		Tags:            slices.Clone(r.tags()),
		Status:          r.status(),
		Start:           fromNanos(r.startNS),
		End:             fromNanos(r.endNS),
		Spans:           r.spans,
		Errors:          r.errors,
		LLMCalls:        r.llmCalls,
		ToolCalls:       r.toolCalls,
		InputTokens:     r.inputTokens,
		OutputTokens:    r.outputTokens,
		CacheReadTokens: r.cacheReadTokens,
		ReasoningTokens: r.reasoningTokens,
		Cost:            r.cost,
		Models:          slices.Clone(r.models),
		HasLogs:         r.hasLogs,
		Files:           r.files,
		Updated:         fromNanos(r.updatedNS),
	}
	if s.Models == nil {
		s.Models = []string{}
	}
	if r.startNS != 0 && r.endNS >= r.startNS {
		s.DurationMS = float64(r.endNS-r.startNS) / 1e6
	}
	return s
}

// clone copies r deeply enough that folding into the copy leaves r as it
// was.
func (r *rollup) clone() *rollup {
	c := *r
	c.models = slices.Clone(r.models)
	return &c
}

// totals are the sums Stats reports, kept in the totals table.
type totals struct {
	sessions, spans, llmCalls, inputTokens, outputTokens, errors int64
	cost                                                         float64
}

func (t *totals) add(r *rollup, sign int64) {
	if r.exists {
		t.sessions += sign
	}
	t.spans += sign * r.spans
	t.llmCalls += sign * r.llmCalls
	t.inputTokens += sign * r.inputTokens
	t.outputTokens += sign * r.outputTokens
	t.errors += sign * r.errors
	t.cost += float64(sign) * r.cost
}

func (t *totals) zero() bool { return *t == totals{} }

const addTotalsSQL = `UPDATE totals SET sessions = sessions + ?, spans = spans + ?, llm_calls = llm_calls + ?,
	input_tokens = input_tokens + ?, output_tokens = output_tokens + ?, cost = cost + ?, errors = errors + ?`

func (t *totals) args() []any {
	return []any{t.sessions, t.spans, t.llmCalls, t.inputTokens, t.outputTokens, t.cost, t.errors}
}

// sessionColumns is the column list of every sessions read, in scanRollup's
// order.
const sessionColumns = `trace_id, start_ns, end_ns, tags, models, spans, errors, llm_calls,
	tool_calls, input_tokens, output_tokens, cache_read_tokens, reasoning_tokens, cost,
	has_logs, files, updated_ns, first_span_id, first_start_ns, first_name, first_service,
	root_span_id, root_class, root_start_ns, root_session_name, root_service,
	root_end_state, root_status_code`

type scanner interface{ Scan(dest ...any) error }

func scanRollup(sc scanner, r *rollup) error {
	var tags, models []byte
	var hasLogs int64
	err := sc.Scan(&r.traceID, &r.startNS, &r.endNS, &tags, &models, &r.spans, &r.errors,
		&r.llmCalls, &r.toolCalls, &r.inputTokens, &r.outputTokens, &r.cacheReadTokens,
		&r.reasoningTokens, &r.cost, &hasLogs, &r.files, &r.updatedNS,
		&r.first.spanID, &r.first.startNS, &r.first.name, &r.first.service,
		&r.root.spanID, &r.root.class, &r.root.startNS, &r.root.sessionName,
		&r.root.service, &r.root.endState, &r.root.statusCode)
	if err != nil {
		return err
	}
	r.exists = true
	r.hasLogs = hasLogs != 0
	if r.root.tags, err = decodeStrings(tags); err != nil {
		return err
	}
	r.models, err = decodeStrings(models)
	if len(r.models) == 0 {
		r.models = nil
	}
	return err
}

// args are the values of sessionColumns for an upsert, plus the derived
// columns name, service and status.
func (r *rollup) args() []any {
	tags := string(appendStrings(nil, r.tags()))
	models := r.models
	if models == nil {
		models = []string{}
	}
	hasLogs := int64(0)
	if r.hasLogs {
		hasLogs = 1
	}
	return []any{r.traceID, r.startNS, r.endNS, tags, string(appendStrings(nil, models)),
		r.spans, r.errors, r.llmCalls, r.toolCalls, r.inputTokens, r.outputTokens,
		r.cacheReadTokens, r.reasoningTokens, r.cost, hasLogs, r.files, r.updatedNS,
		r.first.spanID, r.first.startNS, r.first.name, r.first.service,
		r.root.spanID, r.root.class, r.root.startNS, r.root.sessionName, r.root.service,
		r.root.endState, r.root.statusCode,
		r.name(), r.service(), r.status()}
}

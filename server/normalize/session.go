package normalize

import "strings"

// End states of model.Derived.EndState: the strings the AgentOps backend
// reads from agentops.session.end_state.
const (
	EndSuccess       = "Success"
	EndError         = "Error"
	EndIndeterminate = "Indeterminate"
)

// endState reads agentops.session.end_state, accepting any case and the
// legacy failure words of older AgentOps SDKs ("Fail", "Failure"); without
// a value it knows, the span status decides, and a session root that
// arrived with neither ended Indeterminate.
func endState(v any, status string) string {
	s, _ := v.(string)
	if state, ok := lookup(endStates, strings.TrimSpace(s)); ok {
		return state
	}
	if state, ok := lookup(statusStates, strings.TrimSpace(status)); ok {
		return state
	}
	return EndIndeterminate
}

var (
	endStates = []pair{
		{"success", EndSuccess}, {"succeeded", EndSuccess},
		{"error", EndError}, {"fail", EndError}, {"failure", EndError}, {"failed", EndError},
		{"indeterminate", EndIndeterminate},
	}
	statusStates = []pair{
		{"ok", EndSuccess}, {"status_code_ok", EndSuccess},
		{"error", EndError}, {"status_code_error", EndError},
	}
)

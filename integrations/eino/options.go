package agentopseino

import "github.com/agentops-go/agentops"

// Option configures New.
type Option interface {
	apply(config) config
}

type config struct {
	session     bool
	sessionName string
	sessionOpts []agentops.SpanOption
}

type optionFunc func(config) config

func (f optionFunc) apply(c config) config { return f(c) }

// WithSession makes each outermost run (a graph, chain or agent call, or a
// component called on its own) whose context carries no agentops session
// a session of its own, named name (the run's name when empty), with opts
// (tags, say). The session ends with the run: Success, or Error when the
// run fails. Without it, runs nest under whatever span their context
// carries.
func WithSession(name string, opts ...agentops.SpanOption) Option {
	return optionFunc(func(c config) config {
		c.session, c.sessionName, c.sessionOpts = true, name, opts
		return c
	})
}

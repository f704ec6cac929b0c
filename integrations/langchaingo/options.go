package agentopslangchain

// config is what the Options of New set.
type config struct {
	sessionPerRun bool
}

// Option configures New.
type Option interface {
	apply(config) config
}

type optionFunc func(config) config

func (f optionFunc) apply(c config) config { return f(c) }

// WithSessionPerRun makes each outermost chain run that starts outside any
// span a session of its own, named as the chain is (see Handler.Named; the
// SDK's trace name when unnamed), so that a program with no session code
// of its own still gets one session per run. A run whose context carries a
// span (a session the program started, say) nests under that span, as it
// does without this option.
func WithSessionPerRun() Option {
	return optionFunc(func(c config) config { c.sessionPerRun = true; return c })
}

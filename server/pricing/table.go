package pricing

import (
	_ "embed"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

//go:embed prices.json
var defaultJSON []byte

// Usage is the token count of one model call. Input includes the cached
// tokens (CacheRead, CacheCreation); Output includes Reasoning.
type Usage struct {
	Input, Output, CacheRead, CacheCreation, Reasoning int64
}

// Table is a price table: patterns of model names and what a million
// tokens of each kind cost under them. A Table never changes once built
// and is safe for concurrent use.
type Table struct {
	version string
	exact   map[string]*entry // lower-case name -> price
	globs   []*entry          // longest pattern first, then the user's, then file order

	// cache remembers what each model name matched (nil for nothing): a
	// backend sees a handful of model names, millions of times.
	cache  sync.Map // string -> *entry
	cached atomic.Int64
}

// Names longer than maxCachedName, or past maxCached distinct names, are
// matched every time instead of remembered, so hostile input cannot grow
// the cache without bound.
const (
	maxCached     = 4096
	maxCachedName = 256
)

// entry is one model's prices, in US dollars per token.
type entry struct {
	pattern    string // lower case
	input      float64
	output     float64
	cacheRead  float64
	cacheWrite float64
	reasoning  float64
	user       bool // from Load's file, not the embedded table
	order      int
}

var (
	defaultOnce  sync.Once
	defaultTable *Table
	defaultFile  *file
)

// Default returns the embedded price table (see the package doc for its
// format and prices). It is built once and shared; it is safe for
// concurrent use.
func Default() *Table {
	defaultOnce.Do(func() {
		f, err := parse(defaultJSON)
		if err != nil {
			panic("pricing: the embedded prices.json is invalid: " + err.Error())
		}
		defaultFile = f
		defaultTable = build(f.Version, f.Models, nil)
	})
	return defaultTable
}

// Version returns the table's version: the embedded table's date, and for
// a table from Load that date, "+", and the user file's version (or
// "custom" when the file has none).
func (t *Table) Version() string { return t.version }

// Cost returns what a call to model with usage u cost in US dollars, by
// the arithmetic the package doc gives; ok is false (and usd 0) when no
// pattern matches model. It is safe for concurrent use.
func (t *Table) Cost(model string, u Usage) (usd float64, ok bool) {
	e := t.lookup(model)
	if e == nil {
		return 0, false
	}
	return e.cost(u), true
}

func (e *entry) cost(u Usage) float64 {
	in := float64(max(u.Input, 0))
	out := float64(max(u.Output, 0))
	cacheRead := float64(max(u.CacheRead, 0))
	cacheCreation := float64(max(u.CacheCreation, 0))
	reasoning := float64(max(u.Reasoning, 0))

	uncached := in - cacheRead - cacheCreation
	if uncached < 0 {
		// The prompt was counted without its cached part.
		uncached = in
	}
	usd := uncached*e.input + cacheRead*e.cacheRead + cacheCreation*e.cacheWrite
	if reasoning > out {
		// The answer was counted without its reasoning.
		usd += out*e.output + reasoning*e.reasoning
	} else {
		usd += (out-reasoning)*e.output + reasoning*e.reasoning
	}
	return usd
}

// build makes a Table of the default models with over laid on them: an
// entry of over replaces the default entry of the same pattern.
func build(version string, base, over []fileModel) *Table {
	byPattern := make(map[string]*entry, len(base)+len(over))
	var order []string
	add := func(models []fileModel, user bool) {
		for _, m := range models {
			e := m.entry(user)
			if _, ok := byPattern[e.pattern]; !ok {
				order = append(order, e.pattern)
			}
			byPattern[e.pattern] = e
		}
	}
	add(base, false)
	add(over, true)

	t := &Table{version: version, exact: map[string]*entry{}}
	for i, p := range order {
		e := byPattern[p]
		e.order = i
		if strings.Contains(p, "*") {
			t.globs = append(t.globs, e)
		} else {
			t.exact[p] = e
		}
	}
	sort.SliceStable(t.globs, func(i, j int) bool {
		a, b := t.globs[i], t.globs[j]
		if len(a.pattern) != len(b.pattern) {
			return len(a.pattern) > len(b.pattern)
		}
		if a.user != b.user {
			return a.user
		}
		return a.order < b.order
	})
	return t
}

func (m fileModel) entry(user bool) *entry {
	const perToken = 1e-6 // the file's prices are per million tokens
	e := &entry{pattern: strings.ToLower(strings.TrimSpace(m.Pattern)), user: user}
	e.input = *m.Input * perToken
	if m.Output != nil {
		e.output = *m.Output * perToken
	}
	e.cacheRead, e.cacheWrite, e.reasoning = e.input, e.input, e.output
	if m.CacheRead != nil {
		e.cacheRead = *m.CacheRead * perToken
	}
	if m.CacheWrite != nil {
		e.cacheWrite = *m.CacheWrite * perToken
	}
	if m.Reasoning != nil {
		e.reasoning = *m.Reasoning * perToken
	}
	return e
}

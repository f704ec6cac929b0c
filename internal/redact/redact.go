// Package redact masks secrets in text the SDK uploads: captured log lines
// and source files. It knows the shapes of common API keys and tokens, and
// is given the exact values it must never let through (the configured API
// key).
package redact

import (
	"regexp"
	"strings"
)

// Mask replaces what a secret's value was.
const Mask = "[REDACTED]"

// A rule masks what its pattern matches: the whole match, or (keep > 0)
// all but its first group, and the second group when there is one. A rule
// runs only on text containing one of its hints, which are cheap to look for
// and rule out almost every line and file: regular expressions with \b or
// (?i) cannot use Go's literal-prefix search and are slow on text that
// holds no secret at all.
type rule struct {
	hints []string // for case-insensitive rules, the usual spellings' tails
	re    *regexp.Regexp
	keep  bool // keep group 1 (and group 2, if any) around the mask
}

var rules = []rule{
	// OpenAI (sk-..., sk-proj-...), Anthropic (sk-ant-...) and lookalikes.
	{hints: []string{"sk-"}, re: regexp.MustCompile(`\bsk-[A-Za-z0-9_-]{16,}`)},
	// AWS access key IDs (long-term and temporary).
	{hints: []string{"AKIA", "ASIA"}, re: regexp.MustCompile(`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`)},
	// GitHub tokens.
	{hints: []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}, re: regexp.MustCompile(`\bgh[pousr]_[A-Za-z0-9]{30,}`)},
	// Slack tokens.
	{hints: []string{"xox"}, re: regexp.MustCompile(`\bxox[abprs]-[A-Za-z0-9-]{10,}`)},
	// Google API keys.
	{hints: []string{"AIza"}, re: regexp.MustCompile(`\bAIza[0-9A-Za-z_-]{35}\b`)},
	// PEM private keys, whole block.
	{hints: []string{"PRIVATE KEY-----"}, re: regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----`)},
	// Authorization: Bearer <token>, bearer tokens anywhere.
	{hints: []string{"earer", "EARER"}, keep: true, re: regexp.MustCompile(`(?i)(\bbearer\s+)[A-Za-z0-9\-._~+/]{8,}=*`)},
	// password=value in URLs, env files and command lines (no quotes).
	{hints: []string{"ssword=", "SSWORD=", "sswd=", "SSWD=", "wd=", "WD="}, keep: true,
		re: regexp.MustCompile(`(?i)((?:password|passwd|pwd)=)[^\s&;,"'` + "`" + `]+`)},
	// user:password@ in URLs.
	{hints: []string{"://"}, keep: true, re: regexp.MustCompile(`(://[^/\s:@]+:)[^/\s@]+(@)`)},
}

// literalHints rule out text with nothing named like a password, in the
// spellings code uses (password, Password, PASSWORD, passwd, pwd, Pwd).
var literalHints = []string{"ssword", "SSWORD", "sswd", "SSWD", "wd", "WD"}

// literalPattern finds a quoted value given to something named like a
// password, in code and config: Password: "x", password := 'x', pwd=`x`.
// Its second group is the literal, quotes included; they are kept.
var literalPattern = regexp.MustCompile(`(?i)((?:password|passwd|pwd)\w*["']?\s*[:=]+\s*)("[^"\n]*"|'[^'\n]*'|` + "`[^`]*`" + `)`)

// String returns s with every secret masked: the known shapes above and
// each non-empty value in exact. It returns s itself when nothing matched.
func String(s string, exact ...string) string {
	for _, v := range exact {
		if v != "" && strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, Mask)
		}
	}
	for _, r := range rules {
		if !containsAny(s, r.hints) {
			continue
		}
		switch {
		case !r.keep:
			s = r.re.ReplaceAllLiteralString(s, Mask)
		case r.re.NumSubexp() == 2:
			s = r.re.ReplaceAllString(s, "${1}"+Mask+"${2}")
		default:
			s = r.re.ReplaceAllString(s, "${1}"+Mask)
		}
	}
	if containsAny(s, literalHints) {
		s = maskLiterals(s)
	}
	return s
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// maskLiterals masks the inside of each literalPattern literal.
func maskLiterals(s string) string {
	matches := literalPattern.FindAllStringSubmatchIndex(s, -1)
	if matches == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range matches {
		start, end := m[4], m[5] // the literal, quotes included
		b.WriteString(s[last : start+1])
		b.WriteString(Mask)
		b.WriteByte(s[end-1])
		last = end
	}
	b.WriteString(s[last:])
	return b.String()
}

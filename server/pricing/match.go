package pricing

import "strings"

// lookup returns the entry model matches, or nil, remembering the answer.
func (t *Table) lookup(model string) *entry {
	if model == "" {
		return nil
	}
	if v, ok := t.cache.Load(model); ok {
		return v.(*entry)
	}
	e := t.match(model)
	if len(model) <= maxCachedName && t.cached.Load() < maxCached {
		if _, loaded := t.cache.LoadOrStore(model, e); !loaded {
			t.cached.Add(1)
		}
	}
	return e
}

// match applies the matching rules of the package doc: an exact name of
// any candidate form of model first, then the longest matching glob.
func (t *Table) match(model string) *entry {
	var buf [3]string
	cands := candidates(strings.ToLower(strings.TrimSpace(model)), buf[:0])
	if len(cands) == 0 {
		return nil
	}
	for _, c := range cands {
		if e := t.exact[c]; e != nil {
			return e
		}
	}
	for _, g := range t.globs {
		for _, c := range cands {
			if glob(g.pattern, c) {
				return g
			}
		}
	}
	return nil
}

// candidates appends the forms of name to try, most specific first: the
// name, the name without its provider prefix, and that without version
// suffixes.
func candidates(name string, out []string) []string {
	if name == "" {
		return out
	}
	out = append(out, name)
	base := stripPrefix(name)
	if base != "" && base != name {
		out = append(out, base)
	}
	if bare := stripVersion(base); bare != "" && bare != base {
		out = append(out, bare)
	}
	return out
}

// routePrefixes are the dotted prefixes of Bedrock model ids: a region
// ("us.") and the model's vendor ("anthropic.").
var routePrefixes = map[string]bool{
	"us": true, "eu": true, "apac": true, "global": true,
	"anthropic": true, "meta": true, "mistral": true, "amazon": true, "cohere": true,
	"ai21": true, "deepseek": true, "openai": true, "google": true, "qwen": true, "writer": true,
}

// stripPrefix removes a router's path ("openai/", "models/",
// "accounts/x/models/") and Bedrock's region and vendor prefixes.
func stripPrefix(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	for range 2 {
		i := strings.IndexByte(name, '.')
		if i <= 0 || !routePrefixes[name[:i]] {
			break
		}
		name = name[i+1:]
	}
	return name
}

// stripVersion removes what follows '@' or ':' (Vertex and Bedrock
// versions) and trailing "-"-separated tokens that are dates, snapshot
// numbers or release words: gpt-4o-2024-08-06, claude-3-5-sonnet-20241022,
// gemini-1.5-pro-002, ...-v2, ...-latest, ...-preview-05-06.
func stripVersion(name string) string {
	if i := strings.IndexAny(name, "@:"); i > 0 {
		name = name[:i]
	}
	for {
		i := strings.LastIndexByte(name, '-')
		if i <= 0 || !versionToken(name[i+1:]) {
			return name
		}
		name = name[:i]
	}
}

func versionToken(tok string) bool {
	switch tok {
	case "latest", "preview", "exp", "experimental":
		return true
	}
	if len(tok) >= 2 && tok[0] == 'v' && allDigits(tok[1:]) {
		return true
	}
	// Single digits are model generations (claude-sonnet-4, gpt-4), not
	// versions.
	return len(tok) >= 2 && len(tok) <= 8 && allDigits(tok)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// glob reports whether name matches pattern, where '*' matches any run of
// bytes (both lower case). It backtracks only to the last star, so it runs
// in O(len(pattern)·len(name)) at worst.
func glob(pattern, name string) bool {
	p, n := 0, 0
	star, mark := -1, 0
	for n < len(name) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, n
			p++
		case p < len(pattern) && pattern[p] == name[n]:
			p++
			n++
		case star >= 0:
			mark++
			p, n = star+1, mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

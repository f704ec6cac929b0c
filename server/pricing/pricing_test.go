package pricing

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// usd is dollars for tokens at a price per million.
func usd(tokens, perMillion float64) float64 { return tokens * perMillion / 1e6 }

func TestDefaultTable(t *testing.T) {
	tab := Default()
	assert.Same(t, tab, Default(), "the embedded table is built once")
	assert.Equal(t, "2026-11-01", tab.Version())

	var f file
	require.NoError(t, json.Unmarshal(defaultJSON, &f))
	assert.Contains(t, f.Note, "list prices", "the table says what its prices are")
	assert.Contains(t, f.Note, "Override")
	assert.Contains(t, f.Note, "per 1M tokens")
	for _, m := range f.Models {
		assert.Falsef(t, m.Input == nil, "%s has an input price", m.Pattern)
		assert.Falsef(t, m.Output == nil, "%s has an output price", m.Pattern)
	}

	// Every family the table promises to cover.
	for _, model := range []string{
		"gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "o1", "o1-mini", "o3", "o3-mini",
		"o4-mini", "gpt-5", "gpt-5-mini", "gpt-5-nano", "text-embedding-3-small", "text-embedding-3-large",
		"gpt-3.5-turbo", "gpt-4-turbo", "gpt-4",
		"claude-3-5-sonnet-20241022", "claude-3-7-sonnet-20250219", "claude-sonnet-4-20250514",
		"claude-opus-4-1-20250805", "claude-3-opus-20240229", "claude-3-5-haiku-20241022", "claude-3-haiku-20240307",
		"claude-haiku-4-5", "claude-opus-4-5",
		"gemini-1.5-pro", "gemini-1.5-flash", "gemini-2.0-flash", "gemini-2.5-pro", "gemini-2.5-flash",
		"mistral-large-latest", "mistral-small-latest", "codestral-latest",
		"llama-3.3-70b-versatile", "llama-3.1-8b-instant",
		"deepseek-chat", "deepseek-reasoner",
	} {
		_, ok := tab.Cost(model, Usage{Input: 1})
		assert.Truef(t, ok, "%s is priced", model)
	}
}

func TestMatching(t *testing.T) {
	tab := Default()
	tests := []struct {
		model   string
		pattern string // "" for no match
	}{
		{"gpt-4o", "gpt-4o*"},
		{"GPT-4o", "gpt-4o*"},
		{"gpt-4o-2024-08-06", "gpt-4o*"},
		{"gpt-4o-2024-05-13", "gpt-4o-2024-05-13"}, // exact beats glob
		{"gpt-4o-mini", "gpt-4o-mini*"},            // longest glob wins
		{"gpt-4o-mini-2024-07-18", "gpt-4o-mini*"},
		{"openai/gpt-4o-mini", "gpt-4o-mini*"},
		{"openai/gpt-4o-2024-05-13", "gpt-4o-2024-05-13"},
		{"gpt-4", "gpt-4*"},
		{"gpt-4-0613", "gpt-4*"},
		{"gpt-4-32k-0613", "gpt-4-32k*"},
		{"gpt-4-turbo-2024-04-09", "gpt-4-turbo*"},
		{"gpt-4.1-mini-2025-04-14", "gpt-4.1-mini*"},
		{"o1", "o1*"},
		{"o1-2024-12-17", "o1*"},
		{"o1-mini-2024-09-12", "o1-mini*"},
		{"o3-mini", "o3-mini*"},
		{"o4-mini-2025-04-16", "o4-mini*"},
		{"gpt-5-nano-2025-08-07", "gpt-5-nano*"},
		{"models/gemini-2.0-flash", "gemini-2.0-flash*"},
		{"models/gemini-2.0-flash-lite-001", "gemini-2.0-flash-lite*"},
		{"gemini-1.5-flash-8b-001", "gemini-1.5-flash-8b*"},
		{"google/gemini-2.5-pro-preview-05-06", "gemini-2.5-pro*"},
		{"anthropic/claude-3.5-sonnet", "claude-3.5-sonnet*"},
		{"claude-3-5-sonnet@20240620", "claude-3-5-sonnet*"},
		{"us.anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3-5-sonnet*"},
		{"anthropic.claude-3-haiku-20240307-v1:0", "claude-3-haiku*"},
		{"claude-opus-4-5-20251101", "claude-opus-4-5*"},
		{"claude-opus-4-1", "claude-opus-4*"},
		{"meta-llama/llama-4-scout-17b-16e-instruct", "llama-4-scout*"},
		{"groq/llama-3.3-70b-versatile", "llama-3.3-70b*"},
		{"deepseek/deepseek-chat", "deepseek-chat*"},
		{"mistral-large-2411", "mistral-large*"},
		{"", ""},
		{"   ", ""},
		{"my-local-model", ""},
		{"4o", ""},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			e := tab.lookup(tt.model)
			if tt.pattern == "" {
				assert.Nil(t, e)
				_, ok := tab.Cost(tt.model, Usage{Input: 100})
				assert.False(t, ok)
				return
			}
			require.NotNil(t, e)
			assert.Equal(t, tt.pattern, e.pattern)
		})
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"gpt-4o*", "gpt-4o", true},
		{"gpt-4o*", "gpt-4o-mini", true},
		{"gpt-4o*", "gpt-4", false},
		{"*", "", true},
		{"*", "anything", true},
		{"gpt-4-*-preview", "gpt-4-1106-preview", true},
		{"gpt-4-*-preview", "gpt-4-1106-preview-x", false},
		{"*sonnet*", "claude-3-5-sonnet-x", true},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"exact", "exact", true},
		{"exact", "exactly", false},
		{"", "", true},
		{"", "x", false},
	}
	for _, tt := range tests {
		assert.Equalf(t, tt.want, glob(tt.pattern, tt.name), "glob(%q, %q)", tt.pattern, tt.name)
	}
}

func TestCostArithmetic(t *testing.T) {
	tab := writeTable(t, `{"version": "t", "models": [
		{"pattern": "plain", "input": 2, "output": 8},
		{"pattern": "cached", "input": 2, "output": 8, "cache_read": 0.5, "cache_write": 2.5},
		{"pattern": "thinking", "input": 1, "output": 4, "reasoning": 10},
		{"pattern": "embed", "input": 0.02}
	]}`)
	tests := []struct {
		name  string
		model string
		u     Usage
		want  float64
	}{
		{"input and output", "plain", Usage{Input: 1000, Output: 500}, usd(1000, 2) + usd(500, 8)},
		{"nothing", "plain", Usage{}, 0},
		{"cache read defaults to the input price", "plain", Usage{Input: 1000, CacheRead: 600, Output: 10}, usd(1000, 2) + usd(10, 8)},
		{"cache read is part of input", "cached", Usage{Input: 1000, CacheRead: 600, Output: 10},
			usd(400, 2) + usd(600, 0.5) + usd(10, 8)},
		{"cache creation is part of input", "cached", Usage{Input: 1000, CacheRead: 300, CacheCreation: 200},
			usd(500, 2) + usd(300, 0.5) + usd(200, 2.5)},
		{"cache counted apart from input", "cached", Usage{Input: 100, CacheRead: 5000, CacheCreation: 1000, Output: 10},
			usd(100, 2) + usd(5000, 0.5) + usd(1000, 2.5) + usd(10, 8)},
		{"reasoning defaults to the output price", "plain", Usage{Input: 10, Output: 1000, Reasoning: 800}, usd(10, 2) + usd(1000, 8)},
		{"reasoning is part of output", "thinking", Usage{Output: 1000, Reasoning: 800}, usd(200, 4) + usd(800, 10)},
		{"reasoning counted apart from output", "thinking", Usage{Output: 100, Reasoning: 800}, usd(100, 4) + usd(800, 10)},
		{"output defaults to zero", "embed", Usage{Input: 1_000_000, Output: 5}, 0.02},
		{"negative counts are zero", "plain", Usage{Input: -5, Output: -5, CacheRead: -1, CacheCreation: -1, Reasoning: -1}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tab.Cost(tt.model, tt.u)
			require.True(t, ok)
			assert.InDelta(t, tt.want, got, 1e-12)
		})
	}
}

func TestDefaultCost(t *testing.T) {
	tab := Default()
	tests := []struct {
		model string
		u     Usage
		want  float64
	}{
		{"gpt-4o-2024-08-06", Usage{Input: 1000, Output: 200}, usd(1000, 2.5) + usd(200, 10)},
		{"openai/gpt-4o-mini", Usage{Input: 10_000, CacheRead: 8_000, Output: 500}, usd(2000, 0.15) + usd(8000, 0.075) + usd(500, 0.6)},
		{"o3-mini", Usage{Input: 100, Output: 3000, Reasoning: 2500}, usd(100, 1.1) + usd(3000, 4.4)},
		{"claude-3-5-sonnet-20241022", Usage{Input: 12_000, CacheRead: 8_000, CacheCreation: 2_000, Output: 100},
			usd(2000, 3) + usd(8000, 0.3) + usd(2000, 3.75) + usd(100, 15)},
		{"models/gemini-2.0-flash-001", Usage{Input: 1_000_000, Output: 1_000_000}, 0.5},
		{"text-embedding-3-small", Usage{Input: 1_000_000}, 0.02},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			got, ok := tab.Cost(tt.model, tt.u)
			require.True(t, ok)
			assert.InDelta(t, tt.want, got, 1e-12)
		})
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "prices.json")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func writeTable(t *testing.T, content string) *Table {
	t.Helper()
	tab, err := Load(writeFile(t, content))
	require.NoError(t, err)
	return tab
}

func TestLoadMerges(t *testing.T) {
	tab := writeTable(t, `{
		"version": "acme-7",
		"models": [
			{"pattern": "GPT-4o*", "input": 1, "output": 1},
			{"pattern": "gpt-4o-mini", "input": 9, "output": 9},
			{"pattern": "gpt-5*", "input": 3, "output": 3},
			{"pattern": "gpt-5-*", "input": 4, "output": 4},
			{"pattern": "acme-llm*", "provider": "acme", "note": "our own", "input": 0.5, "output": 1.5}
		]
	}`)
	assert.Equal(t, "2026-11-01+acme-7", tab.Version())
	cost := func(model string) float64 {
		got, ok := tab.Cost(model, Usage{Input: 1_000_000})
		require.Truef(t, ok, "%s is priced", model)
		return got
	}
	assert.InDelta(t, 1.0, cost("gpt-4o-2024-08-06"), 1e-12, "the file's pattern replaces the default's")
	assert.InDelta(t, 5.0, cost("gpt-4o-2024-05-13"), 1e-12, "a default exact name still beats the file's glob")
	assert.InDelta(t, 9.0, cost("gpt-4o-mini"), 1e-12, "the file's exact name beats the default glob")
	assert.InDelta(t, 9.0, cost("gpt-4o-mini-2024-07-18"), 1e-12, "date suffixes reach exact names")
	assert.InDelta(t, 3.0, cost("gpt-5.1"), 1e-12, "the file's glob replaces the default's")
	assert.InDelta(t, 4.0, cost("gpt-5-chat-latest"), 1e-12, "a longer user glob beats a shorter one")
	assert.InDelta(t, 0.05, cost("gpt-5-nano"), 1e-12, "a longer default glob still beats a shorter user glob")
	assert.InDelta(t, 0.5, cost("acme-llm-large"), 1e-12, "new patterns are added")
	assert.InDelta(t, 2.0, cost("gpt-4.1"), 1e-12, "the rest of the default stays")

	// The default table is unchanged.
	got, ok := Default().Cost("gpt-4o", Usage{Input: 1_000_000})
	require.True(t, ok)
	assert.InDelta(t, 2.5, got, 1e-12)
}

func TestLoadTieGoesToFile(t *testing.T) {
	// Same length as the default "gpt-4.1*", different pattern.
	tab := writeTable(t, `{"models": [{"pattern": "gpt-4.*", "input": 7}]}`)
	assert.Equal(t, "2026-11-01+custom", tab.Version())
	got, ok := tab.Cost("gpt-4.5-preview", Usage{Input: 1_000_000})
	require.True(t, ok)
	assert.InDelta(t, 75.0, got, 1e-12, "gpt-4.5* is longer")
	got, ok = tab.Cost("gpt-4.2", Usage{Input: 1_000_000})
	require.True(t, ok)
	assert.InDelta(t, 7.0, got, 1e-12)
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    []string
	}{
		{"empty file", ``, []string{"empty or truncated"}},
		{"truncated", `{"models": [`, []string{"empty or truncated"}},
		{"syntax", "{\n  \"models\": [\n    {\"pattern\": \"x\", \"input\": 1,}\n  ]\n}", []string{"line 3", "column", "invalid JSON"}},
		{"not an object", `[1, 2]`, []string{"line 1", "must be"}},
		{"wrong type", `{"models": [{"pattern": "x", "input": "cheap"}]}`, []string{"models.input", "float64", "string"}},
		{"unknown field", `{"models": [{"pattern": "x", "input": 1, "cached_input": 0.5}]}`, []string{`unknown field "cached_input"`}},
		{"no models", `{"version": "x"}`, []string{`no "models"`}},
		{"empty models", `{"models": []}`, []string{`no "models"`}},
		{"no pattern", `{"models": [{"input": 1}]}`, []string{"models[0]", `"pattern" is missing`}},
		{"blank pattern", `{"models": [{"pattern": "x", "input": 1}, {"pattern": "  ", "input": 1}]}`, []string{"models[1]", `"pattern" is missing`}},
		{"no input", `{"models": [{"pattern": "x", "output": 1}]}`, []string{"models[0]", `pattern "x"`, `"input"`, "missing"}},
		{"negative", `{"models": [{"pattern": "x", "input": 1, "cache_read": -0.5}]}`, []string{`"cache_read" is -0.5`, "zero or more"}},
		{"duplicate", `{"models": [{"pattern": "x*", "input": 1}, {"pattern": "X*", "input": 2}]}`, []string{"models[1]", "repeats models[0]"}},
		{"trailing data", `{"models": [{"pattern": "x", "input": 1}]} {}`, []string{"after the price table"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, tt.content)
			tab, err := Load(path)
			require.Error(t, err)
			assert.Nil(t, tab)
			assert.Contains(t, err.Error(), path, "the error names the file")
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}

	_, err := Load(filepath.Join(t.TempDir(), "missing.json"))
	require.ErrorIs(t, err, os.ErrNotExist)
	assert.Contains(t, err.Error(), "missing.json")
}

func TestLoadTooBig(t *testing.T) {
	path := writeFile(t, `{"models": [`+strings.Repeat(" ", maxFileSize)+`]}`)
	_, err := Load(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "larger than")
}

func TestCostConcurrent(t *testing.T) {
	tab := Default()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				model := []string{"gpt-4o", "claude-3-5-sonnet-20241022", "unknown", "models/gemini-2.5-flash"}[(g+i)%4]
				_, _ = tab.Cost(model, Usage{Input: int64(i), Output: int64(g)})
			}
		})
	}
	wg.Wait()
	got, ok := tab.Cost("gpt-4o", Usage{Input: 1_000_000})
	assert.True(t, ok)
	assert.InDelta(t, 2.5, got, 1e-12)
}

func TestCacheIsBounded(t *testing.T) {
	tab := writeTable(t, `{"models": [{"pattern": "m*", "input": 1}]}`)
	for i := range maxCached + 100 {
		_, _ = tab.Cost("m-"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+itoa(i), Usage{Input: 1})
	}
	_, _ = tab.Cost("m"+strings.Repeat("y", maxCachedName), Usage{Input: 1})
	assert.LessOrEqual(t, tab.cached.Load(), int64(maxCached))
	n := 0
	tab.cache.Range(func(any, any) bool { n++; return true })
	assert.LessOrEqual(t, n, maxCached)
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func BenchmarkCost(b *testing.B) {
	tab := Default()
	u := Usage{Input: 1200, Output: 300, CacheRead: 1000}
	b.Run("cached-name", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = tab.Cost("gpt-4o-mini-2024-07-18", u)
		}
	})
	b.Run("uncached-name", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = tab.match("openai/gpt-4o-mini-2024-07-18")
		}
	})
}

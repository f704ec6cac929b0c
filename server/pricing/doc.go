// Package pricing turns a model name and its token counts into US dollars,
// for the local backend's cost column: the AgentOps backend computes the
// cost of an LLM span from its model and usage the same way (WIRE.md §2).
//
// # The table
//
// The price table is a JSON file, embedded in the binary and versioned by
// the date its prices were read:
//
//	{
//	  "version": "2026-11-01",
//	  "note": "...",
//	  "models": [
//	    {"pattern": "gpt-4o-mini*", "input": 0.15, "output": 0.60, "cache_read": 0.075},
//	    {"pattern": "claude-3-5-sonnet*", "input": 3, "output": 15, "cache_read": 0.30, "cache_write": 3.75}
//	  ]
//	}
//
// Prices are list prices in US dollars per one million tokens, as the
// providers published them at the version date: estimates, not invoices
// (batch, priority and long-context tiers are not modelled). "input" is
// required; "output" defaults to 0 (embeddings); "cache_read" and
// "cache_write" default to the input price; "reasoning" defaults to the
// output price. Entries may also carry "provider" and "note", which are
// documentation only. [Default] is the embedded table; [Load] reads a
// user's file of the same format and lays it over the default, so prices
// can be corrected or added without a new release.
//
// # Matching
//
// A model name is matched case-insensitively. A pattern without '*' is an
// exact name; '*' matches any run of characters. An exact name beats any
// glob, and among globs the longest pattern wins, so "gpt-4o-mini*" beats
// "gpt-4o*" for "gpt-4o-mini-2024-07-18". Names are tried as given, then
// without a provider prefix ("openai/gpt-4o", "models/gemini-2.0-flash",
// Bedrock's "us.anthropic.claude-..."), then without version suffixes
// (dates such as "-2024-08-06" or "-20241022", "-001", "-v2", "-latest",
// "-preview", "@20240620", ":0"), so a dated or routed name finds the price
// of its base model.
//
// # Arithmetic
//
// Token counts follow the OpenAI and OTel GenAI convention: Input counts
// the whole prompt, cached tokens included, and Output counts the whole
// completion, reasoning tokens included. So
//
//	cost = (Input − CacheRead − CacheCreation) × input
//	     + CacheRead × cache_read
//	     + CacheCreation × cache_write
//	     + (Output − Reasoning) × output
//	     + Reasoning × reasoning
//
// divided by one million. Two departures keep providers that count
// differently from being charged a negative or missing amount: when
// CacheRead + CacheCreation exceed Input, the provider counted the prompt
// without its cached part (Anthropic's own API does), and Input is charged
// in full at the input price; when Reasoning exceeds Output, the provider
// counted the answer without its reasoning (Gemini does), and both are
// charged in full. Negative counts are treated as zero.
package pricing

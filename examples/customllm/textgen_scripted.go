package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
)

// scriptedSummary is the canned answer of the scripted textgen API.
const scriptedSummary = "Checkout failed for 40 minutes because the payment service's TLS certificate " +
	"expired after its renewal job had failed silently for a week."

// startScriptedTextgen starts a stand-in for the textgen API on a loopback
// port: it speaks the API's wire format and answers every request with
// scriptedSummary, as model "{model}-scripted" and with ids "scripted-N",
// so that what it said is never taken for a real model's answer.
func startScriptedTextgen() *httptest.Server {
	var calls atomic.Int64
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req textgenRequest
		if r.Method != http.MethodPost || r.URL.Path != "/v1/generate" {
			http.Error(w, `{"error":"no such endpoint"}`, http.StatusNotFound)
			return
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, `{"error":"the body is not a generate request"}`, http.StatusBadRequest)
			return
		}
		in := words(req.System)
		for _, t := range req.Turns {
			in += words(t.Text)
		}
		resp := map[string]any{
			"id":          fmt.Sprintf("scripted-%d", calls.Add(1)),
			"model":       req.Model + "-scripted",
			"output":      []map[string]string{{"text": scriptedSummary}},
			"stop_reason": "end_turn",
			"tokens":      map[string]int{"in": in, "out": words(scriptedSummary)},
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(resp)
	}))
}

// words is the scripted API's token count: one a word, which is all a
// canned answer needs.
func words(s string) int { return len(strings.Fields(s)) }

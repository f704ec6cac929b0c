// Package scripted is an OpenAI-compatible chat model server that answers
// from a script instead of a model: the demo, the examples and tests run
// agents against it where no real provider is reachable.
//
// It speaks the Chat Completions wire format closely enough for
// github.com/sashabaranov/go-openai and other OpenAI clients: plain and
// streamed answers (server-sent events, usage in a last chunk when
// stream_options.include_usage asks for it), tool calls, token usage, and
// OpenAI-shaped errors. Every answer is labelled as scripted: the
// system_fingerprint is "scripted", ids start with "chatcmpl-scripted-",
// and each response carries the header X-Scripted-Model: true.
//
//	srv := scripted.NewServer(t, scripted.Sequence(
//		scripted.Reply{ToolCalls: []scripted.ToolCall{{Name: "search", Arguments: `{"q":"otel"}`}}},
//		scripted.Reply{Content: "OpenTelemetry is ..."},
//	))
//	cfg := openai.DefaultConfig("scripted")
//	cfg.BaseURL = srv.BaseURL()
package scripted

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Request is a chat completion request as the server decoded it.
type Request = openai.ChatCompletionRequest

// Reply is one scripted answer.
type Reply struct {
	// Content is the assistant's text; streamed, it is sent a word at a time.
	Content string
	// ToolCalls, when any, are the functions the model asks to call.
	ToolCalls []ToolCall
	// FinishReason defaults to "tool_calls" when there are tool calls,
	// else "stop".
	FinishReason string
	// Delay is how long the model "thinks" before the first byte.
	Delay time.Duration
	// Status, when not 0 or 200, answers with that HTTP status and an
	// OpenAI-shaped error carrying Error as its message.
	Status int
	Error  string
}

// ToolCall is a function call the model asks for. ID defaults to a
// generated "call_scripted_N".
type ToolCall struct {
	ID        string
	Name      string
	Arguments string // JSON
}

// A Responder decides the reply to a request. It is called from the
// server's handler goroutines, so it must be safe for concurrent use.
type Responder func(req *Request) Reply

// Echo is the default Responder: it answers the last user message back.
func Echo(req *Request) Reply {
	return Reply{Content: "scripted reply to: " + LastUser(req)}
}

// Sequence returns the replies in order, one per request, then repeats
// the last one.
func Sequence(replies ...Reply) Responder {
	var mu sync.Mutex
	next := 0
	return func(*Request) Reply {
		mu.Lock()
		defer mu.Unlock()
		if len(replies) == 0 {
			return Reply{}
		}
		r := replies[min(next, len(replies)-1)]
		next++
		return r
	}
}

// LastUser returns the text of the request's last user message.
func LastUser(req *Request) string {
	for i := len(req.Messages) - 1; i >= 0; i-- {
		if m := req.Messages[i]; m.Role == openai.ChatMessageRoleUser {
			return messageText(m)
		}
	}
	return ""
}

// ToolResults returns the tool results that follow the request's last
// assistant message, by tool call id: non-empty when the model is being
// told what the tools it asked for returned.
func ToolResults(req *Request) map[string]string {
	out := map[string]string{}
	for i := len(req.Messages) - 1; i >= 0; i-- {
		m := req.Messages[i]
		if m.Role != openai.ChatMessageRoleTool {
			break
		}
		out[m.ToolCallID] = messageText(m)
	}
	return out
}

func messageText(m openai.ChatCompletionMessage) string {
	if m.Content != "" || len(m.MultiContent) == 0 {
		return m.Content
	}
	var b strings.Builder
	for _, p := range m.MultiContent {
		b.WriteString(p.Text)
	}
	return b.String()
}

// Server is a scripted model on a loopback port.
type Server struct {
	// URL is the server's root; BaseURL is what OpenAI clients want.
	URL string

	respond Responder
	http    *http.Server

	mu       sync.Mutex
	requests []Request
	calls    int
}

// Start starts a server on a loopback port (addr "" picks a free one).
// Close stops it.
func Start(addr string, respond Responder) (*Server, error) {
	if respond == nil {
		respond = Echo
	}
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("scripted: listen: %w", err)
	}
	s := &Server{URL: "http://" + ln.Addr().String(), respond: respond}
	s.http = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.http.Serve(ln) }()
	return s, nil
}

// TB is the part of testing.TB that NewServer uses (so that programs
// using Start do not link the testing package).
type TB interface {
	Helper()
	Fatal(args ...any)
	Cleanup(func())
}

// NewServer starts a server for a test and stops it when the test ends.
func NewServer(t TB, respond Responder) *Server {
	t.Helper()
	s, err := Start("", respond)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// BaseURL is the OpenAI base URL, ending in /v1.
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// Close stops the server, ending any stream in flight.
func (s *Server) Close() { _ = s.http.Close() }

// Requests returns the chat requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Handler answers POST /v1/chat/completions and GET /v1/models.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", s.chat)
	mux.HandleFunc("GET /v1/models", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": []map[string]any{
			{"id": "scripted", "object": "model", "owned_by": "agentops-scripted"},
		}})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "the scripted model server has no route "+r.Method+" "+r.URL.Path)
	})
	return labelled(mux)
}

func labelled(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Scripted-Model", "true")
		next.ServeHTTP(w, r)
	})
}

// maxBody caps a request body: an agent's whole conversation fits.
const maxBody = 8 << 20

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	var req Request
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "the request is not a chat completion request: "+err.Error())
		return
	}
	if len(req.Messages) == 0 {
		writeError(w, http.StatusBadRequest, "messages: at least one message is required")
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.calls++
	n := s.calls
	s.mu.Unlock()

	reply := s.respond(&req)
	if reply.Delay > 0 {
		select {
		case <-time.After(reply.Delay):
		case <-r.Context().Done():
			return
		}
	}
	if reply.Status != 0 && reply.Status != http.StatusOK {
		writeError(w, reply.Status, reply.Error)
		return
	}
	a := newAnswer(n, &req, reply)
	if req.Stream {
		a.stream(w, r, req.StreamOptions != nil && req.StreamOptions.IncludeUsage)
		return
	}
	writeJSON(w, http.StatusOK, a.completion())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	typ := "invalid_request_error"
	switch {
	case status == http.StatusTooManyRequests:
		typ = "rate_limit_exceeded"
	case status >= 500:
		typ = "server_error"
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": msg, "type": typ, "code": nil}})
}

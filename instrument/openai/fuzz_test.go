package openai

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops"
)

// eventState is a bodyState reading an event stream for the fuzzers, with
// the span of no Client (nothing is recorded; everything is assembled).
func eventState(op string) *bodyState {
	_, span := (*agentops.Client)(nil).StartLLM(context.Background(), agentops.LLMRequest{Model: "m"})
	st := &bodyState{span: span, ctx: context.Background(), op: op, mode: modeEvents}
	st.asm.content = true
	return st
}

func sseOf(chunks []string) string {
	var b strings.Builder
	for _, c := range chunks {
		b.WriteString("data: " + c + "\n\n")
	}
	return b.String() + "data: [DONE]\n\n"
}

// FuzzEventStream feeds the event-stream reader any bytes, split at any
// point: it must not panic, and where the split falls must not change what
// it assembles.
func FuzzEventStream(f *testing.F) {
	f.Add(sseOf(chatStreamChunks(true)), 100)
	f.Add(sseOf(chatStreamTwoChoices()), 7)
	f.Add(sseOf(textStreamChunks()), 50)
	f.Add("data: "+chatStreamChunks(false)[1]+"\r\n\r\ndata: "+streamErrorEvent+"\n\n", 3)
	f.Add(": keep-alive\nevent: message\nid: 1\ndata:"+chatStreamChunks(false)[2], 20)
	f.Add("data: {\"choices\":[{\"index\":3,\"delta\":{\"tool_calls\":[{\"index\":2,\"function\":{\"arguments\":\"x\"}}]}}]}", 1)
	f.Fuzz(func(t *testing.T, data string, split int) {
		if split < 0 || split > len(data) {
			split = len(data) / 2
		}
		whole := eventState(agentops.OperationChat)
		whole.consume([]byte(data), true)
		parts := eventState(agentops.OperationChat)
		parts.consume([]byte(data[:split]), false)
		parts.consume([]byte(data[split:]), true)
		if len(data) < 1<<16 { // lines past the buffer bound are skipped only when split
			assert.Equal(t, whole.asm.response(), parts.asm.response())
			assert.Equal(t, whole.ended, parts.ended)
			assert.Equal(t, whole.streamErr, parts.streamErr)
		}
		whole.end(nil)
		parts.end(nil)
	})
}

// FuzzRequest reads any request body as each endpoint's.
func FuzzRequest(f *testing.F) {
	f.Add(handWrittenChat)
	f.Add(`{"model":"gpt-3.5-turbo-instruct","prompt":["a","b"],"max_tokens":7,"stream":true}`)
	f.Add(`{"model":"text-embedding-3-small","input":"x","encoding_format":"float"}`)
	f.Add(`{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"\u00e9"}]}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		w := parseRequest([]byte(body), true)
		params := parseRequest([]byte(body), false)
		if params != nil {
			require.Empty(t, params.Messages, "without content, no message is decoded")
		}
		if w == nil {
			return // without its content, a body may still be readable: {"messages":0}
		}
		require.NotNil(t, params, "a body readable with its content is readable without")
		require.Equal(t, w.wireParams, params.wireParams, "the parameters read the same without the content")
		for _, op := range []string{agentops.OperationChat, agentops.OperationTextCompletion, agentops.OperationEmbeddings} {
			r := w.llmRequest(op, agentops.Endpoint{Provider: "openai"})
			require.Equal(t, op, r.Operation)
		}
	})
}

// FuzzResponse reads any answer body as each endpoint's.
func FuzzResponse(f *testing.F) {
	f.Add(chatPlain)
	f.Add(chatToolCalls)
	f.Add(textCompletion)
	f.Add(embeddingsJSON(1)[:300])
	f.Add(error429)
	f.Fuzz(func(t *testing.T, body string) {
		for _, op := range []string{agentops.OperationChat, agentops.OperationTextCompletion, agentops.OperationEmbeddings} {
			st := eventState(op)
			st.parse([]byte(body))
			st.mode = modeError
			st.buf = getBuffer()
			st.buf.WriteString(body)
			_, err := st.outcome(nil)
			require.Error(t, err)
			putBuffer(st.buf)
		}
	})
}

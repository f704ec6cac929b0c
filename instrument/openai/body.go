package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"

	"github.com/agentops-go/agentops"
)

// Bounds on what a response body makes the transport hold (variables for
// the tests).
var (
	// maxResponseBody: a JSON answer larger than this is passed on, and its
	// span ended, without being recorded (a large embeddings batch, say).
	maxResponseBody = 8 << 20
	// maxErrorBody: enough for any API error message.
	maxErrorBody = 64 << 10
	// maxEventLine: an event-stream line longer than this is skipped.
	maxEventLine = 1 << 20
)

// bodyMode is how a response body is read for the span.
type bodyMode uint8

const (
	modeJSON   bodyMode = iota // buffered (bounded), parsed at its end or Close
	modeError                  // a failed call's body, for the error message
	modeEvents                 // an event stream, parsed line by line as it is read
	modeOpaque                 // compressed: only its end is recorded
)

// body is the response body the caller of the transport reads. It passes
// every byte through unchanged and feeds a copy to its bodyState, which
// ends the span; a cleanup attached to it ends the span of a body dropped
// without Close.
type body struct{ st *bodyState }

func (b *body) Read(p []byte) (int, error) {
	n, err := b.st.body.Read(p)
	b.st.read(p[:n], err)
	return n, err
}

// Close ends the span with what was read (an answer closed early is not a
// failure of the call) and closes the body.
func (b *body) Close() error {
	b.st.end(nil)
	return b.st.body.Close()
}

// bodyState is everything about a response body that ending its span
// needs, and nothing that refers back to the body wrapper. The caller's
// Read, its Close, the context's end and the cleanup may each come from a
// different goroutine: mu guards the rest.
type bodyState struct {
	span   *agentops.LLMSpan
	ctx    context.Context
	body   io.ReadCloser
	op     string
	v      agentops.Verbosity // what the span records of the answer
	mode   bodyMode
	status int
	text   string // the HTTP status text

	ending

	buf *bytes.Buffer // modeJSON, modeError: the body so far; nil past the bound

	// modeEvents
	asm       assembler
	line      []byte // a line not yet ended by '\n'
	skipLine  bool   // the line in progress is past maxEventLine
	ended     bool   // [DONE] or an error event was read
	streamErr *streamError
	chunk     *wireAnswer   // reused for each chunk
	dec       *json.Decoder // reads src
	src       bytes.Reader  // the chunk being decoded
	decoded   int64         // bytes dec has decoded
}

func newBody(ctx context.Context, span *agentops.LLMSpan, op string, stream bool, v agentops.Verbosity, resp *http.Response) io.ReadCloser {
	st := &bodyState{span: span, ctx: ctx, body: resp.Body, op: op, v: v, status: resp.StatusCode, text: resp.Status}
	ct := resp.Header.Get("Content-Type")
	switch {
	case resp.StatusCode >= 400:
		st.mode = modeError
	case encoded(resp):
		st.mode = modeOpaque
	case strings.HasPrefix(ct, "text/event-stream") || (stream && !strings.Contains(ct, "json")):
		st.mode = modeEvents
		st.asm.content = v.Content
	default:
		st.mode = modeJSON
	}
	if st.mode == modeJSON || st.mode == modeError {
		st.buf = getBuffer()
	}
	st.watch(ctx, st.canceled)
	b := &body{st: st}
	runtime.AddCleanup(b, (*bodyState).abandon, st)
	return b
}

// read takes what one Read of the body returned.
func (st *bodyState) read(p []byte, err error) {
	st.mu.Lock()
	if st.done {
		st.mu.Unlock()
		return
	}
	switch st.mode {
	case modeEvents:
		st.consume(p, err == io.EOF)
	case modeJSON, modeError:
		st.keep(p)
	}
	ended := st.ended
	st.mu.Unlock()
	switch {
	case ended, err == io.EOF:
		st.end(nil)
	case err != nil:
		st.end(err)
	}
}

func (st *bodyState) canceled() { st.end(st.ctx.Err()) }

// abandon is the cleanup of a body dropped unread and unclosed.
func (st *bodyState) abandon() {
	st.end(nil)
	_ = st.body.Close()
}

// end ends the span once: err is a failure to read the body, or the
// context's end; nil when the body ended or was closed.
func (st *bodyState) end(err error) {
	var resp agentops.LLMResponse
	var callErr error
	if !st.finish(func() {
		if err != nil && st.ctx.Err() != nil {
			err = st.ctx.Err() // what a read fails with once the request is cancelled
		}
		resp, callErr = st.outcome(err)
		if st.buf != nil {
			putBuffer(st.buf)
			st.buf = nil
		}
		st.asm, st.line, st.chunk, st.dec = assembler{}, nil, nil, nil
	}) {
		return
	}
	st.span.End(resp, callErr)
}

// outcome is what the span ends with.
func (st *bodyState) outcome(err error) (agentops.LLMResponse, error) {
	switch st.mode {
	case modeError:
		e := &statusError{code: st.status, status: st.text}
		if st.buf != nil {
			var w wireError
			if json.Unmarshal(st.buf.Bytes(), &w) == nil && w.Error != nil {
				e.message = strings.Join(w.Error.Message, ", ")
			}
		}
		return agentops.LLMResponse{ErrorType: e.ErrorType()}, e
	case modeEvents:
		resp := st.asm.response()
		if st.streamErr != nil {
			resp.ErrorType = st.streamErr.ErrorType()
			return resp, st.streamErr
		}
		return resp, err
	case modeJSON:
		// A complete answer stands even if the read then failed (or the
		// context ended after the caller had it all).
		if st.buf != nil && st.buf.Len() > 0 {
			if resp, ok := st.parse(st.buf.Bytes()); ok {
				return resp, nil
			}
		}
	}
	return agentops.LLMResponse{}, err
}

func (st *bodyState) parse(data []byte) (agentops.LLMResponse, bool) {
	if st.op == agentops.OperationEmbeddings {
		var r wireEmbeddings
		if json.Unmarshal(data, &r) != nil {
			return agentops.LLMResponse{}, false
		}
		return r.response(), true
	}
	var r wireAnswer
	if json.Unmarshal(data, &r) != nil {
		return agentops.LLMResponse{}, false
	}
	return r.response(st.v), true
}

// keep buffers a JSON body up to its bound; past it, nothing is kept.
func (st *bodyState) keep(p []byte) {
	if st.buf == nil || len(p) == 0 {
		return
	}
	limit := maxResponseBody
	if st.mode == modeError {
		limit = maxErrorBody
	}
	if st.buf.Len()+len(p) > limit {
		putBuffer(st.buf)
		st.buf = nil
		return
	}
	st.buf.Write(p)
}

// consume reads what one Read of an event stream returned; at the end of
// the body, a last line without its newline counts too.
func (st *bodyState) consume(p []byte, eof bool) {
	st.scan(p)
	if eof && len(st.line) > 0 && !st.skipLine && !st.ended {
		st.lineDone(st.line)
		st.line = st.line[:0]
	}
}

// scan splits what was read into lines, handing each complete one to
// lineDone; a line split across reads waits in st.line. Lines within p are
// not copied.
func (st *bodyState) scan(p []byte) {
	for len(p) > 0 && !st.ended {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			st.partial(p)
			return
		}
		line := p[:i]
		p = p[i+1:]
		if len(st.line) > 0 || st.skipLine {
			st.partial(line)
			line = st.line
		}
		if !st.skipLine {
			st.lineDone(line)
		}
		st.line, st.skipLine = st.line[:0], false
	}
}

func (st *bodyState) partial(p []byte) {
	if st.skipLine {
		return
	}
	if len(st.line)+len(p) > maxEventLine {
		st.line, st.skipLine = st.line[:0], true
		return
	}
	st.line = append(st.line, p...)
}

var (
	dataField = []byte("data:")
	doneEvent = []byte("[DONE]")
)

// lineDone reads one event-stream line: data lines carry the chunks, then
// [DONE]; other fields (event:, id:, comments) carry nothing recorded.
func (st *bodyState) lineDone(line []byte) {
	payload, ok := bytes.CutPrefix(bytes.TrimSpace(line), dataField)
	if !ok {
		return
	}
	payload = bytes.TrimSpace(payload)
	switch {
	case len(payload) == 0:
	case bytes.Equal(payload, doneEvent):
		st.ended = true
	case isErrorEvent(payload):
		st.streamErr = &streamError{}
		var w wireError
		if json.Unmarshal(payload, &w) == nil && w.Error != nil {
			st.streamErr.message = strings.Join(w.Error.Message, ", ")
			st.streamErr.typ = w.Error.Type
			if st.streamErr.typ == "" && w.Error.Code != nil {
				st.streamErr.typ = fmt.Sprint(w.Error.Code)
			}
		}
		st.ended = true
	default:
		if c := st.decodeChunk(payload); c != nil {
			st.span.ChunkReceived()
			st.asm.wire(c)
		}
	}
}

// decodeChunk decodes one chunk's JSON, or returns nil. One decoder serves
// the whole stream: unlike json.Unmarshal, it keeps its scratch memory
// from chunk to chunk.
func (st *bodyState) decodeChunk(payload []byte) *wireAnswer {
	c := st.nextChunk()
	st.src.Reset(payload)
	if st.dec == nil {
		st.dec = json.NewDecoder(&st.src)
	}
	if st.dec.Decode(c) != nil || st.dec.InputOffset() != st.decoded+int64(len(payload)) {
		st.dec, st.decoded = nil, 0 // a decoder that failed stays failed
		return nil
	}
	st.decoded += int64(len(payload))
	return c
}

// nextChunk is the chunk to decode into: the last one, emptied, its
// choices' memory kept (the decoder would not clear it).
func (st *bodyState) nextChunk() *wireAnswer {
	if st.chunk == nil {
		st.chunk = new(wireAnswer)
	}
	choices := st.chunk.Choices[:cap(st.chunk.Choices)]
	clear(choices)
	*st.chunk = wireAnswer{Choices: choices[:0]}
	return st.chunk
}

// isErrorEvent reports whether a data payload is {"error": ...}.
func isErrorEvent(payload []byte) bool {
	rest, ok := bytes.CutPrefix(payload, []byte("{"))
	return ok && bytes.HasPrefix(bytes.TrimLeft(rest, " \t"), []byte(`"error"`))
}

// encoded reports whether resp's body is compressed, with an encoding the
// caller asked for itself and so decodes itself: its bytes are not the
// answer's text.
func encoded(resp *http.Response) bool {
	ce := resp.Header.Get("Content-Encoding")
	return ce != "" && ce != "identity"
}

// withRawBody is resp's body, giving its bytes to span as they are read
// when the span records raw bodies and the bytes are text.
func withRawBody(resp *http.Response, span *agentops.LLMSpan) io.ReadCloser {
	if !span.RecordsBodies() || encoded(resp) {
		return resp.Body
	}
	return rawBody{ReadCloser: resp.Body, span: span}
}

// rawBody passes a response body through, giving each read to the span
// before the reader (or the bodyState that ends the span) sees it.
type rawBody struct {
	io.ReadCloser
	span *agentops.LLMSpan
}

func (b rawBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.span.AppendResponseBody(p[:n])
	return n, err
}

// statusError is a call the API answered with a failure status.
type statusError struct {
	code    int
	status  string
	message string
}

func (e *statusError) Error() string {
	status := e.status
	if status == "" {
		status = strconv.Itoa(e.code)
	}
	if e.message == "" {
		return "openai: " + status
	}
	return "openai: " + status + ": " + e.message
}

// ErrorType is error.type: the status code.
func (e *statusError) ErrorType() string { return strconv.Itoa(e.code) }

// streamError is an error the API sent in the middle of an event stream.
type streamError struct{ message, typ string }

func (e *streamError) Error() string {
	if e.message == "" {
		return "openai: error event in the stream"
	}
	return "openai: error event in the stream: " + e.message
}

// ErrorType is error.type: the error's type (or code) as the API gave it.
func (e *streamError) ErrorType() string {
	if e.typ != "" {
		return e.typ
	}
	return streamErrorType
}

// streamErrorType is error.type of an error event that names no type.
const streamErrorType = "stream_error"

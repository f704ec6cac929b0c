package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/agentops-go/agentops"
)

// maxRequestBody bounds the request body the transport reads to record it.
// A larger request is sent untouched and unrecorded. (A variable for the
// tests.)
var maxRequestBody int64 = 8 << 20

// NewTransport returns an http.RoundTripper that records, as LLM spans, the
// calls to any OpenAI-compatible API made through it: POST requests to a
// path ending in /chat/completions, /completions or /embeddings. Use it
// under code that speaks the OpenAI wire format without go-openai's typed
// client (an LLM wrapper of your own, a framework's provider, another SDK
// that takes an *http.Client). Other requests pass through untouched.
//
// The request body is read (up to 8 MiB) and restored, so base sees the
// same request; the span starts from the request's context, with the
// provider and server taken from the request URL (unless WithProvider),
// and ends as the caller reads the response: a JSON body when read to its
// end or closed (an answer over 8 MiB is passed on but not recorded), an
// event stream chunk by chunk as it is read, with the time to first chunk,
// never buffered whole. A status of 400 or more ends
// the span with error.type the status code and the API's error message; a
// transport error ends it with that error; the request context's end ends
// it as canceled; a body dropped without Close is ended by a cleanup.
//
// When the request's context already carries an LLM span (a Client from
// Wrap made the call), the transport starts none: one call makes one LLM
// span. At agentops.LevelDebug it gives that span the raw bodies, as it
// does its own; otherwise it passes the call through.
//
// At agentops.LevelDebug, with content capture on, the span records the
// raw request body (a request over 8 MiB is not recorded) and the response
// body as it is read (a compressed one is not), masked and capped by the
// root package (see agentops.LLMSpan.SetRequestBody). Headers are never
// recorded. Below LevelDetailed, or with content capture off, the request's
// messages, prompts and tools are not even decoded.
//
// base nil means http.DefaultTransport. The returned RoundTripper is safe
// for concurrent use.
func NewTransport(base http.RoundTripper, opts ...Option) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{base: base, cfg: newConfig(opts)}
}

type transport struct {
	base http.RoundTripper
	cfg  config
	last atomic.Pointer[endpointEntry] // the endpoint of the latest host
}

type endpointEntry struct {
	scheme, host string
	ep           agentops.Endpoint
}

// handledKey marks the context of a request whose bodies a transport gives
// its span, so that transports under it (NewTransport twice, or under a
// Client from NewClient) pass it through: one copy of each body.
type handledKey struct{}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	op := operationOf(req)
	if op == "" || ctx.Value(handledKey{}) != nil {
		return t.base.RoundTrip(req)
	}
	if span := agentops.LLMSpanFromContext(ctx); span != nil {
		if !span.RecordsBodies() {
			return t.base.RoundTrip(req)
		}
		return t.giveBodies(req, span)
	}
	v, ok := t.cfg.verbosity(ctx)
	if !ok {
		return t.base.RoundTrip(req)
	}
	var w *wireRequest
	var raw []byte
	body, err := readRequest(req, func(data []byte) {
		w = parseRequest(data, v.Content)
		if w != nil && v.RawBodies() {
			raw = bytes.Clone(data) // data is gone by the time the span starts
		}
	})
	if err != nil {
		return nil, err
	}
	if w == nil { // not a request the transport can read: send it as it came
		return t.base.RoundTrip(sending(ctx, req, body))
	}
	ctx, span := t.cfg.start(ctx, w.llmRequest(op, t.endpoint(req.URL)))
	if span.RecordsBodies() {
		span.SetRequestBody(raw)
		ctx = context.WithValue(ctx, handledKey{}, true)
	}
	resp, err := t.base.RoundTrip(sending(ctx, req, body))
	if err != nil {
		span.End(agentops.LLMResponse{}, err)
		return nil, err
	}
	// A copy: the connection's read loop holds the response it made until
	// its body is done, and must not hold the wrapper, whose cleanup ends
	// the span of a body dropped unread.
	wrapped := *resp
	if wrapped.Body == nil {
		wrapped.Body = http.NoBody
	}
	wrapped.Body = withRawBody(&wrapped, span)
	wrapped.Body = newBody(ctx, span, op, w.Stream, recorded(span, v), &wrapped)
	return &wrapped, nil
}

// giveBodies sends req, whose LLM span a Client of this package started,
// giving the span the raw request body, and the response body as the
// caller reads it.
func (t *transport) giveBodies(req *http.Request, span *agentops.LLMSpan) (*http.Response, error) {
	body, err := readRequest(req, span.SetRequestBody)
	if err != nil {
		return nil, err
	}
	resp, err := t.base.RoundTrip(sending(context.WithValue(req.Context(), handledKey{}, true), req, body))
	if err != nil || resp.Body == nil {
		return resp, err
	}
	resp.Body = withRawBody(resp, span)
	return resp, nil
}

// sending is req as the transport underneath gets it: with ctx, and with
// body, when the transport read the request's own, in its place. req
// itself is never changed.
func sending(ctx context.Context, req *http.Request, body *replayBody) *http.Request {
	if body == nil && ctx == req.Context() {
		return req
	}
	out := req.WithContext(ctx)
	if body != nil {
		out.Body = body
		if body.closer == nil { // read whole: it can be sent again
			out.GetBody = body.getBody
		}
	}
	return out
}

// CloseIdleConnections closes the idle connections of the transport
// underneath, when it has any, as http.Client.CloseIdleConnections expects
// of its Transport.
func (t *transport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// operationOf is the GenAI operation of an OpenAI API request, or "".
func operationOf(req *http.Request) string {
	if req.Method != http.MethodPost || req.URL == nil {
		return ""
	}
	p := strings.TrimSuffix(req.URL.Path, "/")
	switch {
	case strings.HasSuffix(p, "/chat/completions"):
		return agentops.OperationChat
	case strings.HasSuffix(p, "/completions"):
		return agentops.OperationTextCompletion
	case strings.HasSuffix(p, "/embeddings"):
		return agentops.OperationEmbeddings
	}
	return ""
}

// endpoint is the provider and server of u, remembered for the latest host
// (a transport mostly talks to one).
func (t *transport) endpoint(u *url.URL) agentops.Endpoint {
	e := t.last.Load()
	if e == nil || e.scheme != u.Scheme || e.host != u.Host {
		e = &endpointEntry{scheme: u.Scheme, host: u.Host,
			ep: agentops.EndpointFromURL((&url.URL{Scheme: u.Scheme, Host: u.Host}).String())}
		if t.cfg.provider != "" {
			e.ep.Provider = t.cfg.provider
		}
		t.last.Store(e)
	}
	return e.ep
}

var bufferPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer keeps a buffer that grew on a big body out of the pool.
const maxPooledBuffer = 1 << 20

func getBuffer() *bytes.Buffer { b := bufferPool.Get().(*bytes.Buffer); b.Reset(); return b }

func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooledBuffer {
		bufferPool.Put(b)
	}
}

// readRequest reads the request's body and hands its bytes to use, which
// must not keep them. Through GetBody when the request has one (go-openai's
// and most do), leaving the body to be sent untouched; else it reads the
// body itself, and returns the body to send instead: the same bytes, or,
// past maxRequestBody, what was read followed by the rest, without calling
// use.
func readRequest(req *http.Request, use func(data []byte)) (*replayBody, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	buf := getBuffer()
	defer putBuffer(buf)
	if req.GetBody != nil && req.ContentLength > 0 && req.ContentLength <= maxRequestBody {
		if rc, err := req.GetBody(); err == nil {
			_, err = buf.ReadFrom(io.LimitReader(rc, maxRequestBody+1))
			_ = rc.Close()
			if err == nil && int64(buf.Len()) <= maxRequestBody {
				use(buf.Bytes())
				return nil, nil
			}
		}
		buf.Reset()
	}
	data, err := io.ReadAll(io.LimitReader(req.Body, maxRequestBody+1))
	if err != nil {
		_ = req.Body.Close()
		return nil, err
	}
	if int64(len(data)) > maxRequestBody {
		return &replayBody{Reader: io.MultiReader(bytes.NewReader(data), req.Body), closer: req.Body}, nil
	}
	_ = req.Body.Close()
	use(data)
	return newReplayBody(data), nil
}

// parseRequest decodes a request's JSON, its messages, prompts and tools
// only with content (the span records them): without, the decoder skips
// them. nil is a request not to record.
func parseRequest(data []byte, content bool) *wireRequest {
	var w wireRequest
	var into any = &w
	if !content {
		into = &w.wireParams
	}
	if json.Unmarshal(data, into) != nil {
		return nil
	}
	return &w
}

// replayBody is a request body the transport read and gives back.
type replayBody struct {
	io.Reader
	closer io.Closer
	data   []byte // all of it, when it was read whole
}

func newReplayBody(data []byte) *replayBody {
	return &replayBody{Reader: bytes.NewReader(data), data: data}
}

func (b *replayBody) Close() error {
	if b.closer != nil {
		return b.closer.Close()
	}
	return nil
}

// getBody is http.Request.GetBody for a body read whole, so that the
// transport underneath can send it again after a lost connection.
func (b *replayBody) getBody() (io.ReadCloser, error) {
	return newReplayBody(b.data), nil
}

// InstrumentConfig installs NewTransport in cfg.HTTPClient, for programs
// that use a plain goopenai.Client (or a library that builds one from a
// ClientConfig): the *http.Client there is copied, never changed, with its
// Transport (http.DefaultTransport when nil) wrapped; any other HTTPDoer is
// wrapped as it is. With cfg.APIType Azure, the provider is Azure OpenAI
// unless WithProvider says otherwise. Call it once, before building the
// client; the client is then safe for concurrent use as before.
func InstrumentConfig(cfg *goopenai.ClientConfig, opts ...Option) {
	opts = append([]Option{withClientConfig(cfg)}, opts...)
	c := newConfig(opts)
	if c.provider == "" && (c.apiType == goopenai.APITypeAzure || c.apiType == goopenai.APITypeAzureAD) {
		opts = append(opts, WithProvider(providerAzureOpenAI))
	}
	switch hc := cfg.HTTPClient.(type) {
	case nil:
		cfg.HTTPClient = &http.Client{Transport: NewTransport(http.DefaultTransport, opts...)}
	case *http.Client:
		if hc == nil {
			cfg.HTTPClient = &http.Client{Transport: NewTransport(http.DefaultTransport, opts...)}
			return
		}
		cp := *hc
		cp.Transport = NewTransport(hc.Transport, opts...)
		cfg.HTTPClient = &cp
	default:
		cfg.HTTPClient = doer{NewTransport(roundTripperFunc(hc.Do), opts...)}
	}
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// doer makes a RoundTripper an HTTPDoer.
type doer struct{ rt http.RoundTripper }

func (d doer) Do(r *http.Request) (*http.Response, error) { return d.rt.RoundTrip(r) }

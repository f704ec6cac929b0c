package upload

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"
)

// Defaults of a [Client].
const (
	// DefaultMaxBody is the AgentOps backend's cap on an upload request.
	DefaultMaxBody     = 25_000_000
	DefaultMaxElapsed  = 30 * time.Second
	DefaultMaxAttempts = 5
)

// ErrNotFound is wrapped by an upload the server answered with 404.
var ErrNotFound = errors.New("endpoint not found")

// Config configures a [Client].
type Config struct {
	// Endpoint is the API base URL, e.g. https://api.agentops.ai.
	Endpoint string
	// HTTPClient sends the uploads; give it a *Transport for auth. nil means
	// http.DefaultClient.
	HTTPClient *http.Client
	// MaxBody caps a request body (the JSON envelope); longer texts are cut
	// with a visible marker. 0 means DefaultMaxBody.
	MaxBody int
	// MaxElapsed bounds one upload, retries included. 0 means DefaultMaxElapsed.
	MaxElapsed time.Duration
	// MaxAttempts bounds the tries of one upload. 0 means DefaultMaxAttempts.
	MaxAttempts int
}

// Result is the server's answer to an upload.
type Result struct {
	URL  string `json:"url"`
	Size int64  `json:"size"`
	// Kind is the endpoint that stored the text: "logs", "scripts" or
	// "objects" (a script the server had no scripts endpoint for).
	Kind string `json:"-"`
	// Truncated is set when the text was cut to fit the server's cap.
	Truncated bool `json:"-"`
}

// Client uploads a session's artefacts to the AgentOps v4 API, retrying
// the way go-retryablehttp does: 429, 502, 503, 504 and connection errors
// (but for a refused connection: nothing listens, and waiting will not
// change that),
// honouring Retry-After, with jittered exponential backoff, within a bound
// on attempts and on total time, never after ctx ends. It is safe for
// concurrent use.
type Client struct {
	cfg  Config
	http *http.Client
	// noScripts is set once the server answered 404 for scripts: later
	// scripts go straight to objects.
	noScripts atomic.Bool
}

// NewClient returns a Client for cfg.
func NewClient(cfg Config) *Client {
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.MaxElapsed <= 0 {
		cfg.MaxElapsed = DefaultMaxElapsed
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	client := cfg.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	cfg.Endpoint = strings.TrimRight(cfg.Endpoint, "/")
	return &Client{cfg: cfg, http: client}
}

// String describes the client; it holds no secret itself (the token lives
// in the Transport's Auth, which redacts its own String).
func (c *Client) String() string { return "upload.Client{endpoint: " + c.cfg.Endpoint + "}" }

// TraceIDDecimal is the form of a trace ID the AgentOps API expects in
// Trace-Id: the 128-bit ID as an unsigned decimal integer.
func TraceIDDecimal(id [16]byte) string { return new(big.Int).SetBytes(id[:]).String() }

// UploadLogs stores the captured log text of one trace. The text is sent
// after a newline, because AgentOps' log viewer drops the first line.
func (c *Client) UploadLogs(ctx context.Context, traceID [16]byte, text string) (Result, error) {
	return c.post(ctx, "logs", http.Header{"Trace-Id": {TraceIDDecimal(traceID)}}, "\n"+text)
}

// UploadScript stores one source file of the program that produced a trace,
// under its module-relative, slash-separated name. A server without the
// scripts endpoint (404; AgentOps cloud today) gets it as an object
// instead, and so do all later scripts: Result.Kind says which happened.
func (c *Client) UploadScript(ctx context.Context, traceID [16]byte, filename, text string) (Result, error) {
	if !safeName(filename) {
		return Result{}, fmt.Errorf("agentops: refusing to upload %q: a script name must be module-relative, without '..', '\\' or NUL", filename)
	}
	if !c.noScripts.Load() {
		res, err := c.post(ctx, "scripts", http.Header{"Trace-Id": {TraceIDDecimal(traceID)}, "Filename": {filename}}, text)
		if !errors.Is(err, ErrNotFound) {
			return res, err
		}
		c.noScripts.Store(true)
	}
	return c.UploadObject(ctx, text)
}

// UploadObject stores any text and returns where.
func (c *Client) UploadObject(ctx context.Context, text string) (Result, error) {
	return c.post(ctx, "objects", nil, text)
}

// safeName rejects what a server must never be asked to store: absolute
// paths, parent references, empty or "." elements, backslashes, NUL bytes.
func safeName(name string) bool {
	return name != "." && fs.ValidPath(name) && !strings.ContainsAny(name, "\\\x00")
}

// maxAnswer bounds what is read of an upload's answer.
const maxAnswer = 1 << 16

func (c *Client) post(ctx context.Context, kind string, header http.Header, text string) (Result, error) {
	body, truncated := envelope(text, c.cfg.MaxBody)
	url := c.cfg.Endpoint + "/v4/" + kind + "/upload/"
	ctx, cancel := context.WithTimeout(ctx, c.cfg.MaxElapsed)
	defer cancel()

	var last error
	for attempt := 0; attempt < c.cfg.MaxAttempts; attempt++ {
		res, wait, err := c.try(ctx, url, header, body)
		if err == nil {
			res.Kind, res.Truncated = kind, truncated
			return res, nil
		}
		var final *finalError
		if errors.As(err, &final) {
			return Result{}, fmt.Errorf("agentops: uploading %s to %s: %w", kind, url, final.err)
		}
		last = err
		if attempt == c.cfg.MaxAttempts-1 {
			break
		}
		if !pause(ctx, wait, attempt) {
			return Result{}, fmt.Errorf("agentops: uploading %s to %s: gave up after %d attempts (%w); last attempt: %w",
				kind, url, attempt+1, context.Cause(ctx), last)
		}
	}
	return Result{}, fmt.Errorf("agentops: uploading %s to %s: gave up after %d attempts; last attempt: %w",
		kind, url, c.cfg.MaxAttempts, last)
}

// finalError marks a failure that retrying will not fix.
type finalError struct{ err error }

func (e *finalError) Error() string { return e.err.Error() }
func (e *finalError) Unwrap() error { return e.err }

// try makes one attempt. wait is the server's Retry-After, if any.
func (c *Client) try(ctx context.Context, url string, header http.Header, body []byte) (Result, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Result{}, 0, &finalError{err}
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		if errors.Is(err, ErrAPIKeyRejected) || errors.Is(err, ErrNoAuthEndpoint) || errors.Is(err, ErrClosed) {
			return Result{}, 0, &finalError{err}
		}
		if errors.Is(err, syscall.ECONNREFUSED) {
			// Nothing listens there: a backend that is not running will not
			// be in the next seconds either, and retrying would hold the
			// program's exit (Shutdown waits for uploads) for nothing.
			return Result{}, 0, &finalError{fmt.Errorf("%w: is the backend running (`agentops serve` for the local one), and is the endpoint (AGENTOPS_API_ENDPOINT) right?", err)}
		}
		return Result{}, 0, err // other connection errors and timeouts: retry
	}
	defer drainClose(resp.Body)
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))

	switch code := resp.StatusCode; {
	case code == http.StatusOK:
		var res Result
		if err := json.Unmarshal(answer, &res); err != nil {
			return Result{}, 0, &finalError{fmt.Errorf("the answer is not the expected JSON: %w", err)}
		}
		return res, 0, nil
	case code == http.StatusTooManyRequests || code == http.StatusBadGateway ||
		code == http.StatusServiceUnavailable || code == http.StatusGatewayTimeout:
		wait, _ := retryAfter(resp.Header, time.Now())
		return Result{}, wait, fmt.Errorf("%d %s", code, reason("", answer))
	case code == http.StatusNotFound:
		return Result{}, 0, &finalError{fmt.Errorf("%w (404 %s)", ErrNotFound, reason("", answer))}
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return Result{}, 0, &finalError{fmt.Errorf("%d %s: the token was refused even after re-authenticating; is the API key valid for this endpoint?", code, reason("", answer))}
	default:
		return Result{}, 0, &finalError{fmt.Errorf("%d %s", code, reason("", answer))}
	}
}

// envelope is the {"body": text} request body, cut with a visible marker
// to fit max bytes: an upload is never refused for its size, nor dropped.
func envelope(text string, limit int) ([]byte, bool) {
	body := encodeEnvelope(text)
	if len(body) <= limit {
		return body, false
	}
	keep := len(text)
	for len(body) > limit && keep > 0 {
		// Shrink in proportion to the overshoot (escaping makes the JSON
		// longer than the text), keeping room for the marker.
		keep = max(0, keep*limit/len(body)-512)
		cut := keep
		if nl := strings.LastIndexByte(text[:keep], '\n'); nl > keep/2 {
			cut = nl + 1 // end on a whole line
		}
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		body = encodeEnvelope(text[:cut] + fmt.Sprintf("\n[agentops: truncated: %d more bytes over the %d-byte upload cap]\n", len(text)-cut, limit))
	}
	return body, true
}

func encodeEnvelope(text string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // code is full of < > &; \u003c would waste bytes
	_ = enc.Encode(struct {
		Body string `json:"body"`
	}{text})
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

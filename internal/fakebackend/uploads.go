package fakebackend

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// DefaultUploadCap is the default limit on the request body of the
// /v4/*/upload/ endpoints: 25 MB, as on AgentOps (docs/WIRE.md section 3).
const DefaultUploadCap = 25 * 1000 * 1000

// Upload kinds, as in [Upload].Kind and the stored URL.
const (
	kindLogs    = "logs"
	kindScripts = "scripts"
	kindObjects = "objects"
)

var traceIDHeaderRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// maxTraceID is 2^128-1, the largest trace id.
var maxTraceID = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))

// Upload is one POST /v4/{logs,scripts,objects}/upload/ request as the
// backend saw it.
type Upload struct {
	Kind string // "logs", "scripts" or "objects"
	// TraceID is the Trace-Id header normalised to 32 lowercase hex; "" for
	// objects, or when the header is missing or invalid.
	TraceID string
	// Filename is the Filename header as sent (even when it was rejected);
	// scripts only, "" for the other kinds.
	Filename string
	// Body is the uploaded text with the {"body": ...} envelope removed; ""
	// when the request was rejected before its body was read.
	Body   string
	Header http.Header // a copy of the request headers
	Status int         // the status code the backend answered; 0 while in flight
	// URL is the "url" the backend answered on success, "" otherwise.
	URL string
}

// SetUploadCap sets the request body limit of the upload endpoints to n
// bytes; a larger body gets 413. n <= 0 restores [DefaultUploadCap].
// It is safe for concurrent use.
func (b *Backend) SetUploadCap(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if n <= 0 {
		n = DefaultUploadCap
	}
	b.uploadCap = int64(n)
}

// SetScriptsNotFound makes POST /v4/scripts/upload/ answer 404
// {"detail":"Not Found"}, as AgentOps cloud does today (it has no such
// endpoint), when on; default off. It is safe for concurrent use.
func (b *Backend) SetScriptsNotFound(on bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.scriptsNotFound = on
}

// SetUploadStatuses makes the next len(codes) upload requests (of any kind,
// in arrival order) answer codes[0], codes[1], ... with "Retry-After: 0" and
// a small JSON error body, storing nothing; afterwards normal behaviour
// resumes. A code of 0 lets that request be handled normally. Each call
// replaces the codes still pending; calling it with no codes clears them.
// Requests hung by [Backend.SetHang] or refused with 405 do not use up a
// code. It panics on a code outside 100..599 other than 0.
// It is safe for concurrent use.
func (b *Backend) SetUploadStatuses(codes ...int) {
	for _, c := range codes {
		if c != 0 && (c < 100 || c > 599) {
			panic(fmt.Sprintf("fakebackend: SetUploadStatuses: invalid status code %d", c))
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.uploadStatuses = append([]int(nil), codes...)
}

// Uploads returns every upload request received so far, in arrival order,
// including rejected ones (405s excepted). It is safe for concurrent use.
func (b *Backend) Uploads() []Upload {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Upload, len(b.uploads))
	for i, u := range b.uploads {
		u.Header = u.Header.Clone()
		out[i] = u
	}
	return out
}

// WaitForUploads polls until at least n uploads have succeeded (status 200)
// and returns every successful upload, in arrival order. On timeout it calls
// t.Fatalf listing every upload request and its status, and returns nil.
// It is safe for concurrent use.
func (b *Backend) WaitForUploads(t testing.TB, n int, timeout time.Duration) []Upload {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		all := b.Uploads()
		var ok []Upload
		for _, u := range all {
			if u.Status == http.StatusOK {
				ok = append(ok, u)
			}
		}
		if len(ok) >= n {
			return ok
		}
		if time.Now().After(deadline) {
			reqs := make([]string, len(all))
			for i, u := range all {
				reqs[i] = u.summary()
			}
			b.mu.Lock()
			state := fmt.Sprintf("require auth %v, hang %v, scripts not found %v, pending forced statuses %v",
				b.requireAuth, b.hang, b.scriptsNotFound, b.uploadStatuses)
			b.mu.Unlock()
			t.Fatalf("fakebackend: waited %v for %d successful uploads, got %d; upload requests: [%s]; %s; auth requests: %d",
				timeout, n, len(ok), strings.Join(reqs, ", "), state, b.AuthRequests())
			return nil
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// summary describes u in one line for failure messages.
func (u Upload) summary() string {
	s := fmt.Sprintf("%s %d", u.Kind, u.Status)
	if u.Kind != kindObjects {
		s += fmt.Sprintf(" trace-id=%q", u.Header.Get("Trace-Id"))
	}
	if u.Kind == kindScripts {
		s += fmt.Sprintf(" filename=%q", u.Filename)
	}
	if u.Status == http.StatusOK {
		s += fmt.Sprintf(" size=%d", len(u.Body))
	}
	return s
}

// uploadResult is how the backend answers one upload request.
type uploadResult struct {
	status     int
	payload    any  // JSON response body
	retryAfter bool // set "Retry-After: 0"
	body       string
	url        string
}

func errResult(status int, msg string) uploadResult {
	return uploadResult{status: status, payload: map[string]string{"error": msg}}
}

// handleUpload returns the handler of POST /v4/<kind>/upload/.
func (b *Backend) handleUpload(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method not allowed"})
			return
		}
		up := Upload{Kind: kind, Header: r.Header.Clone()}
		var traceErr error
		if kind != kindObjects {
			up.TraceID, traceErr = normaliseTraceID(r.Header.Values("Trace-Id"))
		}
		if kind == kindScripts {
			up.Filename = r.Header.Get("Filename")
		}

		b.mu.Lock()
		idx := len(b.uploads)
		b.uploads = append(b.uploads, up)
		b.mu.Unlock()

		res := b.serveUpload(w, r, kind, traceErr)

		// Record before answering, so a client that has the answer also
		// sees it in Uploads.
		b.mu.Lock()
		b.uploads[idx].Status = res.status
		b.uploads[idx].Body = res.body
		b.uploads[idx].URL = res.url
		b.mu.Unlock()

		if res.retryAfter {
			w.Header().Set("Retry-After", "0")
		}
		writeJSON(w, res.status, res.payload)
	}
}

// serveUpload decides the answer to one upload request and, on success,
// allocates its stored URL.
func (b *Backend) serveUpload(w http.ResponseWriter, r *http.Request, kind string, traceErr error) uploadResult {
	if b.waitIfHung(r) {
		return errResult(http.StatusServiceUnavailable, "backend hung")
	}

	b.mu.Lock()
	forced := 0
	if len(b.uploadStatuses) > 0 {
		forced = b.uploadStatuses[0]
		b.uploadStatuses = b.uploadStatuses[1:]
	}
	notFound := kind == kindScripts && b.scriptsNotFound
	requireAuth, limit := b.requireAuth, b.uploadCap
	b.mu.Unlock()

	if forced != 0 {
		res := errResult(forced, fmt.Sprintf("fakebackend: forced status %d", forced))
		res.retryAfter = true
		return res
	}
	if notFound {
		// What AgentOps cloud (FastAPI) answers for an unknown route.
		return uploadResult{status: http.StatusNotFound, payload: map[string]string{"detail": "Not Found"}}
	}
	if requireAuth && !b.tokenValid(r) {
		return errResult(http.StatusUnauthorized, "Invalid or expired token")
	}
	if traceErr != nil {
		return errResult(http.StatusBadRequest, traceErr.Error())
	}
	if kind == kindScripts {
		if err := checkFilename(r.Header.Values("Filename")); err != nil {
			return errResult(http.StatusBadRequest, err.Error())
		}
	}

	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType != "application/json" && mediaType != "text/plain" {
		return errResult(http.StatusUnsupportedMediaType,
			fmt.Sprintf("unsupported content type %q: want application/json or text/plain", r.Header.Get("Content-Type")))
	}
	if enc := strings.ToLower(r.Header.Get("Content-Encoding")); enc != "" && enc != "identity" {
		return errResult(http.StatusUnsupportedMediaType, "unsupported content encoding "+enc)
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return errResult(http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than %d bytes", limit))
		}
		return errResult(http.StatusBadRequest, "reading body: "+err.Error())
	}

	text := string(raw)
	if mediaType == "application/json" {
		var env struct {
			Body *string `json:"body"`
		}
		if err := json.Unmarshal(raw, &env); err != nil {
			return errResult(http.StatusBadRequest, `body: want {"body": "<text>"}: `+err.Error())
		}
		if env.Body == nil {
			return errResult(http.StatusBadRequest, `body: want {"body": "<text>"}: missing "body"`)
		}
		text = *env.Body
	}

	b.mu.Lock()
	b.uploadSeq[kind]++
	url := fmt.Sprintf("%s/v4/stored/%s/%d", b.URL, kind, b.uploadSeq[kind])
	b.mu.Unlock()
	return uploadResult{
		status:  http.StatusOK,
		payload: map[string]any{"url": url, "size": len(text)},
		body:    text,
		url:     url,
	}
}

// normaliseTraceID reads a Trace-Id header: an unsigned 128-bit decimal
// integer (what the AgentOps SDKs send) or 32 hex digits. It returns the id
// as 32 lowercase hex.
//
// A string of decimal digits is ambiguous; it is read as decimal unless it
// is exactly 32 characters long with a leading zero (SDKs do not zero-pad
// decimal ids, so that is a hex id).
func normaliseTraceID(values []string) (string, error) {
	if len(values) == 0 || values[0] == "" {
		return "", errors.New("missing Trace-Id header")
	}
	if len(values) > 1 {
		return "", errors.New("more than one Trace-Id header")
	}
	s := values[0]
	if !traceIDHeaderRE.MatchString(s) {
		return "", fmt.Errorf("invalid Trace-Id %q: must match %s", s, traceIDHeaderRE)
	}
	digits, hexDigits := true, true
	for _, c := range s {
		isDigit := c >= '0' && c <= '9'
		digits = digits && isDigit
		hexDigits = hexDigits && (isDigit || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')
	}
	switch {
	case len(s) == 32 && hexDigits && (!digits || s[0] == '0'):
		return strings.ToLower(s), nil
	case digits:
		n, ok := new(big.Int).SetString(s, 10)
		if !ok {
			return "", fmt.Errorf("invalid Trace-Id %q", s)
		}
		if n.Cmp(maxTraceID) > 0 {
			return "", fmt.Errorf("invalid Trace-Id %q: larger than 2^128-1", s)
		}
		return fmt.Sprintf("%032x", n), nil
	}
	return "", fmt.Errorf("invalid Trace-Id %q: want an unsigned 128-bit decimal integer or 32 hex digits", s)
}

// checkFilename validates the Filename header of a scripts upload: a
// relative, slash-separated path without "..", backslashes or NULs.
func checkFilename(values []string) error {
	if len(values) == 0 || values[0] == "" {
		return errors.New("missing Filename header")
	}
	if len(values) > 1 {
		return errors.New("more than one Filename header")
	}
	name := values[0]
	switch {
	case strings.HasPrefix(name, "/") || isDriveLetter(name):
		return fmt.Errorf("invalid Filename %q: absolute path", name)
	case strings.ContainsRune(name, '\\'):
		return fmt.Errorf("invalid Filename %q: backslash", name)
	case strings.ContainsRune(name, 0):
		return fmt.Errorf("invalid Filename %q: NUL byte", name)
	case hasDotDot(name):
		return fmt.Errorf("invalid Filename %q: .. element", name)
	case !fs.ValidPath(name) || name == ".": // ValidPath accepts "." (the root), not a file
		return fmt.Errorf("invalid Filename %q: not a clean slash-separated relative path", name)
	}
	return nil
}

func hasDotDot(name string) bool {
	for elem := range strings.SplitSeq(name, "/") {
		if elem == ".." {
			return true
		}
	}
	return false
}

// isDriveLetter reports whether name starts like a Windows absolute path ("C:").
func isDriveLetter(name string) bool {
	return len(name) >= 2 && name[1] == ':' && (name[0] >= 'a' && name[0] <= 'z' || name[0] >= 'A' && name[0] <= 'Z')
}

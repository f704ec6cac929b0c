package ingest

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// bodyError is a request body that cannot be read: status is what to
// answer.
type bodyError struct {
	status int
	msg    string
}

func (e *bodyError) Error() string { return e.msg }

// maxPooledBuffer is the largest buffer kept for reuse: a few huge
// requests must not pin their memory for good.
const maxPooledBuffer = 4 << 20

var (
	bufferPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}
	gzipPool   sync.Pool // *gzip.Reader
)

func getBuffer() *bytes.Buffer { return bufferPool.Get().(*bytes.Buffer) }

func putBuffer(b *bytes.Buffer) {
	if b.Cap() > maxPooledBuffer {
		return
	}
	b.Reset()
	bufferPool.Put(b)
}

// readBody reads r's body, decompressing gzip, into a pooled buffer the
// caller returns with putBuffer. limit applies to the body as sent and,
// again, to the decompressed bytes: a small gzip bomb gets 413 after
// reading limit+1 bytes, not after filling memory.
func readBody(w http.ResponseWriter, r *http.Request, limit int64, allowGzip bool) (*bytes.Buffer, error) {
	enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding")))
	compressed := false
	switch {
	case enc == "" || enc == "identity":
	case allowGzip && (enc == "gzip" || enc == "x-gzip"):
		compressed = true
	default:
		supported := "identity"
		if allowGzip {
			supported = "gzip or identity"
		}
		return nil, &bodyError{http.StatusUnsupportedMediaType,
			fmt.Sprintf("unsupported Content-Encoding %q: send %s", enc, supported)}
	}
	if r.ContentLength > limit {
		return nil, tooLarge(limit, "")
	}

	buf := getBuffer()
	if !compressed && r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	var src io.Reader = http.MaxBytesReader(w, r.Body, limit)
	var zr *gzip.Reader
	if compressed {
		var err error
		zr, err = newGzipReader(src)
		if err != nil {
			putBuffer(buf)
			return nil, readError(err, limit)
		}
		defer gzipPool.Put(zr)
		src = io.LimitReader(zr, limit+1)
	}
	_, err := buf.ReadFrom(src)
	if err != nil {
		putBuffer(buf)
		return nil, readError(err, limit)
	}
	if int64(buf.Len()) > limit {
		putBuffer(buf)
		return nil, tooLarge(limit, "decompressed ")
	}
	return buf, nil
}

func newGzipReader(src io.Reader) (*gzip.Reader, error) {
	if zr, ok := gzipPool.Get().(*gzip.Reader); ok {
		if err := zr.Reset(src); err != nil {
			gzipPool.Put(zr)
			return nil, err
		}
		return zr, nil
	}
	return gzip.NewReader(src)
}

func readError(err error, limit int64) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return tooLarge(limit, "")
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &bodyError{http.StatusBadRequest, "the body ended early (truncated request or gzip stream): send it again whole"}
	}
	return &bodyError{http.StatusBadRequest, "reading the body: " + err.Error()}
}

func tooLarge(limit int64, what string) error {
	return &bodyError{http.StatusRequestEntityTooLarge,
		fmt.Sprintf("%sbody larger than %d bytes: send smaller batches", what, limit)}
}

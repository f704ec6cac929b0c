package ingest

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math/bits"
	"strings"
	"unicode/utf8"
)

// maxHeaderValue bounds what of a bad header is quoted back.
const maxHeaderValue = 80

// parseTraceID reads a Trace-Id header and returns the trace id as 32
// lowercase hex digits.
//
// AgentOps SDKs send the 128-bit id as an unsigned decimal integer
// (docs/WIRE.md section 3); other clients send the OTel form, 32 hex
// digits. Both are accepted. Only a value of exactly 32 decimal digits is
// ambiguous; it is read as hex when it starts with "0" (decimal ids are
// never zero-padded: Python's str(int) and Go's big.Int.String() do not
// pad) and as decimal otherwise. Either misreading needs a random id whose
// other form happens to look like this one: about 3 in 10^7 for each.
//
// The all-zero id is refused: it is OTel's "no trace", and a log filed
// under it would belong to no session.
func parseTraceID(s string) (string, error) {
	if s == "" {
		return "", errors.New("missing Trace-Id header: send the trace id as an unsigned decimal integer or 32 hex digits")
	}
	digits, hexDigits := true, true
	for i := range len(s) {
		c := s[i]
		isDigit := '0' <= c && c <= '9'
		isHex := isDigit || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
		if !isHex && !('g' <= c && c <= 'z' || 'G' <= c && c <= 'Z' || c == '_' || c == '.' || c == '-') {
			return "", fmt.Errorf("invalid Trace-Id %q: it must match [A-Za-z0-9_.-]+; send the trace id as an unsigned decimal integer or 32 hex digits", quoteable(s))
		}
		digits = digits && isDigit
		hexDigits = hexDigits && isHex
	}
	var id [16]byte
	switch {
	case len(s) == 32 && hexDigits && (!digits || s[0] == '0'):
		if _, err := hex.Decode(id[:], []byte(s)); err != nil {
			return "", fmt.Errorf("invalid Trace-Id %q: %w", s, err) // unreachable: checked above
		}
	case digits:
		var ok bool
		if id, ok = parseDecimal128(s); !ok {
			return "", fmt.Errorf("invalid Trace-Id %q: larger than 2^128-1, the largest trace id", quoteable(s))
		}
	default:
		return "", fmt.Errorf("invalid Trace-Id %q: send the trace id as an unsigned decimal integer (as AgentOps SDKs do) or 32 hex digits", quoteable(s))
	}
	if id == ([16]byte{}) {
		return "", errors.New("invalid Trace-Id: the all-zero trace id names no trace; send the id of the session's trace")
	}
	return hex.EncodeToString(id[:]), nil
}

// parseDecimal128 parses a string of decimal digits as a big-endian
// 128-bit unsigned integer, reporting overflow. Leading zeros are fine.
func parseDecimal128(s string) ([16]byte, bool) {
	var hi, lo uint64
	for i := range len(s) {
		d := uint64(s[i] - '0')
		// (hi, lo) = (hi, lo)*10 + d
		hiMul, hiLo := bits.Mul64(hi, 10)
		loHi, loLo := bits.Mul64(lo, 10)
		if hiMul != 0 {
			return [16]byte{}, false
		}
		var carry uint64
		lo, carry = bits.Add64(loLo, d, 0)
		var c2 uint64
		hi, c2 = bits.Add64(hiLo, loHi, carry)
		if c2 != 0 {
			return [16]byte{}, false
		}
	}
	var id [16]byte
	for i := range 8 {
		id[i] = byte(hi >> (56 - 8*i))
		id[8+i] = byte(lo >> (56 - 8*i))
	}
	return id, true
}

// checkFilename validates the Filename header of a scripts upload: the
// file's module-relative, slash-separated path. The server never touches
// the file system with it, but the dashboard shows it and clients may
// write files under it, so only clean relative paths are accepted.
func checkFilename(name string) error {
	const hint = "send the module-relative, slash-separated path, e.g. cmd/agent/main.go"
	switch {
	case name == "":
		return errors.New("missing Filename header: " + hint)
	case len(name) > 1024:
		return fmt.Errorf("invalid Filename: longer than 1024 bytes: %s", hint)
	case !utf8.ValidString(name):
		return fmt.Errorf("invalid Filename %q: not UTF-8: %s", name, hint)
	case strings.ContainsRune(name, 0):
		return fmt.Errorf("invalid Filename %q: contains NUL: %s", name, hint)
	case strings.ContainsRune(name, '\\'):
		return fmt.Errorf("invalid Filename %q: contains a backslash: %s", name, hint)
	case strings.HasPrefix(name, "/") || len(name) >= 2 && name[1] == ':' && ('a' <= name[0]|0x20 && name[0]|0x20 <= 'z'):
		return fmt.Errorf("invalid Filename %q: absolute path: %s", name, hint)
	case hasDotDot(name):
		return fmt.Errorf("invalid Filename %q: contains a \"..\" element: %s", name, hint)
	case name == "." || !fs.ValidPath(name):
		return fmt.Errorf("invalid Filename %q: not a clean path (empty or \".\" element, or trailing slash): %s", name, hint)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("invalid Filename %q: contains a control character: %s", name, hint)
		}
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

// quoteable shortens a header value to quote back in an error.
func quoteable(s string) string {
	if len(s) <= maxHeaderValue {
		return s
	}
	return s[:maxHeaderValue] + "..."
}

package logcapture

import (
	"encoding"
	"fmt"
	"log/slog"
	"reflect"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"
)

// appendAttr appends " key=value" for a, as slog's TextHandler would write
// it, under the dotted group prefix (e.g. "req."). It reports whether
// anything was written: empty attrs and empty groups write nothing.
func appendAttr(dst []byte, prefix string, a slog.Attr) ([]byte, bool) {
	a.Value = a.Value.Resolve()
	if a.Key == "" && a.Value.Kind() == slog.KindAny && a.Value.Any() == nil {
		return dst, false
	}
	if a.Value.Kind() == slog.KindGroup {
		attrs := a.Value.Group()
		if len(attrs) == 0 {
			return dst, false
		}
		if a.Key != "" { // a group with an empty key is inlined
			prefix += a.Key + "."
		}
		wrote := false
		for _, ga := range attrs {
			var w bool
			dst, w = appendAttr(dst, prefix, ga)
			wrote = wrote || w
		}
		return dst, wrote
	}
	dst = append(dst, ' ')
	dst = appendKey(dst, prefix, a.Key)
	dst = append(dst, '=')
	return appendValue(dst, a.Value), true
}

func appendKey(dst []byte, prefix, key string) []byte {
	switch {
	case prefix == "":
		return appendText(dst, key)
	case !needsQuoting(prefix) && !needsQuoting(key):
		return append(append(dst, prefix...), key...)
	default:
		return strconv.AppendQuote(dst, prefix+key)
	}
}

// appendValue formats a resolved value like slog's TextHandler, except that
// times are RFC 3339 with nanoseconds and errors are their Error text.
func appendValue(dst []byte, v slog.Value) []byte {
	switch v.Kind() {
	case slog.KindString:
		return appendText(dst, v.String())
	case slog.KindInt64:
		return strconv.AppendInt(dst, v.Int64(), 10)
	case slog.KindUint64:
		return strconv.AppendUint(dst, v.Uint64(), 10)
	case slog.KindFloat64:
		return strconv.AppendFloat(dst, v.Float64(), 'g', -1, 64)
	case slog.KindBool:
		return strconv.AppendBool(dst, v.Bool())
	case slog.KindDuration:
		return append(dst, v.Duration().String()...)
	case slog.KindTime:
		return v.Time().AppendFormat(dst, time.RFC3339Nano)
	default:
		return appendAny(dst, v.Any())
	}
}

// appendAny formats the values that need user code (Error, MarshalText,
// String...), which may panic on a nil pointer; like slog, such a value is
// written as <nil> and anything else as !PANIC rather than crashing the
// caller's logging call.
func appendAny(dst []byte, x any) (out []byte) {
	start := len(dst)
	defer func() {
		if r := recover(); r != nil {
			if rv := reflect.ValueOf(x); rv.Kind() == reflect.Pointer && rv.IsNil() {
				out = append(dst[:start], "<nil>"...)
				return
			}
			out = appendText(dst[:start], fmt.Sprintf("!PANIC: %v", r))
		}
	}()
	switch x := x.(type) {
	case error:
		return appendText(dst, x.Error())
	case encoding.TextMarshaler:
		data, err := x.MarshalText()
		if err != nil {
			return appendText(dst, "!ERROR:"+err.Error())
		}
		return appendTextBytes(dst, data)
	case []byte:
		return strconv.AppendQuote(dst, string(x))
	}
	dst = fmt.Appendf(dst, "%+v", x)
	if needsQuotingBytes(dst[start:]) {
		s := string(dst[start:])
		dst = strconv.AppendQuote(dst[:start], s)
	}
	return dst
}

func appendText(dst []byte, s string) []byte {
	if needsQuoting(s) {
		return strconv.AppendQuote(dst, s)
	}
	return append(dst, s...)
}

func appendTextBytes(dst []byte, b []byte) []byte {
	if needsQuotingBytes(b) {
		return strconv.AppendQuote(dst, string(b))
	}
	return append(dst, b...)
}

func needsQuotingBytes(b []byte) bool { return needsQuoting(string(b)) }

// needsQuoting is slog's TextHandler rule: empty strings, spaces, '=',
// quotes, control characters and invalid or non-printing runes need
// quoting.
func needsQuoting(s string) bool {
	if len(s) == 0 {
		return true
	}
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b != '\\' && (b == ' ' || b == '=' || !safeASCII(b)) {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return true
		}
		i += size
	}
	return false
}

// safeASCII reports whether b can appear in a JSON string unescaped, the
// set slog's TextHandler builds on.
func safeASCII(b byte) bool { return b >= 0x20 && b != '"' }

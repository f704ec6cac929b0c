package api

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/agentops-go/agentops/server/model"
)

// maxLimit is the largest page the store serves (model.SessionQuery).
const maxLimit = 500

var errTraceID = errors.New("a trace id is 32 hex digits, or the decimal integer the log upload's Trace-Id header carries")

// normalizeTraceID accepts a trace id as stored (32 lowercase hex digits),
// in upper case, or as the unsigned decimal integer AgentOps puts in its
// Trace-Id header and log URLs. A 32-digit decimal is read as hex, the way
// ingest reads the header.
func normalizeTraceID(s string) (string, error) {
	if len(s) == 32 && isHex(s) {
		return strings.ToLower(s), nil
	}
	if s == "" || len(s) > 39 || strings.TrimLeft(s, "0123456789") != "" {
		return "", errTraceID
	}
	n, ok := new(big.Int).SetString(s, 10)
	if !ok || n.Sign() == 0 || n.BitLen() > 128 {
		return "", errTraceID
	}
	return fmt.Sprintf("%032x", n), nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// parseTime reads RFC 3339 (with or without fractional seconds), a plain
// date (midnight UTC), or unix seconds (fractions allowed).
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("empty")
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e11 {
			return time.Time{}, fmt.Errorf("%q is out of range for unix seconds", s)
		}
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time (2006-01-02T15:04:05Z) nor unix seconds", s)
}

// sessionStatuses are the values model.Session.Status takes.
var sessionStatuses = map[string]bool{"success": true, "error": true, "indeterminate": true, "running": true}

// parseSessionQuery reads the sessions list's parameters; its error names
// the parameter at fault.
func parseSessionQuery(v url.Values) (model.SessionQuery, error) {
	q := model.SessionQuery{
		Service: v.Get("service"),
		Tag:     v.Get("tag"),
		Model:   v.Get("model"),
		Search:  v.Get("q"),
		Cursor:  v.Get("cursor"),
	}
	var err error
	if s := v.Get("from"); s != "" {
		if q.From, err = parseTime(s); err != nil {
			return q, fmt.Errorf("bad from: %w", err)
		}
	}
	if s := v.Get("to"); s != "" {
		if q.To, err = parseTime(s); err != nil {
			return q, fmt.Errorf("bad to: %w", err)
		}
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return q, errors.New("bad from/to: from must be before to")
	}
	if s := v.Get("status"); s != "" {
		q.Status = strings.ToLower(s)
		if !sessionStatuses[q.Status] {
			return q, fmt.Errorf("bad status: %q is not one of success, error, indeterminate, running", s)
		}
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return q, fmt.Errorf("bad limit: %q is not a positive integer", s)
		}
		q.Limit = min(n, maxLimit)
	}
	return q, nil
}

// parseOlderThan reads DELETE /api/sessions?older_than=: a Go duration
// back from now (720h; also whole days, 30d), or a time as parseTime
// reads it.
func parseOlderThan(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("older_than is required: a time (RFC 3339 or unix seconds) or a duration back from now (720h, 30d)")
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil {
			if n <= 0 || n > 100*365 {
				return time.Time{}, fmt.Errorf("bad older_than: %q must be a positive number of days", s)
			}
			return now.Add(-time.Duration(n) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, fmt.Errorf("bad older_than: %q must be a positive duration", s)
		}
		return now.Add(-d), nil
	}
	t, err := parseTime(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad older_than: %w, nor a Go duration (720h)", err)
	}
	return t, nil
}

// parseBool reads a flag parameter: absent is false.
func parseBool(v url.Values, name string) (bool, error) {
	s := v.Get(name)
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, fmt.Errorf("bad %s: %q is not a boolean (1, 0, true, false)", name, s)
	}
	return b, nil
}

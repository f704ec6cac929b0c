package upload

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// backoff returns how long to wait before retry number attempt (0 for the
// first retry): exponential from lo, capped at hi, with jitter in [d/2, d] so
// that many processes restarted together do not retry in lockstep.
func backoff(lo, hi time.Duration, attempt int) time.Duration {
	d := lo
	for i := 0; i < attempt && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	half := d / 2
	return half + rand.N(half+1)
}

// pause waits before retry number attempt: the server's wait when it gave
// one (Retry-After), else the backoff. It reports false if ctx ended first.
func pause(ctx context.Context, serverWait time.Duration, attempt int) bool {
	if serverWait <= 0 {
		serverWait = backoff(retryMin, retryMax, attempt)
	}
	t := time.NewTimer(serverWait)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// retryAfter reads a Retry-After header in either of its forms (seconds or
// an HTTP date). ok is false when the header is absent or unreadable.
func retryAfter(h http.Header, now time.Time) (d time.Duration, ok bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

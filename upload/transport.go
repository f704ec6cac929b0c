package upload

import (
	"net/http"
)

// Transport is an http.RoundTripper that sends User-Agent and, when Auth is
// set, "Authorization: Bearer <jwt>" with every request. It waits for the
// first token within the request's context, so nothing sent early is
// refused, and after a 401 it re-authenticates once and resends the request
// (when its body can be replayed). It never mutates the caller's request.
// It is safe for concurrent use.
type Transport struct {
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Auth supplies tokens; nil sends requests without Authorization (the
	// local server's open mode).
	Auth *Auth
	// UserAgent, when set, is put in front of the request's own User-Agent.
	UserAgent string
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.Auth == nil {
		return t.base().RoundTrip(t.prepare(req, ""))
	}
	token, err := t.Auth.Token(req.Context())
	if err != nil {
		closeBody(req)
		return nil, err
	}
	resp, err := t.base().RoundTrip(t.prepare(req, token))
	if err != nil || resp.StatusCode != http.StatusUnauthorized || (req.Body != nil && req.GetBody == nil) {
		return resp, err
	}
	// The token was refused (expired, revoked, server restarted with a new
	// secret): get a new one and try once more.
	t.Auth.Invalidate(token)
	fresh, err := t.Auth.Token(req.Context())
	if err != nil {
		return resp, nil // the 401 says more than the failed refresh
	}
	retry := t.prepare(req, fresh)
	if req.GetBody != nil {
		if retry.Body, err = req.GetBody(); err != nil {
			return resp, nil
		}
	}
	drainClose(resp.Body)
	return t.base().RoundTrip(retry)
}

// prepare clones req with our headers set; the caller's request is left as
// it was, as the RoundTripper contract requires.
func (t *Transport) prepare(req *http.Request, token string) *http.Request {
	r := req.Clone(req.Context())
	if t.UserAgent != "" {
		ua := t.UserAgent
		if own := req.Header.Get("User-Agent"); own != "" {
			ua += " " + own
		}
		r.Header.Set("User-Agent", ua)
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	return r
}

func (t *Transport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

// closeBody honours the RoundTripper contract of closing the request body
// even when the request is never sent.
func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

package upload

import "strings"

// RedactKey shows just enough of an API key to tell keys apart in a log
// line: its last four characters.
func RedactKey(key string) string {
	if key == "" {
		return "(none)"
	}
	if len(key) <= 8 {
		return "****"
	}
	return "****" + key[len(key)-4:]
}

// redactErr returns err with every occurrence of secret masked, for errors
// that may quote a request (a URL, a body) back to us.
func redactErr(err error, secret string) error {
	if err == nil || secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return &redactedError{msg: strings.ReplaceAll(err.Error(), secret, RedactKey(secret)), err: err}
}

// redactedError keeps the original chain for errors.Is while printing the
// masked text.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

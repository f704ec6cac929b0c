//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd)

package logcapture

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCaptureStdioUnsupported(t *testing.T) {
	for range 2 { // the failed attempt leaves nothing captured
		s, err := CaptureStdio(NewRegistry())
		assert.Nil(t, s)
		assert.ErrorIs(t, err, errors.ErrUnsupported)
	}
}

//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd)

package logcapture

import (
	"errors"
	"fmt"
	"runtime"
)

// fdSwap has nothing to swap here: startStream always fails.
type fdSwap struct{ fd int }

func (fdSwap) restore() error             { return errors.ErrUnsupported }
func (fdSwap) closeWrite() error          { return errors.ErrUnsupported }
func (fdSwap) writeSentinel([]byte) error { return errors.ErrUnsupported }

func startStream(*Registry, int, string) (*stdStream, error) {
	return nil, fmt.Errorf("logcapture: capturing stdout and stderr on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}

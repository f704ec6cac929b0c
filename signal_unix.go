//go:build unix

package agentops

import (
	"os"
	"syscall"
)

// raise delivers sig to the process again now that the SDK no longer
// catches it: with no other handler left, the default action ends the
// process, and its parent sees the signal as the cause.
func raise(sig os.Signal) {
	if s, ok := sig.(syscall.Signal); ok {
		_ = syscall.Kill(os.Getpid(), s)
	}
}

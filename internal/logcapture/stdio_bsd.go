//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package logcapture

import "syscall"

func pipeCloexec() (r, w int, err error) {
	var p [2]int
	// No pipe2 on every one of these systems: set close-on-exec under the
	// fork lock, as package os does, so no child inherits the ends.
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	if err := syscall.Pipe(p[:]); err != nil {
		return -1, -1, err
	}
	syscall.CloseOnExec(p[0])
	syscall.CloseOnExec(p[1])
	return p[0], p[1], nil
}

func dup2(oldfd, newfd int) error { return syscall.Dup2(oldfd, newfd) }

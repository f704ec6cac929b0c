//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package logcapture

import (
	"fmt"
	"os"
	"syscall"
)

// fdSwap is fd redirected into a pipe: saved is a copy of what fd was, w
// the pipe's write end kept for sync markers.
type fdSwap struct {
	fd, saved, w int
}

func (f fdSwap) restore() error { return dupOnto(f.saved, f.fd) }

func (f fdSwap) closeWrite() error { return syscall.Close(f.w) }

func (f fdSwap) writeSentinel(p []byte) error {
	for len(p) > 0 {
		n, err := syscall.Write(f.w, p)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		p = p[n:]
	}
	return nil
}

// startStream redirects fd into a new pipe and starts its reader.
func startStream(reg *Registry, fd int, level string) (*stdStream, error) {
	r, w, err := pipeCloexec()
	if err != nil {
		return nil, fmt.Errorf("logcapture: pipe for fd %d: %w", fd, err)
	}
	// The saved copy must not leak into child processes: a child holding
	// it would keep the terminal open after we restore.
	syscall.ForkLock.RLock()
	saved, err := syscall.Dup(fd)
	if err == nil {
		syscall.CloseOnExec(saved)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		closeFDs(r, w)
		return nil, fmt.Errorf("logcapture: dup fd %d: %w", fd, err)
	}
	// Non-blocking so the read end goes through the runtime poller, where
	// Stop can interrupt a pending Read by closing it. The write end stays
	// blocking: fd 1 shares its flags, and the user's writes must block,
	// not fail, when the pipe is full.
	if err := syscall.SetNonblock(r, true); err != nil {
		closeFDs(r, w, saved)
		return nil, fmt.Errorf("logcapture: pipe for fd %d: %w", fd, err)
	}
	if err := dupOnto(w, fd); err != nil {
		closeFDs(r, w, saved)
		return nil, fmt.Errorf("logcapture: redirect fd %d: %w", fd, err)
	}
	st := newStdStream(reg, level,
		fdSwap{fd: fd, saved: saved, w: w},
		os.NewFile(uintptr(r), fmt.Sprintf("agentops-capture-%d", fd)),
		os.NewFile(uintptr(saved), fmt.Sprintf("original-fd-%d", fd)),
	)
	go st.run()
	return st, nil
}

func closeFDs(fds ...int) {
	for _, fd := range fds {
		_ = syscall.Close(fd)
	}
}

// dupOnto makes newfd refer to what oldfd refers to.
func dupOnto(oldfd, newfd int) error {
	for {
		err := dup2(oldfd, newfd)
		// EBUSY: Linux reports a race with a concurrent open of newfd.
		if err != syscall.EINTR && err != syscall.EBUSY {
			return err
		}
	}
}

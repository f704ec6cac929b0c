package logcapture

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// Stdio is the opt-in capture of the process's standard output and
// standard error at the file-descriptor level, so that fmt.Println, a
// child process sharing them, or C code all end up in the open sessions'
// logs: stdout lines at level INFO, stderr lines at WARNING. Output still
// reaches the original stdout and stderr as it is written.
//
// Only one Stdio can be active in a process at a time. Its methods are safe
// for concurrent use.
type Stdio struct {
	seq atomic.Uint64 // sentinel numbers

	mu          sync.RWMutex // read-held while Sync writes into the pipes; Stop write-holds it to close them
	stopped     bool
	crashOutput bool // runtime crash output was pointed at the original stderr
	streams     []*stdStream
}

// capturing is set while a Stdio owns fds 1 and 2.
var capturing atomic.Bool

// ErrStdioCaptured is returned by CaptureStdio while another Stdio is
// active.
var ErrStdioCaptured = errors.New("logcapture: stdout and stderr are already captured")

// errSyncLost means a reader stopped before it reached a Sync's sentinel.
var errSyncLost = errors.New("logcapture: stdio capture stopped before the sync point was read")

// CaptureStdio points fds 1 and 2 at pipes read by one goroutine each,
// which copies every byte to the original descriptor at once and
// broadcasts every line to the sessions open in reg. os.Stdout and
// os.Stderr keep working, since they are fds 1 and 2.
//
// Unhandled panics and fatal errors are also written to the original
// stderr (runtime/debug.SetCrashOutput, replacing any earlier setting until
// Stop), because the reader dies with the process and could not pass them
// on. Output written just before os.Exit (log.Fatal included) may not reach
// the terminal: call Stop first.
//
// On systems other than Linux, macOS and the BSDs it returns an error
// wrapping errors.ErrUnsupported. It is safe for concurrent use; a second
// capture while one is active fails with ErrStdioCaptured.
func CaptureStdio(reg *Registry) (*Stdio, error) {
	if !capturing.CompareAndSwap(false, true) {
		return nil, ErrStdioCaptured
	}
	s := &Stdio{}
	for _, std := range []struct {
		fd    int
		level string
	}{{1, "INFO"}, {2, "WARNING"}} {
		st, err := startStream(reg, std.fd, std.level)
		if err != nil {
			// Undo the streams started so far; nobody else can hold their
			// pipes yet, so this is quick, but never wait forever.
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_ = s.Stop(ctx)
			cancel()
			return nil, err
		}
		s.streams = append(s.streams, st)
	}
	s.crashOutput = setCrashOutput(s.streams[1].echo) == nil
	return s, nil
}

// Sync returns nil once everything written to fds 1 and 2 before the call
// has been passed on to the registry, including a final line without its
// newline; call it before uploading a session's log. It returns ctx's
// error if ctx ends first. After Stop it returns nil at once. Safe for
// concurrent use.
//
// The wait is bounded by ctx; writing the sync marker into the pipe is not
// and blocks only while the pipe is full, that is while the original
// stdout or stderr itself does not accept output.
func (s *Stdio) Sync(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	if s.stopped {
		s.mu.RUnlock()
		return nil
	}
	n := s.seq.Add(1)
	marker := appendSentinel(nil, n)
	var errs []error
	for _, st := range s.streams {
		// Straight into the pipe, not through fd 1 or 2: a user's write
		// of up to PIPE_BUF bytes is atomic, so the marker lands before
		// or after it, never inside.
		if err := st.swap.writeSentinel(marker); err != nil {
			errs = append(errs, fmt.Errorf("logcapture: sync fd %d: %w", st.swap.fd, err))
		}
	}
	s.mu.RUnlock()
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	for _, st := range s.streams {
		if err := st.waitSeen(ctx, n); err != nil {
			return err
		}
	}
	return nil
}

// stopGrace is how long Stop waits for a reader it had to interrupt.
const stopGrace = 100 * time.Millisecond

// Stop puts the original fds 1 and 2 back, passes on what is left in the
// pipes, and ends the reader goroutines. If ctx ends first (someone else,
// such as a child process, still holds a pipe open), reading stops and
// ctx's error is returned. Later writes go to the original descriptors
// only. Stop is idempotent and safe for concurrent use.
func (s *Stdio) Stop(ctx context.Context) error {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return nil
	}
	s.stopped = true
	var errs []error
	for _, st := range s.streams {
		if err := st.swap.restore(); err != nil {
			errs = append(errs, fmt.Errorf("logcapture: restore fd %d: %w", st.swap.fd, err))
		}
	}
	if s.crashOutput {
		_ = setCrashOutput(nil)
	}
	// Our write ends were the last ones, unless the program handed fd 1 or
	// 2 to someone: the readers now drain the pipes and see EOF.
	for _, st := range s.streams {
		if err := st.swap.closeWrite(); err != nil {
			errs = append(errs, err)
		}
	}
	s.mu.Unlock()

	interrupted := false
	for _, st := range s.streams {
		select {
		case <-st.done:
			continue // finished: no matter what ctx says
		default:
		}
		select {
		case <-st.done:
		case <-ctx.Done():
			interrupted = true
		}
		if interrupted {
			break
		}
	}
	if interrupted {
		errs = append(errs, ctx.Err())
		for _, st := range s.streams {
			_ = st.src.Close() // wakes a reader blocked in Read
		}
		grace := time.NewTimer(stopGrace)
		for _, st := range s.streams {
			select {
			case <-st.done:
			case <-grace.C:
			}
		}
		grace.Stop()
	}
	for _, st := range s.streams {
		_ = st.src.Close()
		_ = st.echo.Close() // safe even if a reader is still writing to it: os.File counts its users
	}
	capturing.Store(false)
	return errors.Join(errs...)
}

// stdStream is one captured descriptor: the pipe, its reader and the
// original descriptor the reader echoes to.
type stdStream struct {
	swap  fdSwap
	src   *os.File // the pipe's read end
	echo  *os.File // the original descriptor
	lines *lineBroadcaster
	scan  syncScanner
	done  chan struct{} // closed when run returns

	mu   sync.Mutex
	seen uint64        // highest sentinel passed
	wake chan struct{} // closed and replaced whenever seen moves
}

func newStdStream(reg *Registry, level string, swap fdSwap, src, echo *os.File) *stdStream {
	st := &stdStream{
		swap:  swap,
		src:   src,
		echo:  echo,
		lines: newLineBroadcaster(reg, level),
		done:  make(chan struct{}),
		wake:  make(chan struct{}),
	}
	st.scan = syncScanner{out: st.pass, mark: st.marked}
	return st
}

// run is the reader goroutine. It ends on EOF (every write end closed) or
// when Stop closes src.
func (st *stdStream) run() {
	defer close(st.done)
	buf := make([]byte, 32<<10)
	for {
		n, err := st.src.Read(buf)
		if n > 0 {
			st.scan.feed(buf[:n])
		}
		if err != nil {
			break
		}
	}
	st.scan.finish()
	st.lines.flush()
}

// pass echoes the user's bytes first, so capture never delays the
// terminal, then splits them into lines.
func (st *stdStream) pass(p []byte) {
	_, _ = st.echo.Write(p) // nowhere to report to: stderr may be this very stream
	st.lines.write(p)
}

func (st *stdStream) marked(n uint64) {
	// A line still open at a sync point is what was written before it.
	st.lines.flush()
	st.mu.Lock()
	if n > st.seen {
		st.seen = n
	}
	close(st.wake)
	st.wake = make(chan struct{})
	st.mu.Unlock()
}

// waitSeen waits until the reader has passed sentinel n, or a later one:
// sentinels are numbered when Sync starts, so a later one was written after
// everything that preceded Sync n.
func (st *stdStream) waitSeen(ctx context.Context, n uint64) error {
	for {
		st.mu.Lock()
		seen, wake := st.seen, st.wake
		st.mu.Unlock()
		if seen >= n {
			return nil
		}
		select {
		case <-wake:
		case <-st.done:
			st.mu.Lock()
			seen = st.seen
			st.mu.Unlock()
			if seen >= n {
				return nil
			}
			return errSyncLost
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func setCrashOutput(f *os.File) error {
	if f == nil {
		return debug.SetCrashOutput(nil, debug.CrashOptions{})
	}
	return debug.SetCrashOutput(f, debug.CrashOptions{})
}

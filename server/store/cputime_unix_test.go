//go:build unix

package store

import (
	"syscall"
	"time"
)

// cpuTime is the process's user+system CPU time: with other work on the
// machine, CPU per span is steadier than spans per second.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

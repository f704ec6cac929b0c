//go:build unix

package api

import (
	"syscall"
	"testing"
	"time"
)

// cpuMeter reports the process's CPU time per iteration ("cpu-ns/op"),
// garbage collection included: on a shared machine wall time per op
// measures the neighbours as much as the code.
type cpuMeter struct {
	b     *testing.B
	start time.Duration
}

func startCPU(b *testing.B) cpuMeter { return cpuMeter{b, cpuTime()} }

func (m cpuMeter) report() {
	if n := m.b.N; n > 0 {
		m.b.ReportMetric(float64(cpuTime()-m.start)/float64(n), "cpu-ns/op")
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

//go:build !unix

package store

import "time"

// cpuTime is not measured here: cpu-µs/span reads 0.
func cpuTime() time.Duration { return 0 }

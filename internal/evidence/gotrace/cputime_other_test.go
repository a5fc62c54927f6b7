//go:build !unix

package gotrace

import "time"

// cpuTime is unknown here; the benchmark falls back to wall-clock time.
func cpuTime() time.Duration { return 0 }

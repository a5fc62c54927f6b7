//go:build unix

package gotrace

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time this process has used, in user and system
// mode: on a machine shared with other work it measures our cost where
// wall-clock time measures the neighbours' too.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

//go:build unix

package repro

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// memoryLimits says whether RLIMIT_AS can be set for a child.
const memoryLimits = true

// plainAttr starts a process in its own group, without namespaces.
func plainAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// killGroup kills every process of the group.
func killGroup(pgid int) { syscall.Kill(-pgid, syscall.SIGKILL) }

// signalQuit asks a process to dump its threads.
func signalQuit(pid int) { syscall.Kill(pid, syscall.SIGQUIT) }

// killSelf ends this process with sig, as its child was ended.
func killSelf(sig syscall.Signal) { syscall.Kill(os.Getpid(), sig) }

// setAddressLimit sets RLIMIT_AS of this process (and what it execs).
func setAddressLimit(n int64) error {
	lim := &syscall.Rlimit{Cur: uint64(n), Max: uint64(n)}
	if err := syscall.Setrlimit(syscall.RLIMIT_AS, lim); err != nil {
		return fmt.Errorf("RLIMIT_AS: %w", err)
	}
	return nil
}

// execReplace replaces this process with bin.
func execReplace(bin string, argv, env []string) error { return syscall.Exec(bin, argv, env) }

// groupMembers lists the processes whose process group is pgid.
func groupMembers(pgid int) []int {
	ents, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if g, err := syscall.Getpgid(pid); err == nil && g == pgid {
			pids = append(pids, pid)
		}
	}
	if len(pids) == 0 {
		pids = []int{pgid}
	}
	return pids
}

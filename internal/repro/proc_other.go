//go:build !unix

package repro

import (
	"errors"
	"os"
	"syscall"
)

// Without process groups and rlimits, a sandboxed command runs with the
// time limit only and is killed alone.

const memoryLimits = false

func plainAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{} }

func killGroup(pid int) {
	if p, err := os.FindProcess(pid); err == nil {
		p.Kill()
	}
}

func signalQuit(int) {}

func killSelf(syscall.Signal) { os.Exit(1) }

func setAddressLimit(int64) error { return errors.New("memory limits need a Unix system") }

func execReplace(string, []string, []string) error {
	return errors.New("exec needs a Unix system")
}

func groupMembers(pid int) []int { return []int{pid} }

//go:build !linux

package verify

import "os/exec"

// ownProcessGroup is a no-op off Linux: the time limit kills the direct
// child only.
func ownProcessGroup(cmd *exec.Cmd) {}

// killGroup is a no-op off Linux.
func killGroup(cmd *exec.Cmd) {}

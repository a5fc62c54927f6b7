//go:build !linux

package repro

import (
	"errors"
	"syscall"
)

func loopbackUp() error { return errors.New("network namespaces need Linux") }

type isolation struct {
	name string
	attr func() *syscall.SysProcAttr
}

var isolations []isolation

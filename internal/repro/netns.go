package repro

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// NetIsolation says whether commands can run without outbound network.
type NetIsolation struct {
	Available bool   `json:"available"`
	Method    string `json:"method,omitempty"` // e.g. "user+net namespace"
	Reason    string `json:"reason,omitempty"` // why not, in one line
	attr      func() *syscall.SysProcAttr
}

var (
	netOnce  sync.Once
	netState NetIsolation
)

// DetectNetIsolation probes once per process whether a child can be put
// in a network namespace of its own with loopback up, by running the
// helper there.
func DetectNetIsolation() NetIsolation {
	netOnce.Do(func() { netState = probeNetIsolation() })
	return netState
}

func probeNetIsolation() NetIsolation {
	dir, err := os.MkdirTemp("", "tag-netprobe-")
	if err != nil {
		return NetIsolation{Reason: err.Error()}
	}
	defer os.RemoveAll(dir)
	var reasons []string
	for _, iso := range isolations {
		cmd, err := helperCommand(filepath.Join(dir, "probe.json"), helperSpec{LoopbackUp: true, Probe: true})
		if err != nil {
			return NetIsolation{Reason: err.Error()}
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		cmd.SysProcAttr = iso.attr()
		cmd.WaitDelay = time.Second
		err = cmd.Start()
		if err == nil {
			t := time.AfterFunc(10*time.Second, func() { cmd.Process.Kill() })
			err = cmd.Wait()
			t.Stop()
		}
		if err == nil {
			return NetIsolation{Available: true, Method: iso.name, attr: iso.attr}
		}
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		reasons = append(reasons, fmt.Sprintf("%s: %s", iso.name, msg))
	}
	if len(reasons) == 0 {
		return NetIsolation{Reason: "network namespaces need Linux, this is " + runtime.GOOS}
	}
	return NetIsolation{Reason: strings.Join(reasons, "; ")}
}

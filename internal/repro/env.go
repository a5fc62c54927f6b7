package repro

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Environment is what a machine said about itself when a failure was
// recorded or replayed: what a reproduction can pin (TZ, locale) and what
// it cannot (versions, CPUs, kernel), which become drift lines.
type Environment struct {
	GOOS   string `json:"goos"`
	GOARCH string `json:"goarch"`
	Kernel string `json:"kernel,omitempty"`
	CPUs   int    `json:"cpus"`
	TZ     string `json:"tz,omitempty"`
	Locale string `json:"locale,omitempty"`
	// Tools maps a tool to the first line of its version ("go" is `go env
	// GOVERSION`; "python3" is `python3 --version`; "java" is `java
	// -version`); "" means not installed.
	Tools map[string]string `json:"tools,omitempty"`
}

// DefaultTools are the toolchains whose versions are captured.
var DefaultTools = []string{"go", "python3", "java"}

// CaptureEnvironment describes this machine, with the versions of tools
// (default DefaultTools). Each version probe is bounded to a few seconds.
func CaptureEnvironment(ctx context.Context, tools ...string) Environment {
	if len(tools) == 0 {
		tools = DefaultTools
	}
	e := Environment{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, CPUs: runtime.NumCPU(),
		TZ: localTZ(), Locale: localLocale(), Tools: map[string]string{}}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		e.Kernel = strings.TrimSpace(string(b))
	}
	for _, t := range tools {
		e.Tools[t] = toolVersion(ctx, t)
	}
	return e
}

// toolVersion is the first line a tool prints about its version, or "".
func toolVersion(ctx context.Context, tool string) string {
	if _, err := exec.LookPath(tool); err != nil {
		return ""
	}
	args := []string{"--version"}
	switch base := filepath.Base(tool); {
	case base == "go":
		args = []string{"env", "GOVERSION"}
	case base == "java" || base == "javac":
		args = []string{"-version"}
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, _ := exec.CommandContext(ctx, tool, args...).CombinedOutput()
	for _, line := range strings.Split(string(out), "\n") {
		// The JVM can print a "Picked up JAVA_TOOL_OPTIONS" line first.
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "Picked up") {
			return line
		}
	}
	return ""
}

// localTZ is $TZ, else the zone /etc/localtime points at.
func localTZ() string {
	if tz := os.Getenv("TZ"); tz != "" {
		return tz
	}
	if l, err := os.Readlink("/etc/localtime"); err == nil {
		if i := strings.Index(l, "zoneinfo/"); i >= 0 {
			return l[i+len("zoneinfo/"):]
		}
	}
	return "UTC"
}

// localLocale is the locale in force for character handling.
func localLocale() string {
	for _, v := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if s := os.Getenv(v); s != "" {
			return s
		}
	}
	return "C"
}

// Drift lists, one line each, how the replay machine differs from the
// recorded one in what a replay cannot pin. TZ and locale are pinned by
// the replay, so they drift only when the zone is unknown here.
func (rec Environment) Drift(here Environment) []string {
	var d []string
	diff := func(what, a, b string) {
		if a != "" && a != b {
			if b == "" {
				b = "not installed"
			}
			d = append(d, fmt.Sprintf("%s: recorded %s, replaying with %s", what, a, b))
		}
	}
	diff("platform", rec.GOOS+"/"+rec.GOARCH, here.GOOS+"/"+here.GOARCH)
	diff("kernel", rec.Kernel, here.Kernel)
	if rec.CPUs > 0 && rec.CPUs != here.CPUs {
		d = append(d, fmt.Sprintf("cpus: recorded %d, replaying on %d (schedules differ)", rec.CPUs, here.CPUs))
	}
	tools := make([]string, 0, len(rec.Tools))
	for t := range rec.Tools {
		tools = append(tools, t)
	}
	slices.Sort(tools)
	for _, t := range tools {
		diff(t, rec.Tools[t], here.Tools[t])
	}
	if rec.TZ != "" && !zoneKnown(rec.TZ) {
		d = append(d, fmt.Sprintf("tz: %s has no zoneinfo here; the process sees UTC", rec.TZ))
	}
	return d
}

// zoneKnown reports whether this machine can load the zone.
func zoneKnown(tz string) bool {
	_, err := time.LoadLocation(strings.TrimPrefix(tz, ":"))
	return err == nil
}

package repro

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// TestDetectRR runs the real detection: rr absent, present but unable to
// record (no performance counters, as on CI), or able.
func TestDetectRR(t *testing.T) {
	st := DetectRR(context.Background())
	t.Logf("rr: %+v", st)
	_, lookErr := exec.LookPath("rr")
	switch {
	case lookErr != nil:
		if st.Available || st.Reason != "rr not installed" {
			t.Errorf("rr absent: %+v", st)
		}
	case !st.Available:
		if st.Reason == "" || strings.Contains(st.Reason, "\n") || st.Binary == "" {
			t.Errorf("want one line of reason: %+v", st)
		}
	}
	sb, err := NewScratchSandbox()
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	r, err := RecordRR(context.Background(), sb, Cmd{Args: []string{"sh", "-c", "echo boom; exit 3"}}, RROptions{Incident: "i", Signature: "boom"})
	if st.Available {
		if err != nil || !r.Reproduced {
			t.Errorf("rr available but: %v %+v", err, r)
		}
		return
	}
	if !errors.Is(err, ErrRRUnavailable) || r == nil || len(r.Notes) != 1 || !strings.HasPrefix(r.Notes[0], "rr: cannot record: ") || r.Reproduced {
		t.Errorf("fallback: %v %+v", err, r)
	}
}

func TestDetectRRAbsent(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	if st := DetectRR(context.Background()); st.Available || st.Reason != "rr not installed" {
		t.Errorf("got %+v", st)
	}
}

func TestRRReason(t *testing.T) {
	for out, want := range map[string]string{
		"[FATAL ./src/PerfCounters.cc:306:start_counter()] Unable to open performance counter with 'perf_event_open'; are hardware perf events available?": "no hardware performance counters",
		"rr needs /proc/sys/kernel/perf_event_paranoid <= 1, but it is 2.":                                                                                 "kernel.perf_event_paranoid is 2",
		"[FATAL ./src/x.cc:1:f()] something odd\n":                                                                                                         "rr record failed: something odd",
	} {
		if got := rrReason(out, 2); !strings.HasPrefix(got, want) {
			t.Errorf("rrReason(%q) = %q, want prefix %q", out, got, want)
		}
	}
}

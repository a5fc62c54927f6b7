package repro

import (
	"context"
	"strings"
	"testing"
)

func TestEnvironmentDrift(t *testing.T) {
	here := CaptureEnvironment(context.Background(), "go", "tag-no-such-tool")
	if here.Tools["go"] == "" || here.Tools["tag-no-such-tool"] != "" || here.CPUs == 0 || here.GOOS == "" {
		t.Fatalf("capture: %+v", here)
	}
	if d := here.Drift(here); len(d) != 0 {
		t.Errorf("no drift against itself, got %v", d)
	}
	rec := here
	rec.Tools = map[string]string{"go": "go1.20", "tag-no-such-tool": "1.0"}
	rec.CPUs = here.CPUs + 7
	rec.TZ = "Mars/Olympus_Mons"
	got := strings.Join(rec.Drift(here), "\n")
	for _, want := range []string{"go: recorded go1.20, replaying with " + here.Tools["go"], "tag-no-such-tool: recorded 1.0, replaying with not installed", "cpus: recorded", "tz: Mars/Olympus_Mons has no zoneinfo"} {
		if !strings.Contains(got, want) {
			t.Errorf("drift lacks %q:\n%s", want, got)
		}
	}
}

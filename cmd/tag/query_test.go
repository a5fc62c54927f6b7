package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagdebug/tag/internal/evidence/evidencetest"
)

// TestQueryCommand runs the slice language and the wired analyses through
// `tag query` on stored incidents, and checks a bad query's positioned
// error and exit code.
func TestQueryCommand(t *testing.T) {
	st := t.TempDir()
	root := evidencetest.RepoRoot()
	if code, _, errOut := tag(t, "--store", st, "ingest", "--src", filepath.Join(root, "examples/evidence/_src/abba"),
		godumpTestdata("deadlock_abba.txt"), filepath.Join(root, "examples/evidence/checkout-traces.json")); code != 0 {
		t.Fatal(errOut)
	}
	code, out, _ := tag(t, "--store", st, "incidents", "--json")
	var ins []struct{ ID, Kind string }
	if code != 0 || json.Unmarshal([]byte(out), &ins) != nil {
		t.Fatal(out)
	}
	ids := map[string]string{}
	for _, in := range ins {
		ids[in.Kind] = in.ID
	}
	run := func(id, q string) map[string]any {
		t.Helper()
		code, out, errOut := tag(t, "--store", st, "query", id, q, "--json")
		if code != 0 {
			t.Fatalf("query %s: exit %d: %s", q, code, errOut)
		}
		var r map[string]any
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := run(ids["deadlock"], "lock_cycles()")
	if cycles, _ := r["data"].([]any); len(cycles) != 1 || len(r["nodes"].([]any)) == 0 {
		t.Errorf("lock_cycles: %v", r)
	}
	r = run(ids["exception"], "critical_path()")
	if data, _ := r["data"].(map[string]any); data == nil || data["segments"] == nil {
		t.Errorf("critical_path: %v", r)
	}
	r = run(ids["exception"], "slice.backward(from=event('runtime.Error')).project(['frame'])")
	var frames []string
	for _, n := range r["nodes"].([]any) {
		frames = append(frames, n.(map[string]any)["name"].(string))
	}
	if !strings.Contains(strings.Join(frames, " "), "(*Service).Load") {
		t.Errorf("backward slice frames %v", frames)
	}
	code, _, errOut := tag(t, "--store", st, "query", ids["deadlock"], "slice.backward(from=")
	if code != 2 || !strings.Contains(errOut, "1:21") || !strings.Contains(errOut, "^") {
		t.Errorf("bad query: exit %d, %q", code, errOut)
	}
}

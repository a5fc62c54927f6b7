package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagdebug/tag/internal/evidence/evidencetest"
)

// TestAnalyzeJSONContract checks `tag analyze --json` has the DESIGN.md
// §4 shape, ranks the deadlock's acquisition sites first, and that the
// text form and a bad reference behave.
func TestAnalyzeJSONContract(t *testing.T) {
	st := t.TempDir()
	root := evidencetest.RepoRoot()
	if code, _, errOut := tag(t, "--store", st, "ingest", "--src", filepath.Join(root, "examples/evidence/_src/abba"), godumpTestdata("deadlock_abba.txt")); code != 0 {
		t.Fatal(errOut)
	}
	code, out, errOut := tag(t, "--store", st, "incidents", "--json")
	if code != 0 {
		t.Fatal(errOut)
	}
	var ins []struct{ ID, Kind string }
	if err := json.Unmarshal([]byte(out), &ins); err != nil || len(ins) == 0 {
		t.Fatalf("%v %s", err, out)
	}
	code, out, errOut = tag(t, "--store", st, "analyze", ins[0].ID, "--json")
	if code != 0 {
		t.Fatal(errOut)
	}
	var r struct {
		Incident  string `json:"incident"`
		Kind      string `json:"kind"`
		RootCause struct {
			Summary  string `json:"summary"`
			Location struct {
				File     string `json:"file"`
				Line     int    `json:"line"`
				Function string `json:"function"`
			} `json:"location"`
		} `json:"root_cause"`
		Candidates []struct {
			File     string  `json:"file"`
			Line     int     `json:"line"`
			Function string  `json:"function"`
			Score    float64 `json:"score"`
			Why      string  `json:"why"`
		} `json:"candidates"`
		CriticalFailure string `json:"critical_failure"`
		Impact          string `json:"impact"`
		Evidence        []struct {
			Node, Kind, Summary string
		} `json:"evidence"`
		Slice struct {
			Nodes []string          `json:"nodes"`
			Edges []json.RawMessage `json:"edges"`
		} `json:"slice"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Incident != ins[0].ID || r.Kind != "deadlock" || r.RootCause.Location.Line == 0 || r.CriticalFailure == "" || r.Impact == "" ||
		len(r.Evidence) == 0 || len(r.Slice.Nodes) == 0 || len(r.Slice.Edges) == 0 || len(r.Candidates) < 2 {
		t.Fatalf("report lacks fields: %s", out)
	}
	for i := 1; i < len(r.Candidates); i++ {
		if r.Candidates[i].Score > r.Candidates[i-1].Score {
			t.Errorf("candidates not ranked: %+v", r.Candidates)
		}
	}
	code, out, _ = tag(t, "--store", st, "analyze", ins[0].ID)
	if code != 0 || !strings.Contains(out, "root cause") || !strings.Contains(out, "candidates") {
		t.Errorf("text report: %s", out)
	}
	if code, _, _ := tag(t, "--store", st, "analyze", "ffffffffffff"); code != 2 {
		t.Errorf("unknown incident: exit %d, want 2", code)
	}
}

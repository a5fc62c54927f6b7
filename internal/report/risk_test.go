package report

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tagdebug/tag/internal/repair"
)

func TestAssessRisk(t *testing.T) {
	r := AssessRisk(fixtureBundle())
	want := Risk{Level: RiskMedium, Files: []string{"store/store.go"}, Added: 1, Removed: 1, Concurrency: "lock",
		Summary: "1 file, +1/−1 lines; changes concurrency (lock); no exported API changes"}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("risk = %+v\nwant   %+v", r, want)
	}

	// A removed line that starts with "-- " is a line, not a header; an
	// exported signature change is API surface; test files do not count.
	patch := strings.Join([]string{
		"diff --git a/sql/q.go b/sql/q.go",
		"--- a/sql/q.go",
		"+++ b/sql/q.go",
		"@@ -1,3 +1,3 @@",
		"--- a comment that looks like a header",
		"-func Query(s string) error {",
		"+func Query(ctx context.Context, s string) error {",
		" \treturn nil",
		"diff --git a/sql/q_test.go b/sql/q_test.go",
		"--- a/sql/q_test.go",
		"+++ b/sql/q_test.go",
		"@@ -1 +1,2 @@",
		" package sql",
		"+func TestX(t *testing.T) {}",
		"",
	}, "\n")
	b := &Bundle{Candidate: repair.Candidate{Patch: patch}, Risk: "touches the query path; reviewed by the DB team"}
	r = AssessRisk(b)
	if r.Level != RiskHigh || r.Added != 1 || r.Removed != 2 || !reflect.DeepEqual(r.Files, []string{"sql/q.go"}) || len(r.API) != 2 ||
		r.Concurrency != "" || r.Summary != b.Risk {
		t.Errorf("risk = %+v", r)
	}
}

func TestFenceOutlastsBackticks(t *testing.T) {
	var sb strings.Builder
	fence(&sb, "text", "a ``` b ```` c")
	if got := sb.String(); !strings.HasPrefix(got, "`````text\n") || !strings.HasSuffix(got, "\n`````\n\n") {
		t.Errorf("fence: %q", got)
	}
}

func TestBoundLines(t *testing.T) {
	var lines []string
	for i := range 10 {
		lines = append(lines, itoa(i))
	}
	if got := boundLines(strings.Join(lines, "\n"), 2, 3); got != "0\n1\n… 5 lines left out (full text in the bundle) …\n7\n8\n9" {
		t.Errorf("boundLines: %q", got)
	}
	if got := boundLines("a\nb\n", 2, 3); got != "a\nb" {
		t.Errorf("boundLines: %q", got)
	}
}

package verify

import (
	"encoding/json"
	"sort"
	"strings"
)

// testEvent is one line of go test -json (test2json).
type testEvent struct {
	Action     string
	Package    string
	Test       string
	Output     string
	ImportPath string
}

// testReport is what a go test -json run said.
type testReport struct {
	final  map[string]string   // test name → last pass|fail|skip
	output map[string][]string // test name → its output lines
	pkgs   map[string]string   // package → pass|fail|skip
	loose  []string            // build output and anything not JSON
	ran    int
}

func parseTestJSON(out string) *testReport {
	r := &testReport{final: map[string]string{}, output: map[string][]string{}, pkgs: map[string]string{}}
	for _, line := range strings.Split(out, "\n") {
		var e testEvent
		if !strings.HasPrefix(line, "{") || json.Unmarshal([]byte(line), &e) != nil {
			if strings.TrimSpace(line) != "" {
				r.loose = append(r.loose, line)
			}
			continue
		}
		r.add(e)
	}
	return r
}

func (r *testReport) add(e testEvent) {
	switch {
	case e.Action == "build-output":
		r.loose = append(r.loose, strings.TrimRight(e.Output, "\n"))
	case e.Test == "" && (e.Action == "pass" || e.Action == "fail" || e.Action == "skip"):
		r.pkgs[e.Package] = e.Action
	case e.Test == "" && e.Action == "output":
		r.loose = append(r.loose, strings.TrimRight(e.Output, "\n"))
	case e.Action == "output":
		r.output[e.Test] = append(r.output[e.Test], strings.TrimRight(e.Output, "\n"))
	case e.Action == "pass" || e.Action == "fail" || e.Action == "skip":
		if _, seen := r.final[e.Test]; !seen {
			r.ran++
		}
		r.final[e.Test] = e.Action
	}
}

// failed lists the failing tests, leaving out a parent whose subtests
// failed (its failure is theirs).
func (r *testReport) failed() []string {
	var out []string
	for name, action := range r.final {
		if action != "fail" {
			continue
		}
		child := false
		for other, a := range r.final {
			if a == "fail" && strings.HasPrefix(other, name+"/") {
				child = true
				break
			}
		}
		if !child {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// failedPackages lists packages that failed without a failing test: a
// build failure, a crash in TestMain, a timeout.
func (r *testReport) failedPackages() []string {
	if len(r.failed()) > 0 {
		return nil
	}
	var out []string
	for p, a := range r.pkgs {
		if a == "fail" {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// testOutput is the tail of one test's output.
func (r *testReport) testOutput(name string, n int) string {
	return clip(strings.Join(r.output[name], "\n"), n)
}

// looseOutput is the tail of the output no test owns (build errors).
func (r *testReport) looseOutput(n int) string {
	return clip(strings.Join(r.loose, "\n"), n)
}

package template

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/tagdebug/tag/internal/repair"
)

// measured holds one row per case for TestZPatchTable.
var measured = struct {
	sync.Mutex
	rows map[string]string
}{rows: map[string]string{}}

// recordCase computes a candidate's size and locality: the share of
// changed lines (added or deleted, by their position in the original
// file) inside the implicated functions.
func recordCase(t *testing.T, name string, req *repair.Request, c repair.Candidate) {
	t.Helper()
	add, del := changedLines(c.Patch)
	in, total := locality(req, c)
	row := fmt.Sprintf("| %s | %s | %d | +%d −%d | %d%% |", name, c.Template, add+del, add, del, 100*in/max(total, 1))
	measured.Lock()
	measured.rows[name] = row
	measured.Unlock()
}

// locality counts the changed lines of a patch inside the functions of
// the report's sites.
func locality(req *repair.Request, c repair.Candidate) (in, total int) {
	r, err := openRepo(req.Repo)
	if err != nil {
		return 0, 0
	}
	pr := &problem{req: req, repo: r, kind: req.Report.Kind, gofs: map[string]*goPkg{}}
	pr.collect()
	spans := pr.sliceSpans()
	inside := func(file string, line int) bool {
		for _, s := range spans {
			if s.File == file && s.Start <= line && line <= s.End {
				return true
			}
		}
		return false
	}
	file, old := "", 0
	for _, l := range strings.Split(c.Patch, "\n") {
		switch {
		case strings.HasPrefix(l, "--- "):
		case strings.HasPrefix(l, "+++ "):
			file = strings.TrimPrefix(l, "+++ b/")
		case strings.HasPrefix(l, "@@ "):
			fmt.Sscanf(l, "@@ -%d", &old)
		case strings.HasPrefix(l, "-"):
			total++
			if inside(file, old) {
				in++
			}
			old++
		case strings.HasPrefix(l, "+"):
			total++
			if inside(file, old) {
				in++
			}
		case strings.HasPrefix(l, " "):
			old++
		}
	}
	return in, total
}

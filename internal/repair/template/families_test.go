package template

import (
	"slices"
	"strings"
	"testing"

	"github.com/tagdebug/tag/internal/repair"
)

// family is one fixture under testdata/: a small module with the bug
// and a TestRepro* test that fails on it, the incident kind its failure
// is analysed as, and the template that must fix it.
type family struct {
	fixture  string
	kind     string
	template string
	row      string   // the patch table's case
	flags    []string // go test flags of the reproduction
	env      []string
	// also checks more of the proposer on the fixture's real report.
	also func(t *testing.T, req *repair.Request)
}

// goFamilies are the Go fixtures: a goroutine dump of a stalled HTTP
// call, the go1.26 leak profile, race reports, a test panic and a
// testing timeout dump of a mutex left locked.
var goFamilies = []family{
	{fixture: "ctxtimeout", kind: "blocked", template: "ctx-timeout", row: "fixture ctxtimeout Quote (blocked)"},
	{fixture: "leak", kind: "leak", template: "buffered-send", row: "fixture leak Lookup (leak)",
		env: []string{"GOEXPERIMENT=goroutineleakprofile"}},
	{fixture: "waitgroup", kind: "race", template: "add-before-go", row: "fixture waitgroup Squares (race)", flags: []string{"-race"}},
	{fixture: "closeonce", kind: "panic", template: "close-once", row: "fixture closeonce Stop (panic)"},
	{fixture: "loopvar", kind: "race", template: "loopvar-shadow", row: "fixture loopvar Each, go 1.21 (race)", flags: []string{"-race"},
		also: noShadowFrom122},
	{fixture: "unlock", kind: "blocked", template: "defer-unlock", row: "fixture unlock Get (blocked)"},
}

// TestFixtureFamilies reproduces each Go fixture's failure with the real
// toolchain, analyses the output as evidence, and proves the template's
// patch: it applies strictly, its regression test (when it has one) is
// red before and green after, and the fixture's own reproduction passes
// with it. The fixtures run in parallel; the parent waits for them, so
// TestZPatchTable still sees their rows.
func TestFixtureFamilies(t *testing.T) {
	for _, fam := range goFamilies {
		t.Run(fam.template, func(t *testing.T) {
			t.Parallel()
			proveGoFamily(t, fam)
		})
	}
}

// reproArgs runs only the fixture's reproduction, bounded so the
// testing package dumps a hang as evidence.
func reproArgs(fam family) []string {
	return slices.Concat([]string{"-v", "-run", "^TestRepro", "-timeout", "3s"}, fam.flags, []string{"."})
}

func proveGoFamily(t *testing.T, fam family) {
	dir := fixtureCopy(t, fam.fixture)
	env := slices.Concat(fam.env, []string{"CGO_ENABLED=1"})
	ok, out := goTestIn(t, dir, env, reproArgs(fam)...)
	must(t, !ok, "the reproduction passes on the buggy fixture:\n%s", out)
	rep, g := report(t, fam.kind, []string{dir}, evidenceFile(t, fam.fixture+".txt", out))
	req := &repair.Request{Report: rep, Graph: g, Repo: dir}
	c := propose(t, req, fam.template)
	must(t, c.Trigger != "" && len(c.Files) > 0, "candidate without trigger or files: %+v", c)
	recordCase(t, fam.row, req, c)
	if fam.also != nil {
		fam.also(t, req)
	}
	if c.Test != "" {
		redGreen(t, dir, ".", c, fam.flags...)
	}
	for rel, content := range applied(t, dir, c.Patch) {
		writeFile(t, dir, rel, content)
	}
	ok, out = goTestIn(t, dir, env, reproArgs(fam)...)
	must(t, ok && strings.Contains(out, "--- PASS: TestRepro"), "the reproduction fails with the patch:\n%s\n%s", c.Patch, out)
}

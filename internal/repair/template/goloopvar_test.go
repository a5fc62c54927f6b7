package template

import (
	"context"
	"testing"

	"github.com/tagdebug/tag/internal/repair"
)

// noShadowFrom122: the same race report against the same code in a
// module declaring go 1.22 gets no loopvar-shadow candidate, as every
// iteration has its own variables there.
func noShadowFrom122(t *testing.T, req *repair.Request) {
	dir := fixtureCopy(t, "loopvar")
	writeFile(t, dir, "go.mod", "module example.com/loopvar\n\ngo 1.22\n")
	r := *req
	r.Repo = dir
	cs, err := Proposer{}.Propose(context.Background(), &r)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		must(t, c.Template != "loopvar-shadow", "loopvar-shadow proposed for a go 1.22 module:\n%s", c.Patch)
	}
}

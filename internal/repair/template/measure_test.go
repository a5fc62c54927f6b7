package template

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/bluekeyes/go-gitdiff/gitdiff"

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
	// Added lines are placed by their line in the patched file, against
	// the same functions found there (Go), so an added helper after a
	// function does not count as inside it.
	newSpans := map[string][]funcSpan{}
	for _, rel := range c.Files {
		if !strings.HasSuffix(rel, ".go") {
			continue
		}
		after, err := os.ReadFile(filepath.Join(req.Repo, rel))
		if err != nil {
			continue
		}
		newSpans[rel] = goSpansAfter(pr, rel, string(after), c.Patch)
	}
	file, old, nw := "", 0, 0
	for _, l := range strings.Split(c.Patch, "\n") {
		switch {
		case strings.HasPrefix(l, "--- "):
		case strings.HasPrefix(l, "+++ "):
			file = strings.TrimPrefix(l, "+++ b/")
		case strings.HasPrefix(l, "@@ "):
			fmt.Sscanf(l, "@@ -%d", &old)
			if i := strings.Index(l, " +"); i >= 0 {
				fmt.Sscanf(l[i:], " +%d", &nw)
			}
		case strings.HasPrefix(l, "-"):
			total++
			if inside(file, old) {
				in++
			}
			old++
		case strings.HasPrefix(l, "+"):
			total++
			if sp, ok := newSpans[file]; ok {
				for _, s := range sp {
					if s.Start <= nw && nw <= s.End {
						in++
						break
					}
				}
			} else if inside(file, old) {
				in++
			}
			nw++
		case strings.HasPrefix(l, " "):
			old++
			nw++
		}
	}
	return in, total
}

// goSpansAfter applies a patch to one Go file and returns the spans, in
// the patched file, of the functions the sites name.
func goSpansAfter(pr *problem, rel, orig, patch string) []funcSpan {
	var names []string
	for _, g := range pr.goSites() {
		if g.File == rel {
			names = append(names, recvName(g.fd)+"."+g.fd.Name.Name)
		}
	}
	files, _, err := gitdiff.Parse(strings.NewReader(patch))
	if err != nil {
		return nil
	}
	for _, f := range files {
		if f.NewName != rel {
			continue
		}
		var buf bytes.Buffer
		if gitdiff.Apply(&buf, strings.NewReader(orig), f) != nil {
			return nil
		}
		fset := token.NewFileSet()
		af, err := parser.ParseFile(fset, rel, buf.Bytes(), parser.ParseComments)
		if err != nil {
			return nil
		}
		var out []funcSpan
		for _, d := range af.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if ok && slices.Contains(names, recvName(fd)+"."+fd.Name.Name) {
				start := fd.Pos()
				if fd.Doc != nil {
					start = fd.Doc.Pos()
				}
				out = append(out, funcSpan{File: rel, Start: fset.Position(start).Line, End: fset.Position(fd.End()).Line})
			}
		}
		return out
	}
	return nil
}

package template

import (
	"fmt"
	"go/ast"
	"go/types"
	"strconv"
	"strings"
)

// addBeforeGo fixes goroutines that count themselves: `go func() {
// wg.Add(1); defer wg.Done(); ... }()` lets wg.Wait run before any Add,
// so it returns while the goroutines still work (a race on what they
// write, or "sync: negative WaitGroup counter" when a Done wins). The Add
// moves before the go statement, where it happens before Wait can look.
func addBeforeGo(pr *problem) []*fix {
	if !pr.kindIs("race") && !(pr.kindIs("panic", "exception", "error", "blocked", "deadlock") && strings.Contains(pr.text, "WaitGroup")) {
		return nil
	}
	return firstGoFix(pr.goSites(), func(g goSite) *fix { return addBeforeGoIn(pr, g) })
}

// selfCount is a go statement whose function literal calls Add on a
// WaitGroup declared outside it.
type selfCount struct {
	goStmt *ast.GoStmt
	add    ast.Stmt
	wg     string
}

func addBeforeGoIn(pr *problem, g goSite) *fix {
	p := g.p
	found := selfCounts(p, g.fd)
	if len(found) == 0 {
		return nil
	}
	ed := p.editor(g.File)
	for _, sc := range found {
		ed.deleteLines(sc.add)
		ed.insertBefore(sc.goStmt, p.text(g.File, sc.add))
	}
	sc := found[0]
	why := fmt.Sprintf("add-before-go: the goroutines %s starts call %s.Add themselves, so %s.Wait can run before any of them is counted "+
		"and return while they still work (%s). Counting each goroutine before its go statement makes Wait wait for all of them; "+
		"the Add statement moves and nothing else changes, inside %s.",
		g.fd.Name.Name, sc.wg, sc.wg, pr.accessLines(g), g.fd.Name.Name)
	return ed.fix("add-before-go", g.site, why, g.span())
}

// selfCounts finds the go statements of fd whose literal's body calls
// wg.Add at its top level, wg a sync.WaitGroup from outside the literal,
// with arguments that mean the same outside it.
func selfCounts(p *goPkg, fd *ast.FuncDecl) []selfCount {
	var out []selfCount
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		gs, ok := n.(*ast.GoStmt)
		if !ok {
			return true
		}
		lit, ok := gs.Call.Fun.(*ast.FuncLit)
		if !ok {
			return true
		}
		for _, s := range lit.Body.List {
			wg, ok := waitGroupAdd(p, s, lit)
			if ok {
				out = append(out, selfCount{goStmt: gs, add: s, wg: wg})
				break
			}
		}
		return true
	})
	return out
}

// waitGroupAdd reports `wg.Add(n)` with wg a sync.WaitGroup declared
// outside lit and n free of lit's own variables.
func waitGroupAdd(p *goPkg, s ast.Stmt, lit *ast.FuncLit) (string, bool) {
	es, ok := s.(*ast.ExprStmt)
	if !ok {
		return "", false
	}
	c, ok := es.X.(*ast.CallExpr)
	if !ok || len(c.Args) != 1 {
		return "", false
	}
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Add" {
		return "", false
	}
	obj := p.objOf(sel.X)
	if t := p.declType(obj); t != "sync.WaitGroup" && t != "*sync.WaitGroup" {
		return "", false
	}
	inside := func(o types.Object) bool { return o != nil && lit.Pos() <= o.Pos() && o.Pos() < lit.End() }
	local := inside(obj)
	ast.Inspect(c, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && inside(p.objOf(id)) {
			local = true
		}
		return !local
	})
	return exprKey(sel.X), !local
}

// accessLines lists where the evidence located the failure inside the
// site's function ("sum.go:18 and :23").
func (pr *problem) accessLines(g goSite) string {
	var lines []string
	seen := map[int]bool{}
	for _, s := range pr.sites {
		if s.File == g.File && g.p.line(g.fd.Pos()) <= s.Line && s.Line <= g.p.line(g.fd.End()) && !seen[s.Line] {
			seen[s.Line] = true
			lines = append(lines, ":"+strconv.Itoa(s.Line))
		}
	}
	if len(lines) == 0 {
		return "the evidence points into " + g.fd.Name.Name
	}
	return fmt.Sprintf("the %s report's accesses are at %s%s", pr.kind, g.File, strings.Join(lines, " and "))
}

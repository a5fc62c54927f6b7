package template

import (
	"cmp"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path"
	"slices"
	"strings"
)

// loopVarShadow fixes a closure that captures loop variables under the
// pre-1.22 semantics, where a loop has one copy of each variable for all
// its iterations: goroutines (or deferred and stored closures) read it
// while the loop advances it. The body starts by shadowing the captured
// variables (`i, x := i, x`), which is what go 1.22 does for every loop.
// Modules whose go directive is 1.22 or later already have per-iteration
// variables, so the template proposes nothing there.
func loopVarShadow(pr *problem) []*fix {
	if !pr.kindIs("race", "panic", "exception", "error") {
		return nil
	}
	return firstGoFix(pr.goSites(), func(g goSite) *fix {
		if pr.goDirectiveAtLeast(g.File, 22) {
			return nil // per-iteration loop variables: the capture is safe
		}
		return loopVarShadowIn(pr, g)
	})
}

// capturedLoop is a loop whose body's closures capture its variables.
type capturedLoop struct {
	loop ast.Stmt
	body *ast.BlockStmt
	vars []*types.Var
}

func loopVarShadowIn(pr *problem, g goSite) *fix {
	p := g.p
	var best *capturedLoop
	for _, cl := range capturedLoops(p, g.fd) {
		// Prefer the loop the evidence points into: its header (the
		// loop's write) or its body (the closure's read).
		if p.line(cl.loop.Pos()) <= g.Line && g.Line <= p.line(cl.loop.End()) || best == nil {
			best = cl
		}
	}
	if best == nil || len(best.body.List) == 0 {
		return nil
	}
	var names []string
	for _, v := range best.vars {
		names = append(names, v.Name())
	}
	list := strings.Join(names, ", ")
	ed := p.editor(g.File)
	ed.insertBefore(best.body.List[0], fmt.Sprintf("%s := %s // one copy per iteration for the closures below (go.mod's go %s shares one per loop)",
		list, list, pr.goDirective(g.File)))
	why := fmt.Sprintf("loopvar-shadow: go.mod declares go %s, so the loop at %s:%d has one %s for all its iterations, and the closure "+
		"in its body reads %s while the loop writes %s (%s); goroutines see later iterations' values. Shadowing them at the top "+
		"of the body gives each iteration its own copy, as go ≥ 1.22 does; one line is added, inside %s.",
		pr.goDirective(g.File), g.File, p.line(best.loop.Pos()), list, plural(names), plural(names), pr.accessLines(g), g.fd.Name.Name)
	return ed.fix("loopvar-shadow", g.site, why, g.span())
}

func plural(names []string) string {
	if len(names) == 1 {
		return "it"
	}
	return "them"
}

// capturedLoops finds the loops of fd whose body holds a function
// literal that uses a variable the loop declares, where the body never
// assigns that variable (a shadow would hide the write from the loop).
func capturedLoops(p *goPkg, fd *ast.FuncDecl) []*capturedLoop {
	var out []*capturedLoop
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		var decl []ast.Expr
		var body *ast.BlockStmt
		switch l := n.(type) {
		case *ast.RangeStmt:
			if l.Tok == token.DEFINE {
				decl = []ast.Expr{l.Key, l.Value}
			}
			body = l.Body
		case *ast.ForStmt:
			if as, ok := l.Init.(*ast.AssignStmt); ok && as.Tok == token.DEFINE {
				decl = as.Lhs
			}
			body = l.Body
		default:
			return true
		}
		vars := map[types.Object]bool{}
		for _, x := range decl {
			if id, ok := x.(*ast.Ident); ok && id.Name != "_" {
				if v := p.info.Defs[id]; v != nil {
					vars[v] = true
				}
			}
		}
		captured := capturedIn(p, body, vars)
		if len(captured) > 0 && !assignsAny(p, body, vars) {
			out = append(out, &capturedLoop{loop: n.(ast.Stmt), body: body, vars: captured})
		}
		return true
	})
	return out
}

// capturedIn lists the vars a function literal in body uses, in
// declaration order.
func capturedIn(p *goPkg, body *ast.BlockStmt, vars map[types.Object]bool) []*types.Var {
	used := map[types.Object]bool{}
	ast.Inspect(body, func(n ast.Node) bool {
		lit, ok := n.(*ast.FuncLit)
		if !ok {
			return true
		}
		ast.Inspect(lit, func(m ast.Node) bool {
			if id, ok := m.(*ast.Ident); ok && vars[p.info.Uses[id]] {
				used[p.info.Uses[id]] = true
			}
			return true
		})
		return false
	})
	var out []*types.Var
	for o := range used {
		out = append(out, o.(*types.Var))
	}
	slices.SortFunc(out, func(a, b *types.Var) int { return cmp.Compare(a.Pos(), b.Pos()) })
	return out
}

// assignsAny reports whether body writes one of vars.
func assignsAny(p *goPkg, body *ast.BlockStmt, vars map[types.Object]bool) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				if id, ok := l.(*ast.Ident); ok && vars[p.info.Uses[id]] {
					found = true
				}
			}
		case *ast.IncDecStmt:
			if id, ok := n.X.(*ast.Ident); ok && vars[p.info.Uses[id]] {
				found = true
			}
		case *ast.UnaryExpr:
			if id, ok := n.X.(*ast.Ident); ok && n.Op == token.AND && vars[p.info.Uses[id]] {
				found = true
			}
		}
		return !found
	})
	return found
}

// goDirective is the go directive of the module holding rel (the
// nearest go.mod above it), "" when there is none.
func (pr *problem) goDirective(rel string) string {
	for dir := path.Dir(rel); ; dir = path.Dir(dir) {
		mod, err := pr.repo.read(path.Join(dir, "go.mod"))
		if err == nil {
			for _, l := range strings.Split(mod, "\n") {
				if f := strings.Fields(l); len(f) == 2 && f[0] == "go" {
					return f[1]
				}
			}
			return ""
		}
		if dir == "." || dir == "/" {
			return ""
		}
	}
}

// goDirectiveAtLeast reports whether rel's module declares go 1.minor or
// later; true when unknown, so semantics-dependent fixes stay off.
func (pr *problem) goDirectiveAtLeast(rel string, minor int) bool {
	v := pr.goDirective(rel)
	var maj, mn int
	if n, _ := fmt.Sscanf(v, "%d.%d", &maj, &mn); n != 2 {
		return true
	}
	return maj > 1 || mn >= minor
}

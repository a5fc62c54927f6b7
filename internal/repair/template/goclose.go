package template

import (
	"fmt"
	"go/ast"
	"go/types"
	"strings"
)

// closeOnce fixes "close of closed channel": a method closes a channel
// field of its receiver on every call, and something calls it twice (two
// shutdown paths). Every close of that field in the package goes through
// a sync.Once added beside the field, so the first close happens and the
// later ones are no-ops.
func closeOnce(pr *problem) []*fix {
	if !pr.kindIs("panic", "exception", "error") || !strings.Contains(pr.text, "close of closed channel") {
		return nil
	}
	return firstGoFix(pr.goSites(), func(g goSite) *fix { return closeOnceIn(pr, g) })
}

func closeOnceIn(pr *problem, g goSite) *fix {
	p := g.p
	var field *types.Var
	var recv ast.Expr
	ast.Inspect(g.fd.Body, func(n ast.Node) bool {
		c, ok := n.(*ast.CallExpr)
		if !ok || field != nil || p.line(c.Pos()) != g.Line || !isBuiltin(p, c.Fun, "close") || len(c.Args) != 1 {
			return field == nil
		}
		if sel, ok := c.Args[0].(*ast.SelectorExpr); ok {
			if s := p.info.Selections[sel]; s != nil && s.Kind() == types.FieldVal {
				field, _ = s.Obj().(*types.Var)
				recv = sel.X
			}
		}
		return false
	})
	t := p.recvNamed(g.fd)
	if field == nil || t == nil {
		return nil
	}
	_, spec := p.structOf(t)
	decl := fieldDecl(spec, field.Name())
	onceName := field.Name() + "Once"
	if decl == nil || len(decl.Names) != 1 {
		return nil // the Once goes beside a field declared alone
	}
	if obj, _, _ := types.LookupFieldOrMethod(t, true, p.pkg, onceName); obj != nil {
		return nil
	}
	es := p.editors()
	// The Once opens its own group at the end of the struct: beside the
	// field, gofmt would realign the whole group and bury the change.
	sed := es.of(decl.Pos())
	end := sed.lineStart(spec.Fields.Closing)
	sed.edits = append(sed.edits, edit{end, end, fmt.Sprintf("\n%s sync.Once // closes %s exactly once, however many times it is asked to\n",
		onceName, field.Name())})
	sed.addImport("sync")
	n := 0
	for rel, f := range p.files {
		ast.Inspect(f, func(x ast.Node) bool {
			call, ok := x.(*ast.CallExpr)
			if !ok || !isBuiltin(p, call.Fun, "close") || len(call.Args) != 1 {
				return true
			}
			sel, ok := call.Args[0].(*ast.SelectorExpr)
			if !ok || p.objOf(sel) != field {
				return true
			}
			owner := p.text(rel, sel.X)
			es.of(call.Pos()).replace(call, fmt.Sprintf("%s.%s.Do(func() { close(%s) })", owner, onceName, p.text(rel, sel)))
			n++
			return false
		})
	}
	why := fmt.Sprintf("close-once: %s closes %s.%s on every call, and a second call panics with \"close of closed channel\" at %s:%d "+
		"(%s). Closing it through a sync.Once added to the struct makes the first close happen and later ones no-ops; receivers "+
		"still see one closed channel. %d close(s) of the field change and an unexported field is added; no signature changes.",
		g.fd.Name.Name, exprKey(recv), field.Name(), g.File, g.Line, callerOf(pr, g), n)
	f := es.fix("close-once", g.site, why, g.span())
	if f != nil {
		f.test = twiceTest(pr, g.p, g.fd, false, "a second call panicked with \"close of closed channel\"")
	}
	return f
}

// isBuiltin reports whether x names the predeclared function name.
func isBuiltin(p *goPkg, x ast.Expr, name string) bool {
	id, ok := x.(*ast.Ident)
	if !ok || id.Name != name {
		return false
	}
	_, ok = p.info.Uses[id].(*types.Builtin)
	return ok
}

// fieldDecl is the field list entry declaring name.
func fieldDecl(spec *ast.StructType, name string) *ast.Field {
	if spec == nil {
		return nil
	}
	for _, f := range spec.Fields.List {
		for _, n := range f.Names {
			if n.Name == name {
				return f
			}
		}
	}
	return nil
}

// callerOf says who made the failing call, from the next site of the
// evidence.
func callerOf(pr *problem, g goSite) string {
	for i, s := range pr.sites {
		if s.File == g.File && s.Line == g.Line && i+1 < len(pr.sites) {
			c := pr.sites[i+1]
			return fmt.Sprintf("the panic's stack has it called from %s at %s:%d", c.Function, c.File, c.Line)
		}
	}
	return "the panic's stack starts there"
}

package template

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"
)

// nilGuard fixes a nil pointer dereference at the first in-app frame
// that reads a field through a pointer: each such read in the failing
// statement becomes a local holding the field's zero value when the
// pointer is nil (so nil behaves as "the zero value of what it points
// to"), and the statement reads the local.
func nilGuard(pr *problem) []*fix {
	if !pr.kindIs("panic", "exception", "error") || !strings.Contains(pr.text, "nil pointer") {
		return nil
	}
	for _, g := range pr.goSites() {
		if f := nilGuardAt(pr, g); f != nil {
			return []*fix{f}
		}
	}
	return nil
}

// deref is one field read through a pointer variable.
type deref struct {
	sel   *ast.SelectorExpr
	ptr   *types.Var
	field *types.Var
}

func nilGuardAt(pr *problem, g goSite) *fix {
	p, rel := g.p, g.File
	stmt, block := p.enclosingStmt(g.fd.Body, g.Line)
	if stmt == nil || block == nil {
		return nil
	}
	switch stmt.(type) {
	case *ast.ForStmt, *ast.RangeStmt, *ast.BlockStmt, *ast.SwitchStmt, *ast.SelectStmt, *ast.TypeSwitchStmt:
		return nil // the dereference may run more than once or not here
	}
	ds := derefsOnLine(p, stmt, g.Line)
	if len(ds) == 0 {
		return nil
	}
	ed := p.editor(rel)
	vars := map[string]string{} // ptr.field → local
	var order []string
	byPtr := map[*types.Var][]string{}
	var ptrs []*types.Var
	for _, d := range ds {
		key := d.ptr.Name() + "." + d.field.Name()
		if _, ok := vars[key]; !ok {
			vars[key] = p.freeName(stmt.Pos(), lowerFirst(d.field.Name()))
			order = append(order, key)
			if byPtr[d.ptr] == nil {
				ptrs = append(ptrs, d.ptr)
			}
			byPtr[d.ptr] = append(byPtr[d.ptr], key)
		}
		ed.replace(d.sel, vars[key])
	}
	var pre strings.Builder
	for _, key := range order {
		f := fieldOf(ds, key)
		fmt.Fprintf(&pre, "var %s %s\n", vars[key], types.TypeString(f.field.Type(), p.qualifier))
	}
	for _, v := range ptrs {
		fmt.Fprintf(&pre, "if %s != nil {\n", v.Name())
		for _, key := range byPtr[v] {
			fmt.Fprintf(&pre, "%s = %s\n", vars[key], key)
		}
		pre.WriteString("}")
	}
	ed.insertBefore(stmt, pre.String())
	var names []string
	for _, v := range ptrs {
		names = append(names, v.Name())
	}
	why := fmt.Sprintf("nil-guard: the panic is a nil pointer dereference at %s:%d in %s; %s read through %s, which is nil there. "+
		"Reading each field as its zero value when the pointer is nil makes nil behave as an empty %s and leaves every non-nil path unchanged; "+
		"the failing statement alone is rewritten, inside %s.",
		rel, g.Line, g.fd.Name.Name, strings.Join(order, ", "), strings.Join(names, ", "), ptrTypeName(p, ptrs[0]), g.fd.Name.Name)
	f := ed.fix("nil-guard", g.site, why, g.span())
	if f != nil {
		f.test = nilGuardTest(pr, g, ptrs[0])
	}
	return f
}

func fieldOf(ds []deref, key string) deref {
	for _, d := range ds {
		if d.ptr.Name()+"."+d.field.Name() == key {
			return d
		}
	}
	return deref{}
}

func ptrTypeName(p *goPkg, v *types.Var) string {
	if pt, ok := v.Type().Underlying().(*types.Pointer); ok {
		return types.TypeString(pt.Elem(), p.qualifier)
	}
	return "value"
}

// derefsOnLine finds field reads x.f on the line where x is a pointer
// variable, outside closures, not written or address-taken.
func derefsOnLine(p *goPkg, stmt ast.Stmt, line int) []deref {
	lhs := map[ast.Expr]bool{}
	ast.Inspect(stmt, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				lhs[l] = true
			}
		case *ast.IncDecStmt:
			lhs[n.X] = true
		case *ast.UnaryExpr:
			if n.Op == token.AND {
				lhs[n.X] = true
			}
		}
		return true
	})
	var out []deref
	ast.Inspect(stmt, func(n ast.Node) bool {
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		sel, ok := n.(*ast.SelectorExpr)
		if !ok || lhs[sel] || p.line(sel.Pos()) != line {
			return true
		}
		id, ok := sel.X.(*ast.Ident)
		if !ok {
			return true
		}
		s := p.info.Selections[sel]
		v, _ := p.info.Uses[id].(*types.Var)
		if s == nil || v == nil || s.Kind() != types.FieldVal || len(s.Index()) != 1 {
			return true
		}
		if _, ptr := v.Type().Underlying().(*types.Pointer); !ptr {
			return true
		}
		out = append(out, deref{sel: sel, ptr: v, field: s.Obj().(*types.Var)})
		return true
	})
	return out
}

package template

import (
	"fmt"
	"go/ast"
	"go/types"
	"strings"
)

// sortFuncs sort their first argument in place.
var sortFuncs = map[string]bool{
	"sort.Slice": true, "sort.SliceStable": true, "sort.Strings": true, "sort.Ints": true, "sort.Float64s": true,
	"slices.Sort": true, "slices.SortFunc": true, "slices.SortStableFunc": true, "slices.Reverse": true,
}

// copyBeforeSort fixes a race (or a corrupted shared value) where a
// function sorts a shared slice — a field or a package variable — in
// place: it sorts a clone, and the rest of the block reads the clone.
func copyBeforeSort(pr *problem) []*fix {
	if !pr.kindIs("race", "error", "exception", "panic") {
		return nil
	}
	done := map[*ast.FuncDecl]bool{}
	for _, g := range pr.goSites() {
		if done[g.fd] {
			continue
		}
		done[g.fd] = true
		if f := copyBeforeSortIn(pr, g); f != nil {
			return []*fix{f}
		}
	}
	return nil
}

func copyBeforeSortIn(pr *problem, g goSite) *fix {
	p := g.p
	var call *ast.CallExpr
	var stmt ast.Stmt
	var block *ast.BlockStmt
	ast.Inspect(g.fd.Body, func(n ast.Node) bool {
		b, ok := n.(*ast.BlockStmt)
		if !ok || call != nil {
			return call == nil
		}
		for _, s := range b.List {
			es, ok := s.(*ast.ExprStmt)
			if !ok {
				continue
			}
			c, ok := es.X.(*ast.CallExpr)
			if ok && len(c.Args) > 0 && sortFuncs[callName(c)] && sharedSlice(p, c.Args[0]) {
				call, stmt, block = c, s, b
				return false
			}
		}
		return true
	})
	if call == nil {
		return nil
	}
	shared := call.Args[0]
	key := exprKey(shared)
	// The clone replaces the shared value from the sort on; a write to it
	// there would no longer reach the shared value, so give up.
	var uses []*ast.SelectorExpr
	written := false
	after := false
	for _, s := range block.List {
		if s == stmt {
			after = true
		}
		if !after {
			continue
		}
		ast.Inspect(s, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				for _, l := range n.Lhs {
					if strings.HasPrefix(exprKey(l), key) {
						written = true
					}
				}
			case *ast.SelectorExpr:
				if exprKey(n) == key {
					uses = append(uses, n)
					return false
				}
			}
			return true
		})
	}
	if written {
		return nil
	}
	sel := shared.(*ast.SelectorExpr)
	local := p.freeName(stmt.Pos(), lowerFirst(sel.Sel.Name))
	ed := p.editor(g.File)
	for _, u := range uses {
		ed.replace(u, local)
	}
	clone := "slices.Clone(" + key + ")"
	if !pr.goAtLeast(21) {
		clone = fmt.Sprintf("append(%s(nil), %s...)", types.TypeString(p.info.TypeOf(shared), p.qualifier), key)
	} else {
		ed.addImport("slices")
	}
	ed.insertBefore(stmt, local+" := "+clone)
	why := fmt.Sprintf("copy-before-sort: %s sorts %s in place, a value shared by every caller, so concurrent calls race on it "+
		"(the race report's accesses are in %s) and readers see it reordered. Sorting a clone keeps the shared slice read-only; "+
		"the %d uses after the sort read the clone and the result is the same.", g.fd.Name.Name, key, g.fd.Name.Name, len(uses))
	f := ed.fix("copy-before-sort", g.site, why, g.span())
	if f != nil {
		f.test = sortTest(pr, g, sel, call)
	}
	return f
}

// sharedSlice: a slice that outlives the call — a field reached through
// a pointer, or a package variable.
func sharedSlice(p *goPkg, x ast.Expr) bool {
	sel, ok := x.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	if _, ok := p.info.TypeOf(x).Underlying().(*types.Slice); !ok {
		return false
	}
	s := p.info.Selections[sel]
	return s != nil && s.Kind() == types.FieldVal
}

// goAtLeast reports whether the module's go directive is at least 1.minor.
func (pr *problem) goAtLeast(minor int) bool {
	mod, err := pr.repo.read("go.mod")
	if err != nil {
		return true
	}
	for _, l := range strings.Split(mod, "\n") {
		var maj, min int
		if n, _ := fmt.Sscanf(strings.TrimSpace(l), "go %d.%d", &maj, &min); n == 2 {
			return maj > 1 || min >= minor
		}
	}
	return true
}

// sortTest: concurrent calls must leave the shared slice as it was
// (and, under -race, must not race on it).
func sortTest(pr *problem, g goSite, sel *ast.SelectorExpr, call *ast.CallExpr) *regressionTest {
	p := g.p
	fobj, _ := p.info.Defs[g.fd.Name].(*types.Func)
	recvID, ok := sel.X.(*ast.Ident)
	if fobj == nil || !ok {
		return nil
	}
	sig := fobj.Type().(*types.Signature)
	if sig.Recv() == nil || p.info.Uses[recvID] != sig.Recv() {
		return nil
	}
	rt, ok := sig.Recv().Type().(*types.Pointer)
	if !ok {
		return nil
	}
	st := p.info.TypeOf(sel).Underlying().(*types.Slice)
	elem := types.TypeString(st.Elem(), p.qualifier)
	elems := unsortedElems(p, st.Elem(), call)
	if elems == "" {
		return nil
	}
	var args []string
	for i := range sig.Params().Len() {
		v := sig.Params().At(i)
		s, ok := pr.goValue(p, v.Name(), v.Type())
		if !ok {
			return nil
		}
		if s == "0" {
			s = "1"
		}
		args = append(args, s)
	}
	recv := types.TypeString(rt.Elem(), p.qualifier)
	body := fmt.Sprintf(`c := &%s{%s: []%s{%s}}
want := slices.Clone(c.%s)
var wg sync.WaitGroup
for range 4 {
	wg.Go(func() { c.%s(%s) })
}
wg.Wait()
if !reflect.DeepEqual(c.%s, want) {
	t.Fatalf("%s changed the shared %s: %%v, want %%v", c.%s, want)
}`, recv, sel.Sel.Name, elem, elems, sel.Sel.Name, fobj.Name(), strings.Join(args, ", "), sel.Sel.Name, fobj.Name(), sel.Sel.Name, sel.Sel.Name)
	doc := fmt.Sprintf("concurrent %s calls must leave the\n// shared %s as they found it (run with -race: they must not race).", fobj.Name(), sel.Sel.Name)
	return goTest(p, fobj.Name(), doc, body, "reflect", "slices", "sync", "testing")
}

// unsortedElems writes three elements out of order for the sort's key:
// the field the less function compares, or the elements themselves.
func unsortedElems(p *goPkg, elem types.Type, call *ast.CallExpr) string {
	if b, ok := elem.Underlying().(*types.Basic); ok {
		if b.Info()&types.IsString != 0 {
			return `"b", "c", "a"`
		}
		return "2, 3, 1"
	}
	st, ok := elem.Underlying().(*types.Struct)
	if !ok || len(call.Args) < 2 {
		return ""
	}
	field := ""
	ast.Inspect(call.Args[1], func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok && field == "" {
			if s := p.info.Selections[sel]; s != nil && s.Kind() == types.FieldVal {
				for i := range st.NumFields() {
					if st.Field(i) == s.Obj() {
						field = sel.Sel.Name
					}
				}
			}
		}
		return field == ""
	})
	if field == "" {
		return ""
	}
	var vals []string
	for _, v := range []string{"2", "3", "1"} {
		if b, ok := fieldType(st, field).Underlying().Underlying().(*types.Basic); ok && b.Info()&types.IsString != 0 {
			v = `"` + v + `"`
		}
		vals = append(vals, "{"+field+": "+v+"}")
	}
	return strings.Join(vals, ", ")
}

func fieldType(st *types.Struct, name string) types.Type {
	for i := range st.NumFields() {
		if st.Field(i).Name() == name {
			return st.Field(i).Type()
		}
	}
	return types.Typ[types.Invalid]
}

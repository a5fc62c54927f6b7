package template

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/types"
	"strings"
)

// orderKeys are fields that identify a lock's owner and order owners.
var orderKeys = []string{"ID", "Id", "id", "Key", "key", "Name", "name"}

// lockOrder fixes an AB-BA deadlock where one function locks two values
// of the same type in argument order: it takes them in a global order by
// the values' ID field, and takes the second only when it is not the
// first (a transfer to oneself would otherwise lock one mutex twice).
func lockOrder(pr *problem) []*fix {
	if !pr.kindIs("deadlock", "blocked") {
		return nil
	}
	done := map[*ast.FuncDecl]bool{}
	for _, g := range pr.goSites() {
		if done[g.fd] {
			continue
		}
		done[g.fd] = true
		if f := lockOrderIn(pr, g); f != nil {
			return []*fix{f}
		}
	}
	return nil
}

// lockPair is `A.f.Lock(); defer A.f.Unlock(); ...; B.f.Lock(); defer B.f.Unlock()`.
type lockPair struct {
	block      *ast.BlockStmt
	i, j       int // indices of the two Lock statements
	a, b       *ast.Ident
	field      string
	key        string
	between    []ast.Stmt
	lockMethod string
}

func lockOrderIn(pr *problem, g goSite) *fix {
	p := g.p
	lp := findLockPair(p, g.fd.Body)
	if lp == nil {
		return nil
	}
	l := lp.block.List
	first := p.freeName(l[lp.i].Pos(), "first")
	second := p.freeName(l[lp.i].Pos(), "second")
	a, b := lp.a.Name, lp.b.Name
	ed := p.editor(g.File)
	ed.insertBefore(l[lp.i], fmt.Sprintf("%s, %s := %s, %s\nif %s.%s < %s.%s {\n%s, %s = %s, %s\n}",
		first, second, a, b, b, lp.key, a, lp.key, first, second, b, a))
	unlock := unlockOf(lp.lockMethod)
	ed.replace(l[lp.i], fmt.Sprintf("%s.%s.%s()", first, lp.field, lp.lockMethod))
	ed.replace(l[lp.i+1], fmt.Sprintf("defer %s.%s.%s()", first, lp.field, unlock))
	ed.edits = append(ed.edits, edit{p.off(l[lp.j].Pos()), p.off(l[lp.j+1].End()),
		fmt.Sprintf("if %s != %s {\n%s.%s.%s()\ndefer %s.%s.%s()\n}", second, first, second, lp.field, lp.lockMethod, second, lp.field, unlock)})
	why := fmt.Sprintf("lock-order: %s locks %s.%s then %s.%s, so two calls with the arguments swapped each hold one lock and wait for the other "+
		"(the deadlock's acquisition sites are in %s). Taking the two locks in the order of their %s makes every caller acquire them in one global order, "+
		"and skipping the second when both are the same value avoids locking one mutex twice; only %s changes, and its signature does not.",
		g.fd.Name.Name, a, lp.field, b, lp.field, g.fd.Name.Name, lp.key, g.fd.Name.Name)
	f := ed.fix("lock-order", g.site, why, g.span())
	if f != nil {
		f.test = lockOrderTest(pr, g, lp)
	}
	return f
}

func unlockOf(lock string) string {
	if lock == "RLock" {
		return "RUnlock"
	}
	return "Unlock"
}

func findLockPair(p *goPkg, body *ast.BlockStmt) *lockPair {
	var out *lockPair
	ast.Inspect(body, func(n ast.Node) bool {
		blk, ok := n.(*ast.BlockStmt)
		if !ok || out != nil {
			return out == nil
		}
		l := blk.List
		for i := 0; i+1 < len(l); i++ {
			ax, am, ok := methodCall(l[i], "Lock")
			if !ok || !isDeferOf(l[i+1], ax, "Unlock") {
				continue
			}
			for j := i + 2; j+1 < len(l); j++ {
				bx, _, ok := methodCall(l[j], "Lock")
				if !ok || !isDeferOf(l[j+1], bx, "Unlock") {
					continue
				}
				lp := pairOf(p, ax, bx)
				if lp == nil {
					break
				}
				lp.block, lp.i, lp.j, lp.lockMethod, lp.between = blk, i, j, am, l[i+2:j]
				out = lp
				return false
			}
		}
		return true
	})
	return out
}

// pairOf checks A.f and B.f: two variables of one pointer-to-struct type
// with an ordered identifying field.
func pairOf(p *goPkg, ax, bx ast.Expr) *lockPair {
	as, ok1 := ax.(*ast.SelectorExpr)
	bs, ok2 := bx.(*ast.SelectorExpr)
	if !ok1 || !ok2 || as.Sel.Name != bs.Sel.Name {
		return nil
	}
	a, ok1 := as.X.(*ast.Ident)
	b, ok2 := bs.X.(*ast.Ident)
	if !ok1 || !ok2 || a.Name == b.Name {
		return nil
	}
	ta, tb := p.info.TypeOf(a), p.info.TypeOf(b)
	if ta == nil || tb == nil || !types.Identical(ta, tb) {
		return nil
	}
	pt, ok := ta.Underlying().(*types.Pointer)
	if !ok {
		return nil
	}
	st, ok := pt.Elem().Underlying().(*types.Struct)
	if !ok {
		return nil
	}
	for _, k := range orderKeys {
		if b, ok := fieldType(st, k).Underlying().(*types.Basic); ok && b.Info()&types.IsOrdered != 0 {
			return &lockPair{a: a, b: b2(bs), field: as.Sel.Name, key: k}
		}
	}
	return nil
}

func b2(s *ast.SelectorExpr) *ast.Ident { return s.X.(*ast.Ident) }

// isDeferOf reports `defer X.name()` for the same X.
func isDeferOf(s ast.Stmt, x ast.Expr, name string) bool {
	if _, ok := s.(*ast.DeferStmt); !ok {
		return false
	}
	dx, _, ok := methodCall(s, name, "RUnlock")
	return ok && exprKey(dx) == exprKey(x)
}

// constructorCall finds a call of NewT in the package's tests (whose
// arguments are fixtures the repository already trusts), and the imports
// its text needs.
func (pr *problem) constructorCall(p *goPkg, typeName string) (string, []string) {
	for _, f := range pr.repo.dirFiles(p.dir, "_test.go") {
		src, err := pr.repo.read(f)
		if err != nil {
			continue
		}
		af, err := parser.ParseFile(p.fset, f, src, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		var call string
		var imports []string
		ast.Inspect(af, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok || call != "" {
				return call == ""
			}
			if id, ok := c.Fun.(*ast.Ident); ok && id.Name == "New"+typeName {
				call = src[p.fset.Position(c.Pos()).Offset:p.fset.Position(c.End()).Offset]
				for _, im := range af.Imports {
					path := strings.Trim(im.Path.Value, `"`)
					if strings.Contains(call, path[strings.LastIndex(path, "/")+1:]+".") {
						imports = append(imports, path)
					}
				}
			}
			return true
		})
		if call != "" {
			return call, imports
		}
	}
	return "", nil
}

// lockOrderTest calls the function from two goroutines with the two
// locked values swapped, many times, and fails if they do not finish.
func lockOrderTest(pr *problem, g goSite, lp *lockPair) *regressionTest {
	p := g.p
	fobj, _ := p.info.Defs[g.fd.Name].(*types.Func)
	if fobj == nil {
		return nil
	}
	sig := fobj.Type().(*types.Signature)
	if sig.Recv() == nil {
		return nil
	}
	rt, ok := sig.Recv().Type().(*types.Pointer)
	if !ok {
		return nil
	}
	recvType := types.TypeString(rt.Elem(), p.qualifier)
	ctor, imports := pr.constructorCall(p, recvType)
	if ctor == "" {
		return nil
	}
	// The swapped parameters are the first two of one type.
	var args []string
	swap := [2]int{-1, -1}
	for i := range sig.Params().Len() {
		v := sig.Params().At(i)
		s, ok := pr.goValue(p, v.Name(), v.Type())
		if !ok {
			return nil
		}
		args = append(args, s)
		if swap[0] < 0 {
			swap[0] = i
		} else if swap[1] < 0 && types.Identical(v.Type(), sig.Params().At(swap[0]).Type()) {
			swap[1] = i
		}
	}
	if swap[1] < 0 || args[swap[0]] == args[swap[1]] {
		return nil
	}
	rev := append([]string(nil), args...)
	rev[swap[0]], rev[swap[1]] = args[swap[1]], args[swap[0]]
	recv := sig.Recv().Name()
	hook := ""
	for _, s := range lp.between {
		ast.Inspect(s, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok || len(c.Args) > 0 {
				return true
			}
			if sel, ok := c.Fun.(*ast.SelectorExpr); ok && exprKey(sel.X) == recv {
				if s := p.info.Selections[sel]; s != nil && s.Kind() == types.FieldVal {
					hook = exprKey(sel) + " = runtime.Gosched // widen the window between the two locks\n"
				}
			}
			return true
		})
	}
	fn := fobj.Name()
	body := fmt.Sprintf(`%s := %s
%sdone := make(chan struct{})
// A thousand rounds or one second, whichever ends first: slow calls
// (I/O between the locks) meet within a few rounds and need not run all.
stop := time.Now().Add(time.Second)
go func() {
	defer close(done)
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; i < 1000 && time.Now().Before(stop); i++ {
			%s.%s(%s)
		}
	})
	wg.Go(func() {
		for i := 0; i < 1000 && time.Now().Before(stop); i++ {
			%s.%s(%s)
		}
	})
	wg.Wait()
}()
select {
case <-done:
case <-time.After(5 * time.Second):
	t.Fatal("%s calls with swapped arguments deadlocked")
}`, recv, ctor, hook, recv, fn, strings.Join(args, ", "), recv, fn, strings.Join(rev, ", "), fn)
	doc := fmt.Sprintf("%s calls with their arguments swapped,\n// running together, must all finish (the incident's AB-BA deadlock).", fn)
	imports = append(imports, "sync", "testing", "time")
	if hook != "" {
		imports = append(imports, "runtime")
	}
	return goTest(p, fn, doc, body, dedupe(imports)...)
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

package template

import (
	"fmt"
	"go/ast"
	"go/types"
	"regexp"
	"strings"
)

// perKeyLock fixes contention timeouts where a method holds one mutex of
// its receiver across slow work for every key: the method takes a lock
// per key instead (a one-slot channel per key, so acquisition gives up
// when the context is done), and the receiver's mutex is taken only from
// the first statement that touches the fields it guards (those declared
// after it, atomics excepted), as the fields still need it.
func perKeyLock(pr *problem) []*fix {
	if !pr.kindIs("timeout", "blocked", "deadlock") {
		return nil
	}
	done := map[*ast.FuncDecl]bool{}
	for _, g := range pr.goSites() {
		if done[g.fd] {
			continue
		}
		done[g.fd] = true
		if f := perKeyLockIn(pr, g); f != nil {
			return []*fix{f}
		}
	}
	return nil
}

func perKeyLockIn(pr *problem, g goSite) *fix {
	p := g.p
	fobj, _ := p.info.Defs[g.fd.Name].(*types.Func)
	if fobj == nil || g.fd.Recv == nil || len(g.fd.Recv.List[0].Names) == 0 {
		return nil
	}
	sig := fobj.Type().(*types.Signature)
	recv := g.fd.Recv.List[0].Names[0].Name
	body := g.fd.Body.List
	if len(body) < 3 {
		return nil
	}
	mx, _, ok := methodCall(body[0], "Lock")
	if !ok || !isDeferOf(body[1], mx, "Unlock") {
		return nil
	}
	msel, ok := mx.(*ast.SelectorExpr)
	if !ok || exprKey(msel.X) != recv {
		return nil
	}
	st, spec := p.structOf(sig.Recv().Type())
	if st == nil {
		return nil
	}
	guarded := guardedFields(p, spec, msel.Sel.Name)
	if len(guarded) == 0 {
		return nil
	}
	// The key is the parameter that indexes a guarded field.
	var key *types.Var
	var ctx *types.Var
	for i := range sig.Params().Len() {
		v := sig.Params().At(i)
		if paramType(g.fd, v.Name()) == "context.Context" && ctx == nil {
			ctx = v
		}
	}
	first := -1
	for i, s := range body[2:] {
		ast.Inspect(s, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok || exprKey(sel.X) != recv || !guarded[sel.Sel.Name] {
				return true
			}
			if first < 0 {
				first = i + 2
			}
			return true
		})
		ast.Inspect(s, func(n ast.Node) bool {
			ix, ok := n.(*ast.IndexExpr)
			if !ok || key != nil {
				return key == nil
			}
			if sel, ok := ix.X.(*ast.SelectorExpr); ok && exprKey(sel.X) == recv && guarded[sel.Sel.Name] {
				if id, ok := ix.Index.(*ast.Ident); ok {
					key, _ = p.info.Uses[id].(*types.Var)
				}
			}
			return true
		})
	}
	res := sig.Results()
	if key == nil || first <= 2 || res.Len() == 0 || types.TypeString(res.At(res.Len()-1).Type(), nil) != "error" {
		return nil // nothing to take out from under the lock, or no way to report a deadline
	}
	locks, lockKey := "keyLocks", "lockKey"
	if obj, _, _ := types.LookupFieldOrMethod(sig.Recv().Type(), true, p.pkg, locks); obj != nil {
		return nil
	}
	if obj, _, _ := types.LookupFieldOrMethod(sig.Recv().Type(), true, p.pkg, lockKey); obj != nil {
		return nil
	}
	errName := "err"
	for id, obj := range p.info.Defs {
		if obj != nil && id.Name == "err" && g.fd.Pos() <= id.Pos() && id.Pos() < g.fd.End() {
			errName = "keyErr"
		}
	}
	unlock := p.freeName(body[0].Pos(), "unlockKey")
	ctxArg := "context.Background()"
	if ctx != nil {
		ctxArg = ctx.Name()
	}
	var zeros []string
	for i := range res.Len() - 1 {
		zeros = append(zeros, zeroValue(p, res.At(i).Type()))
	}
	zeros = append(zeros, errName)
	ed := p.editor(g.File)
	ed.edits = append(ed.edits, edit{p.off(body[0].Pos()), p.off(body[1].End()),
		fmt.Sprintf("%s, %s := %s.%s(%s, %s)\nif %s != nil {\nreturn %s\n}\ndefer %s()", unlock, errName, recv, lockKey, ctxArg, key.Name(),
			errName, strings.Join(zeros, ", "), unlock)})
	ed.insertBefore(body[first], fmt.Sprintf("%s.Lock()\ndefer %s.Unlock()", exprKey(mx), exprKey(mx)))
	// The per-key locks live beside the mutex, which still guards the
	// fields after it.
	for _, f := range spec.Fields.List {
		for _, n := range f.Names {
			if n.Name == msel.Sel.Name {
				ed.insertBefore(f, fmt.Sprintf("%s sync.Map // %s → chan struct{}: a one-slot lock per key (%s)\n", locks, key.Name(), lockKey))
			}
		}
	}
	if ctx == nil {
		ed.addImport("context")
	}
	ed.addImport("sync")
	recvType := types.TypeString(sig.Recv().Type(), p.qualifier)
	keyType := types.TypeString(key.Type(), p.qualifier)
	ed.insertAfter(g.fd, fmt.Sprintf(`
// %s takes key's lock, or gives up with ctx's error when ctx is done
// first.
func (%s %s) %s(ctx context.Context, key %s) (unlock func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	v, _ := %s.%s.LoadOrStore(key, make(chan struct{}, 1))
	ch := v.(chan struct{})
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}`, lockKey, recv, recvType, lockKey, keyType, recv, locks))
	why := fmt.Sprintf("per-key-lock: %s holds %s for its whole body, including the slow work before it first touches the state %s guards, "+
		"so calls for different %ss queue behind one another until their deadlines pass (the blocked goroutines wait in %s). "+
		"A lock per %s keeps calls for one %s serialised as before, lets different %ss proceed together, and gives up when %s is done; "+
		"%s is taken only from the first statement that reads the fields it guards. The method's signature is unchanged; "+
		"an unexported field and helper are added.",
		g.fd.Name.Name, exprKey(mx), msel.Sel.Name, key.Name(), g.fd.Name.Name, key.Name(), key.Name(), key.Name(), ctxArg, exprKey(mx))
	f := ed.fix("per-key-lock", g.site, why, g.span())
	if f != nil {
		f.test = perKeyTest(pr, g, sig, key)
	}
	return f
}

// structOf returns the struct type (and its syntax) a receiver points to.
func (p *goPkg) structOf(t types.Type) (*types.Struct, *ast.StructType) {
	if pt, ok := t.(*types.Pointer); ok {
		t = pt.Elem()
	}
	named, ok := t.(*types.Named)
	if !ok {
		return nil, nil
	}
	st, ok := named.Underlying().(*types.Struct)
	if !ok {
		return nil, nil
	}
	for id, obj := range p.info.Defs {
		if obj == named.Obj() {
			{
				var spec *ast.StructType
				ast.Inspect(p.files[p.fset.Position(id.Pos()).Filename], func(n ast.Node) bool {
					ts, ok := n.(*ast.TypeSpec)
					if ok && ts.Name == id {
						spec, _ = ts.Type.(*ast.StructType)
					}
					return spec == nil
				})
				return st, spec
			}
		}
	}
	return nil, nil
}

// guardedFields are the fields declared after the mutex in its group,
// atomics and other synchronisation types excepted (Go's convention: a
// mutex guards the fields that follow it).
func guardedFields(p *goPkg, spec *ast.StructType, mu string) map[string]bool {
	if spec == nil {
		return nil
	}
	out := map[string]bool{}
	after := false
	prevEnd := 0
	for _, f := range spec.Fields.List {
		start := p.line(f.Pos())
		if f.Doc != nil {
			start = p.line(f.Doc.Pos())
		}
		if after && start > prevEnd+1 {
			break // a blank line ends the group
		}
		prevEnd = p.line(f.End())
		isMu := false
		for _, n := range f.Names {
			isMu = isMu || n.Name == mu
		}
		if isMu {
			after = true
			continue
		}
		ts := types.ExprString(f.Type)
		if !after || strings.HasPrefix(ts, "atomic.") || strings.HasPrefix(ts, "sync.") {
			continue
		}
		for _, n := range f.Names {
			out[n.Name] = true
		}
	}
	return out
}

func zeroValue(p *goPkg, t types.Type) string {
	switch u := t.Underlying().(type) {
	case *types.Basic:
		return zeroLit(u, types.TypeString(t, p.qualifier))
	case *types.Struct, *types.Array:
		return types.TypeString(t, p.qualifier) + "{}"
	}
	return "nil"
}

// perKeyTest: calls for different keys must overlap (measured by the
// receiver's own concurrency gauge, when it has one), and a call whose
// context is already done must give up with the context's error.
func perKeyTest(pr *problem, g goSite, sig *types.Signature, key *types.Var) *regressionTest {
	p := g.p
	rt, ok := sig.Recv().Type().(*types.Pointer)
	if !ok {
		return nil
	}
	gauge := ""
	ms := types.NewMethodSet(rt)
	for i := range ms.Len() {
		m := ms.At(i).Obj()
		s := m.Type().(*types.Signature)
		if m.Exported() && s.Params().Len() == 0 && s.Results().Len() == 1 &&
			types.Identical(s.Results().At(0).Type(), types.Typ[types.Int]) && regexp.MustCompile(`Peak|Concurren`).MatchString(m.Name()) {
			gauge = m.Name()
		}
	}
	ctor, imports := pr.constructorCall(p, types.TypeString(rt.Elem(), p.qualifier))
	keys := regexp.MustCompile(`"[^"\\]*"`).FindAllString(ctor, -1)
	if gauge == "" || ctor == "" || len(keys) < 2 || types.TypeString(key.Type(), nil) != "string" {
		return nil
	}
	var args, cancelled []string
	for i := range sig.Params().Len() {
		v := sig.Params().At(i)
		switch {
		case paramType(g.fd, v.Name()) == "context.Context":
			args, cancelled = append(args, "context.Background()"), append(cancelled, "ctx")
		case v == key:
			args, cancelled = append(args, "key"), append(cancelled, keys[0])
		default:
			s, ok := pr.goValue(p, v.Name(), v.Type())
			if !ok {
				return nil
			}
			if s == "0" {
				s = "1"
			}
			args, cancelled = append(args, s), append(cancelled, s)
		}
	}
	fn := g.fd.Name.Name
	body := fmt.Sprintf(`r := %s
var wg sync.WaitGroup
for _, key := range []string{%s} {
	wg.Go(func() { r.%s(%s) })
}
wg.Wait()
if n := r.%s(); n < 2 {
	t.Fatalf("%s calls for different keys never overlapped (%s %%d): they queue on one lock", n)
}
ctx, cancel := context.WithCancel(context.Background())
cancel()
if err := r.%s(%s); !errors.Is(err, context.Canceled) {
	t.Fatalf("%s with a cancelled context: %%v, want context.Canceled", err)
}`, ctor, strings.Join(keys, ", "), fn, strings.Join(args, ", "), gauge, fn, gauge, fn, strings.Join(cancelled, ", "), fn)
	doc := fmt.Sprintf("%s calls for different keys must run\n// together, and a call must honour its context's deadline.", fn)
	return goTest(p, fn, doc, body, dedupe(append(imports, "context", "errors", "sync", "testing"))...)
}

// paramType is a parameter's type as written (imported types are opaque
// to the type check).
func paramType(fd *ast.FuncDecl, name string) string {
	for _, f := range fd.Type.Params.List {
		for _, n := range f.Names {
			if n.Name == name {
				return types.ExprString(f.Type)
			}
		}
	}
	return ""
}

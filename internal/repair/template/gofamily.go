package template

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"path"
	"strconv"
	"strings"

	"github.com/tagdebug/tag/epg"
)

// Helpers shared by the concurrency templates (goctx.go, gosend.go,
// gowaitgroup.go, goclose.go, goloopvar.go, gounlock.go).

// firstGoFix tries fn on each function of the sites once, in rank order,
// and returns the first fix: the best-ranked evidence decides.
func firstGoFix(sites []goSite, fn func(goSite) *fix) []*fix {
	done := map[*ast.FuncDecl]bool{}
	for _, g := range sites {
		if done[g.fd] {
			continue
		}
		done[g.fd] = true
		if f := fn(g); f != nil {
			return []*fix{f}
		}
	}
	return nil
}

// goSiteOf maps one site onto its Go function, as goSites does for the
// report's sites.
func (pr *problem) goSiteOf(s site) (goSite, bool) {
	if s.File == "" || langOf(s.File) != "go" {
		return goSite{}, false
	}
	s.Lang = "go"
	p := pr.goPackage(s.File)
	if p.info == nil {
		return goSite{}, false
	}
	fd := p.funcAt(s.File, s.Line)
	if fd == nil {
		fd = p.funcNamed(s.File, s.Function)
	}
	return goSite{site: s, p: p, fd: fd}, fd != nil
}

// threadFrames returns a thread's own stack from the graph, innermost
// first (frames are named by index, so no edge walk is needed).
func threadFrames(g *epg.Graph, thread string) []*epg.Node {
	var out []*epg.Node
	for i := 0; ; i++ {
		j, ok := g.Lookup(thread + "/frame/" + strconv.Itoa(i))
		if !ok {
			return out
		}
		out = append(out, g.Node(j))
	}
}

// waitReason is what the thread of a frame node was waiting on when the
// dump was taken ("chan send", "sync.Mutex.Lock"), "" when unknown.
func (pr *problem) waitReason(frame string) string {
	g := pr.req.Graph
	if g == nil {
		return ""
	}
	i, ok := g.Lookup(frame)
	if !ok {
		return ""
	}
	if g.Node(i).Kind == epg.KindThread {
		return g.Node(i).Attrs.Str(epg.AttrThreadWaitFor)
	}
	for _, t := range g.Children(i, epg.EdgeOn) {
		if n := g.Node(t); n.Kind == epg.KindThread {
			return n.Attrs.Str(epg.AttrThreadWaitFor)
		}
	}
	return ""
}

// stmtsOnLine are the statements of fd (closures included) that start on
// line, outermost first.
func (p *goPkg) stmtsOnLine(fd *ast.FuncDecl, line int) []ast.Stmt {
	var out []ast.Stmt
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		if s, ok := n.(ast.Stmt); ok && p.line(s.Pos()) == line {
			if _, block := s.(*ast.BlockStmt); !block {
				out = append(out, s)
			}
		}
		return true
	})
	return out
}

// pathTo returns the chain of nodes from root down to target (both
// included), or nil when target is not under root.
func pathTo(root, target ast.Node) []ast.Node {
	var stack, out []ast.Node
	ast.Inspect(root, func(n ast.Node) bool {
		if out != nil {
			return false
		}
		if n == nil {
			stack = stack[:len(stack)-1]
			return false
		}
		stack = append(stack, n)
		if n == target {
			out = append([]ast.Node(nil), stack...)
			return false
		}
		return true
	})
	return out
}

// inLoop reports whether any node of a path between from (exclusive) and
// the path's end is a loop: code there may run more than once per run of
// from.
func inLoop(path []ast.Node, from ast.Node) bool {
	after := from == nil
	for _, n := range path {
		if after {
			switch n.(type) {
			case *ast.ForStmt, *ast.RangeStmt:
				return true
			}
		}
		if n == from {
			after = true
		}
	}
	return false
}

// declType is the type expression, as written, that declares obj (a
// variable or field); "" when obj is declared without one (x := ...).
// Imported types are opaque to the type check, so templates that need
// sync.WaitGroup or context.Context read the declaration instead.
func (p *goPkg) declType(obj types.Object) string {
	if obj == nil || !obj.Pos().IsValid() {
		return ""
	}
	f := p.files[p.fset.Position(obj.Pos()).Filename]
	if f == nil {
		return ""
	}
	out := ""
	ast.Inspect(f, func(n ast.Node) bool {
		var names []*ast.Ident
		var typ ast.Expr
		switch n := n.(type) {
		case *ast.ValueSpec:
			names, typ = n.Names, n.Type
		case *ast.Field:
			names, typ = n.Names, n.Type
		default:
			return out == ""
		}
		for _, id := range names {
			if id.Pos() == obj.Pos() && typ != nil {
				out = types.ExprString(typ)
			}
		}
		return out == ""
	})
	return out
}

// objOf is the object an identifier or a field selector refers to.
func (p *goPkg) objOf(x ast.Expr) types.Object {
	switch x := x.(type) {
	case *ast.Ident:
		if o := p.info.Uses[x]; o != nil {
			return o
		}
		return p.info.Defs[x]
	case *ast.SelectorExpr:
		if s := p.info.Selections[x]; s != nil {
			return s.Obj()
		}
	case *ast.StarExpr:
		return p.objOf(x.X)
	case *ast.ParenExpr:
		return p.objOf(x.X)
	}
	return nil
}

// ctxParam is the name of fd's context.Context parameter, "" when none.
func ctxParam(fd *ast.FuncDecl) string {
	for _, f := range fd.Type.Params.List {
		if types.ExprString(f.Type) == "context.Context" && len(f.Names) > 0 && f.Names[0].Name != "_" {
			return f.Names[0].Name
		}
	}
	return ""
}

// importName is the name a file uses for an import path ("" when the
// file does not import it).
func (p *goPkg) importName(rel, imp string) string {
	f := p.files[rel]
	if f == nil {
		return ""
	}
	for _, s := range f.Imports {
		if strings.Trim(s.Path.Value, `"`) != imp {
			continue
		}
		if s.Name != nil {
			return s.Name.Name
		}
		return path.Base(imp)
	}
	return ""
}

// isCallTo reports whether x is a call of pkg.name through the file's
// import of pkg's path.
func (p *goPkg) isCallTo(rel string, x ast.Expr, imp string, names ...string) bool {
	c, ok := x.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok || id.Name != p.importName(rel, imp) {
		return false
	}
	for _, n := range names {
		if sel.Sel.Name == n {
			return true
		}
	}
	return false
}

// editors edits several files of one package and joins them into one
// fix.
type editors struct {
	p  *goPkg
	by map[string]*editor
}

func (p *goPkg) editors() *editors { return &editors{p: p, by: map[string]*editor{}} }

// of returns the editor of the file holding pos.
func (es *editors) of(pos token.Pos) *editor {
	rel := es.p.fset.Position(pos).Filename
	if e, ok := es.by[rel]; ok {
		return e
	}
	e := es.p.editor(rel)
	es.by[rel] = e
	return e
}

// fix joins the edited files; nil when one does not format or nothing
// changed.
func (es *editors) fix(name string, s site, why string, slice ...funcSpan) *fix {
	f := &fix{template: name, site: s, why: why, files: map[string][2]string{}, slice: slice}
	for rel, e := range es.by {
		out, ok := e.result()
		if !ok {
			return nil
		}
		if out != e.p.src[rel] {
			f.files[rel] = [2]string{e.p.src[rel], out}
		}
	}
	if len(f.files) == 0 {
		return nil
	}
	return f
}

// constructorOf finds, in the package's tests, a call that builds a
// *T or T — NewT(...) or any package function returning one — and the
// imports its text needs: the repository's own tests already trust those
// arguments.
func (pr *problem) constructorOf(p *goPkg, t *types.Named) (string, []string) {
	if call, imports := pr.constructorCall(p, t.Obj().Name()); call != "" {
		return call, imports
	}
	makers := map[string]bool{}
	scope := p.pkg.Scope()
	for _, name := range scope.Names() {
		fn, ok := scope.Lookup(name).(*types.Func)
		if !ok {
			continue
		}
		res := fn.Type().(*types.Signature).Results()
		if res.Len() == 0 {
			continue
		}
		r := res.At(0).Type()
		if pt, ok := r.(*types.Pointer); ok {
			r = pt.Elem()
		}
		if types.Identical(r, t) {
			makers[name] = true
		}
	}
	for _, f := range pr.repo.dirFiles(p.dir, "_test.go") {
		src, err := pr.repo.read(f)
		if err != nil {
			continue
		}
		fset := token.NewFileSet()
		af, err := parser.ParseFile(fset, f, src, parser.SkipObjectResolution)
		if err != nil || af.Name.Name != p.pkg.Name() {
			continue // an external test package names the constructor differently
		}
		var call string
		ast.Inspect(af, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok || call != "" {
				return call == ""
			}
			if id, ok := c.Fun.(*ast.Ident); ok && makers[id.Name] {
				call = src[fset.Position(c.Pos()).Offset:fset.Position(c.End()).Offset]
			}
			return true
		})
		if call == "" {
			continue
		}
		var imports []string
		for _, im := range af.Imports {
			ip := strings.Trim(im.Path.Value, `"`)
			if strings.Contains(call, path.Base(ip)+".") {
				imports = append(imports, ip)
			}
		}
		return call, imports
	}
	return "", nil
}

// recvNamed is a method's receiver type (through a pointer), nil for
// functions.
func (p *goPkg) recvNamed(fd *ast.FuncDecl) *types.Named {
	fobj, _ := p.info.Defs[fd.Name].(*types.Func)
	if fobj == nil {
		return nil
	}
	r := fobj.Type().(*types.Signature).Recv()
	if r == nil {
		return nil
	}
	t := r.Type()
	if pt, ok := t.(*types.Pointer); ok {
		t = pt.Elem()
	}
	n, _ := t.(*types.Named)
	return n
}

package template

import (
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"go/types"
	"path"
	"slices"
	"sort"
	"strings"
)

// goPkg is one directory's non-test Go files, parsed and type-checked
// with opaque imports: the package's own types are exact, imported ones
// are missing (their uses type-check as invalid and are ignored).
type goPkg struct {
	dir   string
	fset  *token.FileSet
	files map[string]*ast.File // rel → syntax
	src   map[string]string
	pkg   *types.Package
	info  *types.Info
}

// goPackage loads the package holding rel, once per problem.
func (pr *problem) goPackage(rel string) *goPkg {
	dir := path.Dir(rel)
	if p, ok := pr.gofs[dir]; ok {
		return p
	}
	p := &goPkg{dir: dir, fset: token.NewFileSet(), files: map[string]*ast.File{}, src: map[string]string{}}
	pr.gofs[dir] = p
	var list []*ast.File
	for _, f := range pr.repo.dirFiles(dir, ".go") {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := pr.repo.read(f)
		if err != nil {
			continue
		}
		af, err := parser.ParseFile(p.fset, f, src, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		p.files[f], p.src[f] = af, src
		list = append(list, af)
	}
	if _, ok := p.files[rel]; !ok {
		return p
	}
	p.info = &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{},
		Uses: map[*ast.Ident]types.Object{}, Selections: map[*ast.SelectorExpr]*types.Selection{}, Scopes: map[ast.Node]*types.Scope{}}
	conf := types.Config{Importer: opaqueImporter{}, Error: func(error) {}, FakeImportC: true}
	p.pkg, _ = conf.Check(dir, p.fset, list, p.info)
	return p
}

// opaqueImporter gives every import an empty package: fast, offline and
// enough for the package's own types.
type opaqueImporter struct{}

func (opaqueImporter) Import(p string) (*types.Package, error) {
	pk := types.NewPackage(p, path.Base(p))
	pk.MarkComplete()
	return pk, nil
}

// funcAt returns the declaration enclosing a line of a file.
func (p *goPkg) funcAt(rel string, line int) *ast.FuncDecl {
	f := p.files[rel]
	if f == nil {
		return nil
	}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if ok && fd.Body != nil && p.line(fd.Pos()) <= line && line <= p.line(fd.End()) {
			return fd
		}
	}
	return nil
}

// funcNamed finds a declaration by its runtime name ("pkg.(*T).M",
// "pkg.F", "pkg.F.func1").
func (p *goPkg) funcNamed(rel, name string) *ast.FuncDecl {
	recv, fn := splitGoFunc(name)
	if f := p.files[rel]; f != nil {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if ok && fd.Body != nil && fd.Name.Name == fn && recvName(fd) == recv {
				return fd
			}
		}
	}
	return nil
}

// splitGoFunc splits a runtime function name into receiver type and name.
func splitGoFunc(name string) (recv, fn string) {
	name = name[strings.LastIndex(name, "/")+1:]
	parts := strings.Split(name, ".")
	if len(parts) > 0 {
		parts = parts[1:] // the package
	}
	for len(parts) > 1 && (strings.HasPrefix(parts[len(parts)-1], "func") || parts[len(parts)-1] == "gowrap1") {
		parts = parts[:len(parts)-1]
	}
	switch len(parts) {
	case 0:
		return "", ""
	case 1:
		return "", parts[0]
	}
	return strings.Trim(parts[0], "(*)"), parts[1]
}

func recvName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return ""
	}
	t := fd.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if ix, ok := t.(*ast.IndexExpr); ok {
		t = ix.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

func (p *goPkg) line(pos token.Pos) int { return p.fset.Position(pos).Line }
func (p *goPkg) off(pos token.Pos) int  { return p.fset.Position(pos).Offset }

// text is a node's source.
func (p *goPkg) text(rel string, n ast.Node) string {
	return p.src[rel][p.off(n.Pos()):p.off(n.End())]
}

// span is a declaration's line range.
func (p *goPkg) span(rel string, fd *ast.FuncDecl) funcSpan {
	start := fd.Pos()
	if fd.Doc != nil {
		start = fd.Doc.Pos()
	}
	return funcSpan{File: rel, Start: p.line(start), End: p.line(fd.End())}
}

// qualifier prints types of other packages by package name.
func (p *goPkg) qualifier(o *types.Package) string {
	if o == p.pkg {
		return ""
	}
	return o.Name()
}

// freeName returns base, or base with a number, unused at pos.
func (p *goPkg) freeName(pos token.Pos, base string) string {
	scope := p.pkg.Scope().Innermost(pos)
	for i := 0; ; i++ {
		n := base
		if i > 0 {
			n = base + string(rune('0'+i))
		}
		if token.IsKeyword(n) || types.Universe.Lookup(n) != nil {
			continue
		}
		if scope == nil {
			return n
		}
		if _, obj := scope.LookupParent(n, pos); obj == nil {
			return n
		}
	}
}

// edit is a replacement of src[start:end].
type edit struct {
	start, end int
	text       string
}

// editor collects edits to one Go file and gofmt's the result.
type editor struct {
	p     *goPkg
	rel   string
	edits []edit
}

func (p *goPkg) editor(rel string) *editor { return &editor{p: p, rel: rel} }

func (e *editor) replace(n ast.Node, text string) {
	e.edits = append(e.edits, edit{e.p.off(n.Pos()), e.p.off(n.End()), text})
}

// insertBefore puts lines before the line that n starts on.
func (e *editor) insertBefore(n ast.Node, text string) {
	o := e.lineStart(n.Pos())
	e.edits = append(e.edits, edit{o, o, text + "\n"})
}

// insertAfter puts lines after the line that n ends on.
func (e *editor) insertAfter(n ast.Node, text string) {
	src := e.p.src[e.rel]
	o := e.p.off(n.End())
	for o < len(src) && src[o] != '\n' {
		o++
	}
	o = min(o+1, len(src))
	e.edits = append(e.edits, edit{o, o, text + "\n"})
}

// deleteLines removes the whole lines of n.
func (e *editor) deleteLines(n ast.Node) {
	src := e.p.src[e.rel]
	o := e.p.off(n.End())
	for o < len(src) && src[o] != '\n' {
		o++
	}
	e.edits = append(e.edits, edit{e.lineStart(n.Pos()), min(o+1, len(src)), ""})
}

func (e *editor) lineStart(pos token.Pos) int {
	src := e.p.src[e.rel]
	o := e.p.off(pos)
	for o > 0 && src[o-1] != '\n' {
		o--
	}
	return o
}

// addImport adds an import path to the file when it lacks it.
func (e *editor) addImport(imp string) {
	f := e.p.files[e.rel]
	for _, s := range f.Imports {
		if strings.Trim(s.Path.Value, `"`) == imp {
			return
		}
	}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			continue
		}
		if gd.Lparen.IsValid() {
			o := e.p.off(gd.Lparen) + 1
			e.edits = append(e.edits, edit{o, o, "\n\t\"" + imp + "\""})
		} else {
			// A second import joins the block the first one opened: two
			// edits of one range would not apply.
			start, end := e.p.off(gd.Pos()), e.p.off(gd.End())
			for i, ed := range e.edits {
				if ed.start == start && ed.end == end {
					e.edits[i].text = strings.TrimSuffix(ed.text, ")") + "\t\"" + imp + "\"\n)"
					return
				}
			}
			e.edits = append(e.edits, edit{start, end, "import (\n\t" + e.p.text(e.rel, gd.Specs[0]) + "\n\t\"" + imp + "\"\n)"})
		}
		return
	}
	o := e.p.off(f.Name.End())
	e.edits = append(e.edits, edit{o, o, "\n\nimport \"" + imp + "\""})
}

// result applies the edits and gofmt's the file (format.Source sorts the
// imports too); ok is false when the edit does not parse.
func (e *editor) result() (string, bool) {
	src := e.p.src[e.rel]
	es := slices.Clone(e.edits)
	sort.SliceStable(es, func(i, j int) bool { return es[i].start > es[j].start })
	for _, ed := range es {
		src = src[:ed.start] + ed.text + src[ed.end:]
	}
	out, err := format.Source([]byte(src))
	if err != nil {
		return "", false
	}
	return string(out), true
}

// fix turns the edits into a fix of one file.
func (e *editor) fix(name string, s site, why string, slice ...funcSpan) *fix {
	out, ok := e.result()
	if !ok || out == e.p.src[e.rel] {
		return nil
	}
	return &fix{template: name, site: s, why: why, files: map[string][2]string{e.rel: {e.p.src[e.rel], out}}, slice: slice}
}

// exprKey is an expression's canonical text, for matching uses.
func exprKey(x ast.Expr) string { return types.ExprString(x) }

// enclosingStmt returns the innermost statement of a block list whose
// lines contain line, with that block (nil for case clauses).
func (p *goPkg) enclosingStmt(body *ast.BlockStmt, line int) (ast.Stmt, *ast.BlockStmt) {
	var best ast.Stmt
	var bestBlock *ast.BlockStmt
	in := func(n ast.Node) bool { return p.line(n.Pos()) <= line && line <= p.line(n.End()) }
	ast.Inspect(body, func(n ast.Node) bool {
		if n == nil || !in(n) {
			return false
		}
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		var list []ast.Stmt
		switch b := n.(type) {
		case *ast.BlockStmt:
			list = b.List
		case *ast.CaseClause:
			list = b.Body
		case *ast.CommClause:
			list = b.Body
		}
		for _, s := range list {
			if in(s) {
				best = s
				bestBlock, _ = n.(*ast.BlockStmt)
				break
			}
		}
		return true
	})
	return best, bestBlock
}

// lowerFirst lower-cases an identifier's first letter.
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	if len(r) > 1 && strings.ToUpper(s) == s {
		return strings.ToLower(s)
	}
	r[0] = []rune(strings.ToLower(string(r[0])))[0]
	return string(r)
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// callName is "pkg.Func" or "x.Method" for a call's function expression.
func callName(c *ast.CallExpr) string {
	if s, ok := c.Fun.(*ast.SelectorExpr); ok {
		return exprKey(s.X) + "." + s.Sel.Name
	}
	return exprKey(c.Fun)
}

// methodCall reports a statement `X.name()` and returns X.
func methodCall(s ast.Stmt, names ...string) (ast.Expr, string, bool) {
	var call *ast.CallExpr
	switch s := s.(type) {
	case *ast.ExprStmt:
		call, _ = s.X.(*ast.CallExpr)
	case *ast.DeferStmt:
		call = s.Call
	}
	if call == nil || len(call.Args) != 0 {
		return nil, "", false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || !slices.Contains(names, sel.Sel.Name) {
		return nil, "", false
	}
	return sel.X, sel.Sel.Name, true
}

// goSites are the problem's Go sites, each with its package and function.
func (pr *problem) goSites() []goSite {
	var out []goSite
	for _, s := range pr.sites {
		if s.Lang != "go" {
			continue
		}
		p := pr.goPackage(s.File)
		if p.info == nil {
			continue
		}
		fd := p.funcAt(s.File, s.Line)
		if fd == nil {
			fd = p.funcNamed(s.File, s.Function)
		}
		if fd != nil {
			out = append(out, goSite{site: s, p: p, fd: fd})
		}
	}
	return out
}

// goSite is a site inside a Go function declaration.
type goSite struct {
	site
	p  *goPkg
	fd *ast.FuncDecl
}

func (g goSite) span() funcSpan { return g.p.span(g.File, g.fd) }

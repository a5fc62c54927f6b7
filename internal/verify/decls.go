package verify

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path"
	"regexp"
	"strings"
)

// decl is one top-level declaration's line range (1-based, inclusive).
type decl struct {
	name       string // "F", "T.M" (Go); "Cls.meth" (Python, Java); a type or var name
	start, end int
	imports    bool // an import declaration: changes to it are exempt
}

// declsOf finds the declarations of a source file by language; ok is false
// when the file cannot be read as that language (or is no code at all).
func declsOf(name string, src []byte) (ds []decl, ok bool) {
	switch path.Ext(name) {
	case ".go":
		return goDecls(src)
	case ".py":
		return pyDecls(src), true
	case ".java":
		return javaDecls(src), true
	}
	return nil, false
}

// goDecls reads declarations with go/parser; a function's range starts at
// its doc comment.
func goDecls(src []byte) ([]decl, bool) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, false
	}
	ds := []decl{{name: "package", start: 1, end: fset.Position(f.Name.End()).Line, imports: true}}
	for _, d := range f.Decls {
		x := decl{start: fset.Position(d.Pos()).Line, end: fset.Position(d.End()).Line}
		switch d := d.(type) {
		case *ast.FuncDecl:
			x.name = d.Name.Name
			if r := recvName(d); r != "" {
				x.name = r + "." + x.name
			}
			if d.Doc != nil {
				x.start = fset.Position(d.Doc.Pos()).Line
			}
		case *ast.GenDecl:
			x.imports = d.Tok == token.IMPORT
			x.name = genDeclName(d)
			if d.Doc != nil {
				x.start = fset.Position(d.Doc.Pos()).Line
			}
		}
		ds = append(ds, x)
	}
	return ds, true
}

func recvName(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return ""
	}
	t := d.Recv.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
		case *ast.IndexExpr:
			t = x.X
		case *ast.IndexListExpr:
			t = x.X
		case *ast.ParenExpr:
			t = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

func genDeclName(d *ast.GenDecl) string {
	var names []string
	for _, s := range d.Specs {
		switch s := s.(type) {
		case *ast.TypeSpec:
			names = append(names, s.Name.Name)
		case *ast.ValueSpec:
			for _, n := range s.Names {
				names = append(names, n.Name)
			}
		}
	}
	return d.Tok.String() + " " + strings.Join(names, ",")
}

var (
	pyDef   = regexp.MustCompile(`^(\s*)(?:async\s+)?(def|class)\s+(\w+)`)
	pyInert = regexp.MustCompile(`^\s*(#.*)?$`)
)

// pyDecls scans Python for def and class blocks by indentation: a block
// ends before the next code line indented no deeper than its header.
// Decorators directly above a header belong to it.
func pyDecls(src []byte) []decl {
	lines := strings.Split(string(src), "\n")
	type open struct {
		decl
		indent int
		class  bool
	}
	var stack []open
	var ds []decl
	closeTo := func(indent, last int) {
		for len(stack) > 0 && stack[len(stack)-1].indent >= indent {
			o := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			o.end = last
			if !o.class {
				ds = append(ds, o.decl)
			}
		}
	}
	lastCode := 0
	for i, l := range lines {
		n := i + 1
		if pyInert.MatchString(l) {
			continue
		}
		indent := len(l) - len(strings.TrimLeft(l, " \t"))
		if strings.HasPrefix(strings.TrimSpace(l), "@") {
			lastCode = n
			continue
		}
		closeTo(indent, lastCode)
		t := strings.TrimSpace(l)
		switch m := pyDef.FindStringSubmatch(l); {
		case m != nil && (len(stack) == 0 || stack[len(stack)-1].class):
			name := m[3]
			if len(stack) > 0 {
				name = stack[len(stack)-1].name + "." + name
			}
			start := n
			for start > 1 && strings.HasPrefix(strings.TrimSpace(lines[start-2]), "@") {
				start--
			}
			stack = append(stack, open{decl: decl{name: name, start: start}, indent: indent, class: m[2] == "class"})
		case m == nil && indent == 0 && (strings.HasPrefix(t, "import ") || strings.HasPrefix(t, "from ")):
			ds = append(ds, decl{name: "import", start: n, end: n, imports: true})
		}
		lastCode = n
	}
	closeTo(0, lastCode)
	return ds
}

var (
	javaClass  = regexp.MustCompile(`\b(?:class|interface|enum|record)\s+(\w+)`)
	javaMethod = regexp.MustCompile(`^\s*(?:(?:public|private|protected|static|final|synchronized|abstract|native|default)\s+)*(?:<[^>]*>\s*)?[\w<>\[\],.?]+(?:\s*<[^>]*>)?\s+(\w+)\s*\(`)
	javaCtor   = regexp.MustCompile(`^\s*(?:(?:public|private|protected)\s+)?(\w+)\s*\(`)
	javaNotDef = regexp.MustCompile(`^\s*(?:return|new|if|else|for|while|switch|catch|throw|do|try|synchronized)\b`)
)

// javaBlock is a class or method whose closing brace is still ahead.
type javaBlock struct {
	decl
	depth int
	class bool
}

// javaDecls scans Java for methods and constructors by brace depth: a
// method runs from its header to the brace that closes its body, and is
// named Class.method after the innermost enclosing class. It does not
// read braces inside string literals or comments.
func javaDecls(src []byte) []decl {
	var stack []javaBlock
	var ds []decl
	var pending *javaBlock
	depth := 0
	for i, l := range strings.Split(string(src), "\n") {
		n := i + 1
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "import ") || strings.HasPrefix(t, "package ") {
			ds = append(ds, decl{name: "import", start: n, end: n, imports: true})
			continue
		}
		if pending == nil && !strings.HasPrefix(t, "//") && !strings.HasPrefix(t, "*") {
			pending = javaHeader(l, n, stack)
		}
		for _, c := range l {
			switch c {
			case '{':
				if pending != nil {
					pending.depth = depth
					stack = append(stack, *pending)
					pending = nil
				}
				depth++
			case '}':
				depth--
				if k := len(stack) - 1; k >= 0 && stack[k].depth == depth {
					b := stack[k]
					stack = stack[:k]
					b.end = n
					if !b.class {
						ds = append(ds, b.decl)
					}
				}
			case ';':
				if pending != nil && !pending.class {
					pending = nil // abstract or interface method: no body
				}
			}
		}
	}
	return ds
}

// javaHeader recognises a class, method or constructor header on line l.
func javaHeader(l string, n int, stack []javaBlock) *javaBlock {
	if m := javaClass.FindStringSubmatch(l); m != nil {
		return &javaBlock{decl: decl{name: m[1], start: n}, class: true}
	}
	owner := ""
	for k := len(stack) - 1; k >= 0; k-- {
		if stack[k].class {
			owner = stack[k].name
			break
		}
	}
	if owner == "" || stack[len(stack)-1].name != owner {
		return nil // inside a method body: statements, not declarations
	}
	if javaNotDef.MatchString(l) {
		return nil
	}
	if m := javaMethod.FindStringSubmatch(l); m != nil {
		return &javaBlock{decl: decl{name: owner + "." + m[1], start: n}}
	}
	if m := javaCtor.FindStringSubmatch(l); m != nil && m[1] == owner {
		return &javaBlock{decl: decl{name: owner + "." + m[1], start: n}}
	}
	return nil
}

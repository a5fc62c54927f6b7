package governance

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Exported identifiers have doc comments (STYLE.md). Generated files and
// tests are exempt; so are methods of unexported types and struct fields.
func TestExportedIdentifiersHaveDocComments(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	files, err := sourceFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, path)
		found, err := undocumented(rel, src)
		if err != nil {
			t.Logf("%s does not parse, not checked: %v", rel, err)
			continue
		}
		missing = append(missing, found...)
	}
	t.Logf("checked %d non-test Go files", len(files))
	if len(missing) > 0 {
		t.Errorf("%d exported identifier(s) without a doc comment:\n\t%s", len(missing), strings.Join(missing, "\n\t"))
	}
}

// sourceFiles lists the non-test Go files of the module rooted at root,
// leaving out testdata, hidden and underscore directories and nested
// modules, as the go command does.
func sourceFiles(root string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path == root {
				return nil
			}
			if name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") && !strings.HasPrefix(name, ".") && !strings.HasPrefix(name, "_") {
			files = append(files, path)
		}
		return nil
	})
	slices.Sort(files)
	return files, err
}

// undocumented parses one file and returns "file:line: what Name" for each
// exported top-level identifier without a doc comment. Generated files
// return nothing.
func undocumented(name string, src []byte) ([]string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	if ast.IsGenerated(f) {
		return nil, nil
	}
	var out []string
	report := func(pos token.Pos, what, id string) {
		out = append(out, fmt.Sprintf("%s: %s %s", fset.Position(pos), what, id))
	}
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() || hasDoc(d.Doc) {
				continue
			}
			if d.Recv == nil {
				report(d.Pos(), "func", d.Name.Name)
			} else if recv := receiverType(d.Recv); ast.IsExported(recv) {
				report(d.Pos(), "method", recv+"."+d.Name.Name)
			}
		case *ast.GenDecl:
			grouped := d.Lparen.IsValid()
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					if s.Name.IsExported() && !hasDoc(s.Doc) && !hasDoc(d.Doc) {
						report(s.Pos(), "type", s.Name.Name)
					}
				case *ast.ValueSpec:
					// In a group, the group's comment or a trailing line
					// comment documents a constant or variable.
					if hasDoc(s.Doc) || hasDoc(d.Doc) || grouped && hasDoc(s.Comment) {
						continue
					}
					for _, n := range s.Names {
						if n.IsExported() {
							report(n.Pos(), d.Tok.String(), n.Name)
						}
					}
				}
			}
		}
	}
	return out, nil
}

func hasDoc(cg *ast.CommentGroup) bool { return cg != nil && strings.TrimSpace(cg.Text()) != "" }

// receiverType returns the name of a method's receiver type, without
// pointer or type parameters.
func receiverType(recv *ast.FieldList) string {
	if len(recv.List) == 0 {
		return ""
	}
	x := recv.List[0].Type
	for {
		switch t := x.(type) {
		case *ast.StarExpr:
			x = t.X
		case *ast.ParenExpr:
			x = t.X
		case *ast.IndexExpr:
			x = t.X
		case *ast.IndexListExpr:
			x = t.X
		case *ast.Ident:
			return t.Name
		default:
			return ""
		}
	}
}

func TestUndocumentedDetector(t *testing.T) {
	src := `// Package p is a fixture.
package p

// Documented is fine.
func Documented() {}

func Bare() {}

func unexported() {}

type T struct{}

// U is documented.
type U struct{}

func (U) Method() {}

// Doc'd is fine.
func (*U) Doc() {}

func (t *hidden) Exported() {}

func (g G[K]) Generic() {}

// Group doc covers its members.
const (
	A = 1
	B = 2
)

const (
	C = 1 // trailing comment counts in a group
	D = 2
	e = 3
)

var V, w = 1, 2

// X is documented.
var X = 1

type (
	// Y is documented.
	Y int
	Z int
)

//
func EmptyDoc() {}
`
	got, err := undocumented("p.go", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"p.go:7:1: func Bare",
		"p.go:11:6: type T",
		"p.go:16:1: method U.Method",
		"p.go:23:1: method G.Generic",
		"p.go:33:2: const D",
		"p.go:37:5: var V",
		"p.go:45:2: type Z",
		"p.go:49:1: func EmptyDoc",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
	gen := "// Header.\n\n// Code generated by protoc-gen-go. DO NOT EDIT.\n\npackage p\n\nfunc Bare() {}\n"
	if got, _ := undocumented("gen.go", []byte(gen)); len(got) != 0 {
		t.Errorf("generated file reported: %v", got)
	}
}

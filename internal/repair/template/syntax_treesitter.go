//go:build treesitter && cgo

package template

import (
	"strings"
	"sync"

	sitter "github.com/tree-sitter/go-tree-sitter"
	sitterjava "github.com/tree-sitter/tree-sitter-java/bindings/go"
	sitterpython "github.com/tree-sitter/tree-sitter-python/bindings/go"
)

func init() {
	syntax = &treeSyntax{
		python: sitter.NewLanguage(sitterpython.Language()),
		java:   sitter.NewLanguage(sitterjava.Language()),
	}
	syntaxName = "tree-sitter"
}

// treeSyntax reads tree-sitter syntax trees. Parsers are not safe for
// concurrent use, so each query parses under the mutex, and the answers
// are plain values: no node outlives its tree.
type treeSyntax struct {
	mu           sync.Mutex
	python, java *sitter.Language
}

// parse runs fn on the root of src's tree in lang.
func (t *treeSyntax) parse(lang *sitter.Language, src string, fn func(root *sitter.Node, text []byte)) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := sitter.NewParser()
	defer p.Close()
	if err := p.SetLanguage(lang); err != nil {
		return false
	}
	text := []byte(src)
	tree := p.Parse(text, nil)
	if tree == nil {
		return false
	}
	defer tree.Close()
	fn(tree.RootNode(), text)
	return true
}

// tsWalk visits n and its named descendants in source order; visit
// returning false skips a node's children.
func tsWalk(n *sitter.Node, visit func(*sitter.Node) bool) {
	if !visit(n) {
		return
	}
	for i := uint(0); i < n.NamedChildCount(); i++ {
		tsWalk(n.NamedChild(i), visit)
	}
}

// nodeLines is a node's first and last line, 1-based; a node that ends at
// the start of a line ends on the line before.
func nodeLines(n *sitter.Node) (int, int) {
	s, e := n.StartPosition(), n.EndPosition()
	last := int(e.Row) + 1
	if e.Column == 0 && e.Row > s.Row {
		last--
	}
	return int(s.Row) + 1, last
}

func (t *treeSyntax) pyDefAt(src string, line int) (*pyFunc, bool) {
	var f *pyFunc
	t.parse(t.python, src, func(root *sitter.Node, text []byte) {
		tsWalk(root, func(n *sitter.Node) bool {
			first, last := nodeLines(n)
			if line < first || line > last {
				return false
			}
			if n.Kind() == "function_definition" {
				f = pyFuncOf(n, text)
			}
			return true
		})
	})
	return f, f != nil
}

// pyFuncOf reads a function_definition node.
func pyFuncOf(n *sitter.Node, text []byte) *pyFunc {
	first, last := nodeLines(n)
	f := &pyFunc{def: first, end: last, indent: int(n.StartPosition().Column)}
	if name := n.ChildByFieldName("name"); name != nil {
		f.name = name.Utf8Text(text)
	}
	ps := n.ChildByFieldName("parameters")
	if ps == nil {
		return f
	}
	for i := uint(0); i < ps.NamedChildCount(); i++ {
		p := ps.NamedChild(i)
		switch p.Kind() {
		case "default_parameter", "typed_default_parameter":
			if name := p.ChildByFieldName("name"); name != nil {
				p = name
			}
		case "typed_parameter":
			if p.NamedChildCount() > 0 {
				p = p.NamedChild(0)
			}
		case "comment", "line_continuation":
			continue
		}
		f.params = append(f.params, strings.TrimSpace(p.Utf8Text(text)))
	}
	return f
}

// pyCompound are the statements that hold others; a line inside one is
// answered by the simple statement inside it.
var pyCompound = map[string]bool{
	"module": true, "block": true, "if_statement": true, "elif_clause": true, "else_clause": true,
	"for_statement": true, "while_statement": true, "try_statement": true, "except_clause": true,
	"except_group_clause": true, "finally_clause": true, "with_statement": true, "match_statement": true,
	"case_clause": true, "function_definition": true, "class_definition": true, "decorated_definition": true,
}

func (t *treeSyntax) pyStatementAt(src string, line int) (int, int, bool) {
	first, last, ok := 0, 0, false
	t.parse(t.python, src, func(root *sitter.Node, _ []byte) {
		tsWalk(root, func(n *sitter.Node) bool {
			a, b := nodeLines(n)
			if line < a || line > b {
				return false
			}
			if pyCompound[n.Kind()] {
				return true
			}
			if strings.HasSuffix(n.Kind(), "_statement") {
				first, last, ok = a, b, true
			}
			return false
		})
	})
	return first, last, ok
}

func (t *treeSyntax) javaMethods(src string) []javaMethod {
	var out []javaMethod
	masked := javaMask(src)
	t.parse(t.java, src, func(root *sitter.Node, text []byte) {
		tsWalk(root, func(n *sitter.Node) bool {
			if k := n.Kind(); k != "method_declaration" && k != "constructor_declaration" {
				return true
			}
			name, ps, body := n.ChildByFieldName("name"), n.ChildByFieldName("parameters"), n.ChildByFieldName("body")
			if name == nil || ps == nil || body == nil {
				return true
			}
			// The header starts at its first keyword or type, after any
			// annotations (the scanner's reading starts there too).
			head := int(n.StartByte())
			for i := uint(0); i < n.NamedChildCount(); i++ {
				c := n.NamedChild(i)
				if c.IsExtra() {
					continue // a comment between the annotations and the header
				}
				if c.Kind() != "modifiers" {
					head = int(c.StartByte())
					break
				}
				if k := firstNonAnnotation(c); k >= 0 {
					head = k
					break
				}
			}
			head = strings.LastIndex(src[:head], "\n") + 1
			out = append(out, javaMethod{
				name:   name.Utf8Text(text),
				start:  head,
				open:   int(body.StartByte()),
				end:    int(body.EndByte()) - 1,
				params: masked[ps.StartByte()+1 : ps.EndByte()-1],
			})
			return true
		})
	})
	return out
}

// firstNonAnnotation is the offset of the first modifier that is not an
// annotation, or -1.
func firstNonAnnotation(mods *sitter.Node) int {
	for i := uint(0); i < mods.ChildCount(); i++ {
		c := mods.Child(i)
		if k := c.Kind(); k != "annotation" && k != "marker_annotation" && !c.IsExtra() {
			return int(c.StartByte())
		}
	}
	return -1
}

var _ syntaxReader = (*treeSyntax)(nil)

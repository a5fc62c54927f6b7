//go:build treesitter && cgo

package template

import (
	sitter "github.com/tree-sitter/go-tree-sitter"
)

// same reports whether two handles are the same node of one tree.
func same(a, b *sitter.Node) bool { return a != nil && b != nil && a.Id() == b.Id() }

// textOf is n's source text, "" when n is nil (a tree with errors can
// miss any field).
func textOf(n *sitter.Node, text []byte) string {
	if n == nil {
		return ""
	}
	return n.Utf8Text(text)
}

// kindOf is n's kind, "" when n is nil.
func kindOf(n *sitter.Node) string {
	if n == nil {
		return ""
	}
	return n.Kind()
}

// field is n's child in field name, nil when n is.
func field(n *sitter.Node, name string) *sitter.Node {
	if n == nil {
		return nil
	}
	return n.ChildByFieldName(name)
}

func (t *treeSyntax) pyAssigns(src string) []pyAssign {
	var out []pyAssign
	t.parse(t.python, src, func(root *sitter.Node, text []byte) {
		tsWalk(root, func(n *sitter.Node) bool {
			if n.Kind() != "assignment" || kindOf(n.Parent()) != "expression_statement" {
				return true
			}
			left, right := field(n, "left"), field(n, "right")
			if left == nil || right == nil || right.Kind() == "assignment" || right.Kind() == "augmented_assignment" {
				return true // annotation only, or a chain
			}
			a := pyAssign{target: left.Utf8Text(text), value: right.Utf8Text(text),
				start: int(n.StartByte()), end: int(n.EndByte()), valueStart: int(right.StartByte())}
			if fn := field(right, "function"); right.Kind() == "call" && kindOf(fn) == "attribute" && textOf(field(fn, "attribute"), text) == "get" {
				a.getRecv = textOf(field(fn, "object"), text)
			}
			out = append(out, a)
			return true
		})
	})
	return out
}

// tsChain is a name or an attribute chain's names joined with dots, ""
// for any other node.
func tsChain(n *sitter.Node, text []byte) string {
	switch kindOf(n) {
	case "identifier":
		return n.Utf8Text(text)
	case "attribute":
		if obj := tsChain(field(n, "object"), text); obj != "" {
			if attr := textOf(field(n, "attribute"), text); attr != "" {
				return obj + "." + attr
			}
		}
	}
	return ""
}

func (t *treeSyntax) pySorts(src string) []pySort {
	var out []pySort
	t.parse(t.python, src, func(root *sitter.Node, text []byte) {
		tsWalk(root, func(n *sitter.Node) bool {
			fn, args := field(n, "function"), field(n, "arguments")
			if n.Kind() != "call" || kindOf(fn) != "attribute" || textOf(field(fn, "attribute"), text) != "sort" || args == nil {
				return true
			}
			chain := tsChain(field(fn, "object"), text)
			if chain == "" {
				return true
			}
			p := n.Parent()
			out = append(out, pySort{chain: chain, start: int(n.StartByte()), end: int(n.EndByte()),
				args: src[args.StartByte()+1 : args.EndByte()-1],
				stmt: p.Kind() == "expression_statement" && p.StartByte() == n.StartByte() && p.EndByte() == n.EndByte()})
			return true
		})
	})
	return out
}

func (t *treeSyntax) pyRefs(src, chain string, start, end int) []pyRef {
	var out []pyRef
	t.parse(t.python, src, func(root *sitter.Node, text []byte) {
		tsWalk(root, func(n *sitter.Node) bool {
			if int(n.EndByte()) <= start || int(n.StartByte()) >= end {
				return false
			}
			k := n.Kind()
			if (k == "identifier" || k == "attribute") && int(n.StartByte()) >= start && int(n.EndByte()) <= end && tsChain(n, text) == chain {
				if r, ok := tsRef(n, text); ok {
					out = append(out, r)
				}
			}
			return true
		})
	})
	return out
}

// tsRef reads an occurrence of a chain: whether it is a variable at all,
// whether it is written, and the method called on it.
func tsRef(n *sitter.Node, text []byte) (pyRef, bool) {
	r := pyRef{start: int(n.StartByte()), end: int(n.EndByte())}
	p := n.Parent()
	if fn := p; p.Kind() == "attribute" && same(field(p, "object"), n) && kindOf(p.Parent()) == "call" && same(field(p.Parent(), "function"), fn) {
		r.method = textOf(field(p, "attribute"), text)
	}
	switch p.Kind() {
	case "attribute":
		if same(field(p, "attribute"), n) {
			return r, false // a's x in a.x
		}
	case "keyword_argument":
		if same(field(p, "name"), n) {
			return r, false
		}
	case "dotted_name":
		return tsImportRef(r, n, p)
	case "aliased_import", "function_definition", "class_definition", "default_parameter", "typed_default_parameter":
		if !same(field(p, "name"), n) && !same(field(p, "alias"), n) {
			break
		}
		r.write = p.Kind() != "aliased_import" || same(field(p, "alias"), n)
		return r, r.write
	case "parameters", "lambda_parameters", "global_statement", "nonlocal_statement":
		r.write = true
		return r, true
	case "typed_parameter":
		if !same(field(p, "type"), n) {
			r.write = true
			return r, true
		}
	case "list_splat_pattern", "dictionary_splat_pattern":
		if g := kindOf(p.Parent()); g == "parameters" || g == "lambda_parameters" || g == "typed_parameter" {
			r.write = true
			return r, true
		}
	}
	r.write = tsTarget(n)
	return r, true
}

// tsImportRef reads a name in an import's dotted path: `import a.b`
// binds a, `from m import x` binds x; the rest of a path, a module
// name and a name given an alias are no variables.
func tsImportRef(r pyRef, n, d *sitter.Node) (pyRef, bool) {
	g := d.Parent()
	switch g.Kind() {
	case "import_statement":
		r.write = same(d.NamedChild(0), n)
	case "import_from_statement", "future_import_statement":
		r.write = !same(field(g, "module_name"), d) && d.NamedChildCount() == 1
	default:
		return r, !(g.Kind() == "aliased_import" || g.Kind() == "relative_import") && same(d.NamedChild(0), n)
	}
	return r, r.write
}

// tsPattern are the nodes that group targets (and, elsewhere, values:
// only the node they end in decides).
var tsPattern = map[string]bool{"pattern_list": true, "tuple_pattern": true, "list_pattern": true, "list_splat_pattern": true,
	"tuple": true, "list": true, "parenthesized_expression": true, "expression_list": true, "list_splat": true}

// tsTarget reports whether n is assigned, deleted or bound as a target:
// itself or through one subscript, inside any grouping of targets.
func tsTarget(n *sitter.Node) bool {
	m := n
	if p := m.Parent(); p.Kind() == "subscript" && same(field(p, "value"), m) {
		m = p
	}
	for tsPattern[kindOf(m.Parent())] {
		m = m.Parent()
	}
	p := m.Parent()
	switch kindOf(p) {
	case "assignment", "augmented_assignment", "for_statement", "for_in_clause":
		return same(field(p, "left"), m)
	case "named_expression":
		return same(field(p, "name"), m)
	case "except_clause", "except_group_clause":
		return same(field(p, "alias"), m)
	case "delete_statement", "as_pattern_target":
		return true
	}
	return false
}

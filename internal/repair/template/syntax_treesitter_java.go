//go:build treesitter && cgo

package template

import (
	sitter "github.com/tree-sitter/go-tree-sitter"
)

// tsMonitorBoundary are the nodes whose code does not run while the
// monitor of a synchronized statement around them is held: lambdas and
// class bodies run later (maybe on another thread), and a member is a
// new start.
var tsMonitorBoundary = map[string]bool{"lambda_expression": true, "class_body": true, "enum_body": true,
	"interface_body": true, "annotation_type_body": true, "method_declaration": true, "constructor_declaration": true,
	"program": true}

func (t *treeSyntax) javaSyncs(src string) []javaSync {
	var out []javaSync
	index := map[uintptr]int{}
	t.parse(t.java, src, func(root *sitter.Node, _ []byte) {
		tsWalk(root, func(n *sitter.Node) bool {
			if n.Kind() != "synchronized_statement" {
				return true
			}
			var lock *sitter.Node
			for i := uint(0); i < n.NamedChildCount(); i++ {
				if c := n.NamedChild(i); c.Kind() == "parenthesized_expression" {
					lock = c
					break
				}
			}
			body := field(n, "body")
			if lock == nil || body == nil {
				return true
			}
			s := javaSync{lock: javaCanon(src, int(lock.StartByte())+1, int(lock.EndByte())-1), start: int(n.StartByte()),
				open: int(body.StartByte()), end: int(body.EndByte()) - 1, outer: -1}
			for p := n.Parent(); p != nil && !tsMonitorBoundary[p.Kind()]; p = p.Parent() {
				if i, ok := index[p.Id()]; ok {
					s.outer = i
					break
				}
			}
			index[n.Id()] = len(out)
			out = append(out, s)
			return true
		})
	})
	return out
}

// tsJavaTypes maps declaration nodes to javaType kinds.
var tsJavaTypes = map[string]string{"class_declaration": "class", "interface_declaration": "interface",
	"enum_declaration": "enum", "record_declaration": "record", "annotation_type_declaration": "annotation"}

func (t *treeSyntax) javaUnit(src string) javaUnit {
	var u javaUnit
	masked := javaMask(src)
	t.parse(t.java, src, func(root *sitter.Node, text []byte) {
		tsWalk(root, func(n *sitter.Node) bool {
			if n.Kind() == "package_declaration" {
				for i := uint(0); i < n.NamedChildCount(); i++ {
					if c := n.NamedChild(i); c.Kind() == "identifier" || c.Kind() == "scoped_identifier" {
						u.pkg = javaCanon(src, int(c.StartByte()), int(c.EndByte()))
					}
				}
				return false
			}
			kind, ok := tsJavaTypes[n.Kind()]
			name, body := field(n, "name"), field(n, "body")
			if !ok || name == nil || body == nil {
				return true
			}
			u.types = append(u.types, javaType{name: name.Utf8Text(text), kind: kind, top: kindOf(n.Parent()) == "program",
				open: int(body.StartByte()), end: int(body.EndByte()) - 1, ctors: tsCtors(body, masked)})
			return true
		})
	})
	return u
}

// tsCtors lists the parameter lists of the constructors a type body
// declares (an enum's sit after its constants, in enum_body_declarations).
func tsCtors(body *sitter.Node, masked string) []string {
	var out []string
	for i := uint(0); i < body.NamedChildCount(); i++ {
		c := body.NamedChild(i)
		if c.Kind() == "enum_body_declarations" {
			out = append(out, tsCtors(c, masked)...)
		}
		if ps := field(c, "parameters"); c.Kind() == "constructor_declaration" && ps != nil {
			out = append(out, masked[ps.StartByte()+1:ps.EndByte()-1])
		}
	}
	return out
}

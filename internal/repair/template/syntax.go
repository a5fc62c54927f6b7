package template

import (
	"strings"
)

// syntaxReader answers the questions the Python and Java templates ask of
// a source file's syntax. The default, scanSyntax, is the pure-Go reading
// (Python's indentation, Java's braces in a masked copy); built with
// `-tags treesitter` (and cgo), an init in syntax_treesitter.go replaces
// it with one that reads tree-sitter syntax trees. Both give lines
// 1-based and offsets in bytes of src.
type syntaxReader interface {
	// pyDefAt is the innermost def enclosing line: its name, its
	// parameters' names (splats keep their stars), the def's line and
	// indentation, and the last line of its body. file and lines are
	// left for the caller.
	pyDefAt(src string, line int) (*pyFunc, bool)
	// pyStatementAt is the first and last line of the simple statement
	// (an assignment, a call, a return...) at line; ok is false when no
	// simple statement covers the line.
	pyStatementAt(src string, line int) (first, last int, ok bool)
	// javaMethods lists the methods (and constructors) with a body, in
	// source order.
	javaMethods(src string) []javaMethod
}

// syntax is the reader the templates use.
var syntax syntaxReader = scanSyntax{}

// syntaxName names the reader in use, for tests and diagnostics.
var syntaxName = "scanner"

// scanSyntax is the pure-Go reader: line scanning guided by Python's
// indentation, and regular expressions over masked Java source.
type scanSyntax struct{}

func (scanSyntax) pyDefAt(src string, line int) (*pyFunc, bool) {
	lines := strings.Split(src, "\n")
	if line < 1 || line > len(lines) {
		return nil, false
	}
	for i := line - 1; i >= 0; i-- {
		m := pyDef.FindStringSubmatch(lines[i])
		if m == nil || len(m[1]) >= indentOf(lines[line-1]) && i != line-1 {
			continue
		}
		f := &pyFunc{name: m[2], def: i + 1, indent: len(m[1])}
		for _, p := range strings.Split(m[3], ",") {
			p = strings.TrimSpace(strings.SplitN(strings.SplitN(p, "=", 2)[0], ":", 2)[0])
			if p != "" {
				f.params = append(f.params, p)
			}
		}
		f.end = f.def
		for j := i + 1; j < len(lines); j++ {
			if strings.TrimSpace(lines[j]) == "" {
				continue
			}
			if indentOf(lines[j]) <= f.indent {
				break
			}
			f.end = j + 1
		}
		if f.end < line {
			return nil, false
		}
		return f, true
	}
	return nil, false
}

// pyStatementAt, for the scanner, starts the statement at line and runs
// it on while a line leaves a bracket, a string or a backslash open.
func (scanSyntax) pyStatementAt(src string, line int) (int, int, bool) {
	lines := strings.Split(src, "\n")
	if line < 1 || line > len(lines) {
		return 0, 0, false
	}
	last := line
	for _, cont := pyCode(lines[line-1]); cont && last < len(lines); last++ {
		_, cont = pyCode(lines[last])
	}
	return line, last, true
}

func (scanSyntax) javaMethods(src string) []javaMethod { return javaMethodsMasked(javaMask(src)) }

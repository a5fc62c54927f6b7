package template

// syntaxReader answers the questions the Python and Java templates ask of
// a source file's syntax, so that every edit lands on a byte range the
// grammar gave, never on text a regular expression happened to match.
// The default, scanSyntax, is the pure-Go reading (pyscan.go,
// javascan.go: tokenizers that know comments, strings, f-strings, text
// blocks and continuations, and a walk over statements); built with
// `-tags treesitter` (and cgo), an init in syntax_treesitter.go replaces
// it with one that reads tree-sitter syntax trees. Both give lines
// 1-based and offsets in bytes of src, and lists in source order;
// syntax_test.go holds them to the same answers.
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
	// pyAssigns lists the assignment statements with one target list.
	pyAssigns(src string) []pyAssign
	// pySorts lists the calls `chain.sort(...)` on chains of names.
	pySorts(src string) []pySort
	// pyRefs lists the occurrences of a name or attribute chain
	// (`users`, `self.entries`) as a variable in src[start:end].
	pyRefs(src, chain string, start, end int) []pyRef
	// javaMethods lists the methods (and constructors) with a body.
	javaMethods(src string) []javaMethod
	// javaSyncs lists the synchronized statements and how they nest.
	javaSyncs(src string) []javaSync
	// javaUnit is the package and the named types, with constructors.
	javaUnit(src string) javaUnit
}

// syntax is the reader the templates use.
var syntax syntaxReader = scanSyntax{}

// syntaxName names the reader in use, for tests and diagnostics.
var syntaxName = "scanner"

// scanSyntax is the pure-Go reader. It keeps no state: each question
// scans the source again, which costs microseconds on a source file.
type scanSyntax struct{}

func (scanSyntax) pyDefAt(src string, line int) (*pyFunc, bool) { return scanPython(src).defAt(line) }

func (scanSyntax) pyStatementAt(src string, line int) (int, int, bool) {
	return scanPython(src).statementAt(line)
}

func (scanSyntax) pyAssigns(src string) []pyAssign { return scanPython(src).assigns() }

func (scanSyntax) pySorts(src string) []pySort { return scanPython(src).sorts() }

func (scanSyntax) pyRefs(src, chain string, start, end int) []pyRef {
	return scanPython(src).refs(chain, start, end)
}

func (scanSyntax) javaMethods(src string) []javaMethod { return scanJava(src).methods }

func (scanSyntax) javaSyncs(src string) []javaSync { return scanJava(src).syncs }

func (scanSyntax) javaUnit(src string) javaUnit { return scanJava(src).unit }

var _ syntaxReader = scanSyntax{}

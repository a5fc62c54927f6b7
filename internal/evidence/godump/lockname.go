package godump

import (
	"strings"

	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/stacktrace"
)

// A lock's best name is the expression that locked it, qualified by the
// type it is a field of: "(*Store).mu" from `s.mu.Lock()` in a function
// whose signature says s is a *Store. Naming reads the source line of
// the frame that called Lock (evidence.SourceLine over in.SourceRoots)
// and, for the type, the nearest "func " line above it. Without source
// the name says what the dump knows: "mutex 0xc0000140a0 (locked in
// main.(*Store).Transfer)".

// maxNamedLocks bounds the source lookups one artifact may cause.
const maxNamedLocks = 32

// sigSearch is how many lines above the Lock call the signature of the
// enclosing function is looked for.
const sigSearch = 60

// namer names locks, reading each source line at most once.
type namer struct {
	roots []string
	lines map[string]string // "file:line" → source ("" when unreadable)
	named int
	off   bool // no source roots: name from the dump alone
}

func (n *namer) line(file string, line int) string {
	k := file + ":" + itoa(line)
	if s, ok := n.lines[k]; ok {
		return s
	}
	if n.lines == nil {
		n.lines = map[string]string{}
	}
	s, _ := evidence.SourceLine(n.roots, file, line)
	n.lines[k] = s
	return s
}

// name returns the name of the lock w that the goroutine's frame
// w.caller locked, of the given kind ("mutex", "rwmutex").
func (n *namer) name(g *goroutine, w wait, kind string) string {
	fr := &g.frames[w.caller]
	fallback := kind + " " + hexAddr(w.addr) + " (locked in " + fr.Function + ")"
	if n.off || n.named >= maxNamedLocks || fr.File == "" {
		return fallback
	}
	n.named++
	expr := lockExpr(n.line(fr.File, fr.Line))
	if expr == "" {
		return fallback
	}
	v, fields, _ := strings.Cut(expr, ".")
	if typ := n.paramType(fr.File, fr.Line, v); typ != "" {
		if fields == "" { // an embedded mutex: s.Lock()
			fields = "Mutex"
			if kind == "rwmutex" {
				fields = "RWMutex"
			}
		}
		return typ + "." + fields
	}
	return expr + " in " + shortFunc(fr.Function)
}

// lockExpr returns the selector expression a source line locks:
// "s.mu" from "s.mu.Lock()", "defer x.mu.RUnlock(); x.mu.RLock()".
func lockExpr(src string) string {
	i := strings.LastIndex(src, ".Lock()")
	if j := strings.LastIndex(src, ".RLock()"); j > i {
		i = j
	}
	if i <= 0 {
		return ""
	}
	j := i
	for j > 0 && isSelectorByte(src[j-1]) {
		j--
	}
	expr := strings.Trim(src[j:i], ".")
	if expr == "" || (expr[0] >= '0' && expr[0] <= '9') {
		return ""
	}
	return expr
}

func isSelectorByte(c byte) bool {
	return c == '_' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// paramType finds the type of receiver or parameter v in the signature
// of the function enclosing file:line, written as a method-value prefix:
// "(*Store)" for *Store, "Store" for Store. It returns "" when the
// signature is not found or does not declare v.
func (n *namer) paramType(file string, line int, v string) string {
	for l := line - 1; l > 0 && l >= line-sigSearch; l-- {
		src := n.line(file, l)
		if !strings.HasPrefix(src, "func ") && !strings.HasPrefix(src, "func(") {
			continue
		}
		typ := sigType(src, v)
		switch {
		case typ == "":
			return ""
		case typ[0] == '*':
			return "(" + typ + ")"
		}
		return typ
	}
	return ""
}

// sigType reads "func (s *Store) Transfer(r *Replica, n int) {" and
// returns v's type. Grouped names ("a, b *T") share the type after the
// last one.
func sigType(sig string, v string) string {
	rest := strings.TrimPrefix(sig, "func")
	for range 2 { // receiver, then parameters
		rest = strings.TrimLeft(rest, " ")
		if !strings.HasPrefix(rest, "(") {
			// Skip the function name (and type parameters) to the
			// parameter list.
			k := strings.IndexByte(rest, '(')
			if k < 0 {
				return ""
			}
			rest = rest[k:]
		}
		end := closing(rest)
		if end < 0 {
			return ""
		}
		if t := listType(rest[1:end], v); t != "" {
			return t
		}
		rest = rest[end+1:]
	}
	return ""
}

// closing returns the index of the ')' closing the '(' at s[0].
func closing(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// listType finds v in a parameter list "a, b *T, c int".
func listType(list, v string) string {
	var names []string
	for _, p := range splitTop(list) {
		p = strings.TrimSpace(p)
		name, typ, ok := strings.Cut(p, " ")
		if !ok {
			names = append(names, p)
			continue
		}
		names = append(names, name)
		if typ = strings.TrimSpace(typ); typ != "" {
			for _, nm := range names {
				if nm == v {
					return typ
				}
			}
			names = names[:0]
		}
	}
	return ""
}

// splitTop splits a list at commas outside brackets.
func splitTop(s string) []string {
	var out []string
	depth, from := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[from:i])
				from = i + 1
			}
		}
	}
	return append(out, s[from:])
}

// shortFunc drops the package path from a function name:
// "github.com/x/bank.(*Bank).transfer" → "(*Bank).transfer".
func shortFunc(fn string) string {
	pkg := stacktrace.GoPackage(fn)
	if pkg == "" || len(pkg) >= len(fn) {
		return fn
	}
	return fn[len(pkg)+1:]
}

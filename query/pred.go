package query

import (
	"errors"
	"regexp"
	"regexp/syntax"
	"slices"
	"sort"
	"strings"

	"github.com/tagdebug/tag/epg"
)

// subject is the node an expression is evaluated for.
type subject struct {
	n *epg.Node
	// depth is the node's distance from a slice's start, or -1.
	depth int32
}

// evalFn computes an expression's value for a node.
type evalFn func(*subject) val

// compiler turns expressions into evalFns, reporting errors at their
// position in src.
type compiler struct {
	src string
}

func (c *compiler) errAt(pos int, format string, args ...any) error {
	return newError(c.src, pos, nil, format, args...)
}

// predicate compiles e as a condition.
func (c *compiler) predicate(e Expr) (func(*subject) bool, error) {
	f, err := c.compile(e)
	if err != nil {
		return nil, err
	}
	return func(s *subject) bool { return f(s).truthy() }, nil
}

func (c *compiler) compile(e Expr) (evalFn, error) {
	switch e := e.(type) {
	case *StringLit:
		v := vstr(e.Value)
		return func(*subject) val { return v }, nil
	case *NumberLit:
		v := vnum(e.Value)
		return func(*subject) val { return v }, nil
	case *DurationLit:
		v := vdurOf(e.Value)
		return func(*subject) val { return v }, nil
	case *BoolLit:
		v := vbool(e.Value)
		return func(*subject) val { return v }, nil
	case *ListLit:
		return c.list(e)
	case *Ref:
		return c.ref(e), nil
	case *CallExpr:
		if e.Recv != nil {
			return c.method(e)
		}
		return c.function(e)
	case *UnaryExpr:
		x, err := c.compile(e.X)
		if err != nil {
			return nil, err
		}
		return func(s *subject) val { return vbool(!x(s).truthy()) }, nil
	case *BinaryExpr:
		return c.binary(e)
	}
	return nil, c.errAt(e.Offset(), "unsupported expression")
}

func (c *compiler) list(e *ListLit) (evalFn, error) {
	elems := make([]evalFn, len(e.Elems))
	for i, x := range e.Elems {
		f, err := c.compile(x)
		if err != nil {
			return nil, err
		}
		elems[i] = f
	}
	return func(s *subject) val {
		l := make([]val, len(elems))
		for i, f := range elems {
			l[i] = f(s)
		}
		return val{k: vList, l: l}
	}, nil
}

// kindNames maps node kind names, which qualify references (span.service)
// and stand alone as kind tests (frame).
var kindNames = map[string]epg.NodeKind{
	"span": epg.KindSpan, "frame": epg.KindFrame, "event": epg.KindEvent, "thread": epg.KindThread,
	"lock": epg.KindLock, "object": epg.KindObject, "resource": epg.KindResource, "input": epg.KindInput,
}

// ref resolves a dotted name for a node, as the package comment describes:
// a kind alone tests the kind; kind.x requires the kind and reads the
// attribute "kind.x", else the field x, else the attribute x; any other
// single name is a field or, failing that, an attribute; any other dotted
// name is an attribute key.
func (c *compiler) ref(r *Ref) evalFn {
	if k, ok := kindNames[r.Path[0]]; ok {
		if len(r.Path) == 1 {
			return func(s *subject) val { return vbool(s.n.Kind == k) }
		}
		full := strings.Join(r.Path, ".")
		rest := strings.Join(r.Path[1:], ".")
		field := fields[rest]
		return func(s *subject) val {
			if s.n.Kind != k {
				return null
			}
			if v, ok := s.n.Attrs.Get(full); ok {
				return fromAttr(v)
			}
			if field != nil {
				return field(s)
			}
			return attrVal(s.n, rest)
		}
	}
	key := strings.Join(r.Path, ".")
	if len(r.Path) == 1 {
		if f := fields[key]; f != nil {
			return f
		}
	}
	return func(s *subject) val { return attrVal(s.n, key) }
}

func attrVal(n *epg.Node, key string) val {
	if v, ok := n.Attrs.Get(key); ok {
		return fromAttr(v)
	}
	return null
}

func strOrNull(s string) val {
	if s == "" {
		return null
	}
	return vstr(s)
}

// fields are the node properties a query can name.
var fields = map[string]evalFn{
	"id":       func(s *subject) val { return vstr(s.n.ID) },
	"kind":     func(s *subject) val { return vstr(s.n.Kind.String()) },
	"name":     func(s *subject) val { return vstr(s.n.Name) },
	"service":  func(s *subject) val { return strOrNull(s.n.Service) },
	"thread":   func(s *subject) val { return strOrNull(s.n.Thread) },
	"trace_id": func(s *subject) val { return strOrNull(s.n.Trace.TraceID) },
	"span_id":  func(s *subject) val { return strOrNull(s.n.Trace.SpanID) },
	"policy":   func(s *subject) val { return strOrNull(s.n.Policy) },
	"function": func(s *subject) val { return strOrNull(function(s.n)) },
	"type":     func(s *subject) val { return strOrNull(typeName(s.n)) },
	"status":   func(s *subject) val { return attrVal(s.n, epg.AttrStatusCode) },
	"file": func(s *subject) val {
		if s.n.Loc == nil {
			return null
		}
		return strOrNull(s.n.Loc.File)
	},
	"line": func(s *subject) val {
		if s.n.Loc == nil || s.n.Loc.Line == 0 {
			return null
		}
		return vnum(float64(s.n.Loc.Line))
	},
	"lang": func(s *subject) val {
		if s.n.Loc == nil {
			return null
		}
		return strOrNull(s.n.Loc.Lang)
	},
	"in_app": func(s *subject) val { return vbool(s.n.Loc != nil && s.n.Loc.InApp) },
	"start": func(s *subject) val {
		if s.n.Start == 0 {
			return null
		}
		return vnum(float64(s.n.Start))
	},
	"end": func(s *subject) val {
		if s.n.End == 0 {
			return null
		}
		return vnum(float64(s.n.End))
	},
	"duration": func(s *subject) val {
		if d := s.n.Duration(); d > 0 {
			return vdur(float64(d))
		}
		return null
	},
	"message": func(s *subject) val {
		for _, k := range []string{epg.AttrExceptionMsg, "log.message", epg.AttrStatusMessage} {
			if v := s.n.Attrs.Str(k); v != "" {
				return vstr(v)
			}
		}
		return null
	},
	"depth": func(s *subject) val {
		if s.depth < 0 {
			return null
		}
		return vnum(float64(s.depth))
	},
}

// FieldNames lists the node fields a query can name, sorted.
func FieldNames() []string {
	var out []string
	for k := range fields {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (c *compiler) stringArg(call *CallExpr, what string) (string, int, error) {
	if len(call.Args) != 1 || call.Args[0].Name != "" {
		return "", 0, c.errAt(call.NamePos, "%s takes one argument, %s", call.Name, what)
	}
	lit, ok := call.Args[0].Value.(*StringLit)
	if !ok {
		return "", 0, c.errAt(call.Args[0].Value.Offset(), "%s takes %s as a quoted string", call.Name, what)
	}
	return lit.Value, lit.Pos, nil
}

func (c *compiler) regexpArg(call *CallExpr) (*regexp.Regexp, error) {
	s, pos, err := c.stringArg(call, "a regular expression")
	if err != nil {
		return nil, err
	}
	return c.regexp(s, pos)
}

func (c *compiler) regexp(s string, pos int) (*regexp.Regexp, error) {
	re, rerr := regexp.Compile(s)
	if rerr != nil {
		msg := rerr.Error()
		var e *syntax.Error
		if errors.As(rerr, &e) {
			msg = string(e.Code)
		}
		return nil, c.errAt(pos, "bad regular expression %q: %s", s, msg)
	}
	return re, nil
}

// function compiles a call without a receiver: attr, has, and the
// selectors.
func (c *compiler) function(call *CallExpr) (evalFn, error) {
	switch call.Name {
	case "attr":
		key, _, err := c.stringArg(call, "an attribute key")
		if err != nil {
			return nil, err
		}
		return func(s *subject) val { return attrVal(s.n, key) }, nil
	case "has":
		key, _, err := c.stringArg(call, "an attribute key")
		if err != nil {
			return nil, err
		}
		return func(s *subject) val { _, ok := s.n.Attrs.Get(key); return vbool(ok) }, nil
	}
	if k, ok := selectorKinds[call.Name]; ok {
		sel, err := c.selector(call, k)
		if err != nil {
			return nil, err
		}
		return func(s *subject) val { return vbool(sel.match(s)) }, nil
	}
	return nil, c.errAt(call.NamePos, "unknown function %s (known: attr, has, %s)", call.Name, strings.Join(sortedKeys(selectorKinds), ", "))
}

func sortedKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// selector is a compiled selector call such as event('X') or
// frame(in_app): a kind and either a name or a condition.
type selector struct {
	kind epg.NodeKind
	name string // the quoted argument, if any
	has  bool   // whether a name was given
	cond func(*subject) bool
	pos  int
}

func (sel *selector) match(s *subject) bool {
	switch {
	case sel.has:
		return selects(sel.kind, s.n, sel.name)
	case sel.kind != epg.KindUnspecified && s.n.Kind != sel.kind:
		return false
	case sel.cond != nil:
		return sel.cond(s)
	}
	return true
}

func (c *compiler) selector(call *CallExpr, k epg.NodeKind) (*selector, error) {
	sel := &selector{kind: k, pos: call.Pos}
	switch {
	case len(call.Args) == 0:
		if k == epg.KindUnspecified {
			return nil, c.errAt(call.Rparen, "node takes a node ID")
		}
		return sel, nil
	case len(call.Args) > 1 || call.Args[0].Name != "":
		return nil, c.errAt(call.NamePos, "%s takes one argument: a quoted name or a condition", call.Name)
	}
	if lit, ok := call.Args[0].Value.(*StringLit); ok {
		sel.name, sel.has = lit.Value, true
		return sel, nil
	}
	if k == epg.KindUnspecified {
		return nil, c.errAt(call.Args[0].Value.Offset(), "node takes a node ID as a quoted string")
	}
	cond, err := c.predicate(call.Args[0].Value)
	if err != nil {
		return nil, err
	}
	sel.cond = cond
	return sel, nil
}

// method compiles recv.name(args).
func (c *compiler) method(call *CallExpr) (evalFn, error) {
	if r, ok := call.Recv.(*Ref); ok && len(r.Path) == 1 && call.Name == "matches" {
		if k, ok := kindNames[r.Path[0]]; ok {
			re, err := c.regexpArg(call)
			if err != nil {
				return nil, err
			}
			return func(s *subject) val { return vbool(s.n.Kind == k && nodeMatches(s.n, re)) }, nil
		}
	}
	recv, err := c.compile(call.Recv)
	if err != nil {
		return nil, err
	}
	switch call.Name {
	case "matches":
		re, err := c.regexpArg(call)
		if err != nil {
			return nil, err
		}
		return func(s *subject) val {
			t, ok := recv(s).text()
			return vbool(ok && re.MatchString(t))
		}, nil
	case "contains", "starts_with", "ends_with":
		arg, _, err := c.stringArg(call, "a string")
		if err != nil {
			return nil, err
		}
		test := map[string]func(string, string) bool{
			"contains": strings.Contains, "starts_with": strings.HasPrefix, "ends_with": strings.HasSuffix,
		}[call.Name]
		return func(s *subject) val {
			t, ok := recv(s).text()
			return vbool(ok && test(t, arg))
		}, nil
	}
	return nil, c.errAt(call.NamePos, "unknown method %s (known: matches, contains, starts_with, ends_with)", call.Name)
}

// nodeMatches is kind.matches(re): re finds a match in the node's name,
// its function or its exception type.
func nodeMatches(n *epg.Node, re *regexp.Regexp) bool {
	if re.MatchString(n.Name) {
		return true
	}
	if fn := function(n); fn != "" && fn != n.Name && re.MatchString(fn) {
		return true
	}
	t := n.Attrs.Str(epg.AttrExceptionType)
	return t != "" && t != n.Name && re.MatchString(t)
}

func (c *compiler) binary(e *BinaryExpr) (evalFn, error) {
	x, err := c.compile(e.X)
	if err != nil {
		return nil, err
	}
	switch e.Op {
	case "=~", "!~":
		lit, ok := e.Y.(*StringLit)
		if !ok {
			return nil, c.errAt(e.Y.Offset(), "%s takes a regular expression as a quoted string", e.Op)
		}
		re, err := c.regexp(lit.Value, lit.Pos)
		if err != nil {
			return nil, err
		}
		want := e.Op == "=~"
		return func(s *subject) val {
			t, ok := x(s).text()
			return vbool(ok && re.MatchString(t) == want)
		}, nil
	}
	y, err := c.compile(e.Y)
	if err != nil {
		return nil, err
	}
	switch e.Op {
	case "&&":
		return func(s *subject) val { return vbool(x(s).truthy() && y(s).truthy()) }, nil
	case "||":
		return func(s *subject) val { return vbool(x(s).truthy() || y(s).truthy()) }, nil
	case "in":
		if _, ok := e.Y.(*ListLit); !ok {
			if _, ok := e.Y.(*StringLit); ok {
				return nil, c.errAt(e.Y.Offset(), "in takes a list: use .contains() to look for a substring")
			}
		}
		return func(s *subject) val {
			v, l := x(s), y(s)
			for _, el := range l.l {
				if cmp, ok := compare(v, el); ok && cmp == 0 {
					return vbool(true)
				}
			}
			return vbool(false)
		}, nil
	}
	return comparison(e.Op, x, y), nil
}

// comparison implements == != < <= > >=. A comparison with a missing
// value (null) is false whatever the operator; values of different types
// are unequal and unordered.
func comparison(op string, x, y evalFn) evalFn {
	return func(s *subject) val {
		a, b := x(s), y(s)
		if a.k == vNull || b.k == vNull {
			return vbool(false)
		}
		cmp, ok := compare(a, b)
		ordered := ok && a.k != vBool && b.k != vBool
		switch op {
		case "==":
			return vbool(ok && cmp == 0)
		case "!=":
			return vbool(!ok || cmp != 0)
		case "<":
			return vbool(ordered && cmp < 0)
		case "<=":
			return vbool(ordered && cmp <= 0)
		case ">":
			return vbool(ordered && cmp > 0)
		case ">=":
			return vbool(ordered && cmp >= 0)
		}
		return vbool(false)
	}
}

package query

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/tagdebug/tag/epg"
)

// Attribute keys the query language reads beyond epg's well-known ones.
const (
	// AttrObjectType is an object node's type, as a heap dump names it.
	AttrObjectType = "object.type"
	// AttrObjectAllocSite names where an object was allocated when no
	// alloc edge links it to a frame.
	AttrObjectAllocSite = "object.alloc_site"
	// LocalsPrefix starts the keys of a frame's captured local variables
	// ("local.user", "local.cache").
	LocalsPrefix = "local."
)

// function returns the function a node stands for: its location's, else
// a frame's name.
func function(n *epg.Node) string {
	if n.Loc != nil && n.Loc.Function != "" {
		return n.Loc.Function
	}
	if n.Kind == epg.KindFrame {
		return n.Name
	}
	return ""
}

// receiverType returns the type a function is a method of, read from its
// qualified name: Service in example.com/cart.(*Service).Load, HashMap in
// java.util.HashMap.get. Plain functions (main.main.func1) have none.
func receiverType(fn string) string {
	parts := strings.Split(stripPackagePath(fn), ".")
	if len(parts) < 2 {
		return ""
	}
	t := parts[len(parts)-2]
	if strings.HasPrefix(t, "(") {
		return strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(t, "("), "*"), ")")
	}
	if r := []rune(t); len(r) > 0 && unicode.IsUpper(r[0]) {
		return t
	}
	return ""
}

// stripPackagePath drops a Go import path's directories, which may hold
// dots of their own (example.com/shop/cart.F → cart.F).
func stripPackagePath(fn string) string {
	if i := strings.LastIndexByte(fn, '/'); i >= 0 {
		return fn[i+1:]
	}
	return fn
}

// typeName returns the type a node carries, or "": an object's type, an
// exception's type, the receiver type of a method's frame.
func typeName(n *epg.Node) string {
	switch n.Kind {
	case epg.KindObject:
		if t := n.Attrs.Str(AttrObjectType); t != "" {
			return t
		}
		return n.Name
	case epg.KindEvent:
		return n.Attrs.Str(epg.AttrExceptionType)
	case epg.KindFrame:
		return receiverType(function(n))
	}
	return ""
}

// typeMatches reports whether the type name full is want: equal once
// qualifiers (java.util.), pointers (*) and type arguments (<K,V>, [T])
// are set aside, or, for a simple name, a CamelCase suffix of full's
// simple name (Map matches HashMap, not Bitmap).
func typeMatches(full, want string) bool {
	full, want = strings.TrimLeft(full, "*&"), strings.TrimLeft(want, "*&")
	if i := strings.IndexAny(full, "<["); i > 0 {
		full = full[:i]
	}
	if want == "" {
		return false
	}
	if full == want {
		return true
	}
	for _, sep := range []string{".", "$", "::", "/"} {
		if strings.HasSuffix(full, sep+want) {
			return true
		}
	}
	if strings.ContainsAny(want, ".$:/") || want[0] < 'A' || want[0] > 'Z' {
		return false
	}
	simple := full[strings.LastIndexAny(full, ".$:/")+1:]
	if len(simple) <= len(want) || !strings.HasSuffix(simple, want) {
		return false
	}
	c := simple[len(simple)-len(want)-1]
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

// functionMatches reports whether fn is want, written in full or by a
// suffix that starts at a name boundary, with Go's (*T) receivers read
// as T: 'Load', 'Service.Load', 'cart.(*Service).Load' all name
// example.com/shop/cart.(*Service).Load.
func functionMatches(fn, want string) bool {
	if fn == want {
		return true
	}
	norm := func(s string) string { return strings.NewReplacer("(*", "", "(", "", ")", "").Replace(s) }
	fn, want = norm(fn), norm(want)
	return fn == want || strings.HasSuffix(fn, "."+want) || strings.HasSuffix(fn, "/"+want)
}

// locationMatches reads want as file:line and reports whether n is there.
func locationMatches(n *epg.Node, want string) bool {
	i := strings.LastIndexByte(want, ':')
	if i <= 0 || n.Loc == nil {
		return false
	}
	line, err := strconv.Atoi(want[i+1:])
	if err != nil || line != n.Loc.Line {
		return false
	}
	file := want[:i]
	return n.Loc.File == file || strings.HasSuffix(n.Loc.File, "/"+file)
}

// summary is a one-line description of a node for a person to read.
func summary(n *epg.Node) string {
	var parts []string
	add := func(s string) {
		if s != "" {
			parts = append(parts, s)
		}
	}
	switch n.Kind {
	case epg.KindFrame:
		add(function(n))
		if n.Loc != nil && n.Loc.File != "" {
			add(n.Loc.File + ":" + strconv.Itoa(n.Loc.Line))
		}
	case epg.KindEvent:
		t := n.Attrs.Str(epg.AttrExceptionType)
		if t == "" {
			t = n.EventType()
		}
		add(t)
		if n.Name != t {
			add(n.Name)
		}
		msg := n.Attrs.Str(epg.AttrExceptionMsg)
		if msg == "" {
			msg = n.Attrs.Str("log.message")
		}
		add(clip(msg, 120))
	case epg.KindSpan:
		add(n.Service)
		add(n.Name)
		if d := n.Duration(); d > 0 {
			add(formatDuration(d))
		}
		add(n.Attrs.Str(epg.AttrStatusCode))
	case epg.KindThread:
		add(n.Name)
		add(n.Attrs.Str(epg.AttrThreadState))
		add(n.Attrs.Str(epg.AttrThreadWaitFor))
	case epg.KindLock:
		add(n.Name)
		add(n.Attrs.Str(epg.AttrLockKind))
	case epg.KindObject:
		add(typeName(n))
		if sz := n.Attrs.Str("object.size"); sz != "" {
			add(sz + " bytes")
		}
	default:
		add(n.Name)
	}
	return strings.Join(parts, " ")
}

func formatDuration(ns int64) string { return time.Duration(ns).String() }

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

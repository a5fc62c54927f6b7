package jvm

import (
	"strconv"
	"strings"

	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/stacktrace"
)

// namer finds the source expression through which a thread waits for a
// lock: "LEDGER" in `synchronized (LEDGER) {`, "orders" in
// `orders.lock();`. Only places where a thread waits are used: the line
// of a frame that holds a monitor is wherever the thread has got to
// since, not where it took the monitor.
type namer struct {
	roots []string
	lines map[string]string // "path:line" → source, "" when unreadable
}

func newNamer(roots []string) *namer { return &namer{roots: roots, lines: map[string]string{}} }

// receiverCalls are the blocking calls whose receiver names what a
// parked or waiting thread waits for.
var receiverCalls = []string{".wait(", ".lock(", ".lockInterruptibly(", ".tryLock(", ".await(", ".acquire(", ".take(", ".put(", ".get(", ".join("}

// name returns the expression and the class of the code using it, or
// empty strings.
func (n *namer) name(frames []stacktrace.Frame, r *lockRef) (expr, class string) {
	if len(n.roots) == 0 || r.frame < 0 || r.frame >= len(frames) {
		return "", ""
	}
	fr := &frames[r.frame]
	switch r.verb {
	case verbWaitLock:
		// The monitorenter is in this very frame.
	case verbWaitOn, verbRelock, verbPark:
		// Object.wait, LockSupport.park and the library frames above the
		// application's call.
		fr = firstInAppFrom(frames, r.frame)
	default:
		return "", ""
	}
	if fr == nil || !fr.InApp || fr.Line <= 0 {
		return "", ""
	}
	if r.verb == verbWaitLock {
		expr = n.synchronizedAt(fr)
	} else {
		expr = receiverExpr(n.source(fr, fr.Line))
	}
	if expr == "" {
		return "", ""
	}
	return clip(expr), simpleClass(fr.Module)
}

func firstInAppFrom(frames []stacktrace.Frame, i int) *stacktrace.Frame {
	for ; i < len(frames); i++ {
		if frames[i].InApp {
			return &frames[i]
		}
	}
	return nil
}

// monitorLookback is how many lines above a blocked frame's line the
// synchronized statement is looked for: javac gives the monitorenter of
// `synchronized (x) {` the line of the block's first statement (JDK 17
// does; the fixtures show it).
const monitorLookback = 2

// synchronizedAt returns the expression of the synchronized statement at
// or just above the frame's line.
func (n *namer) synchronizedAt(fr *stacktrace.Frame) string {
	for ln := fr.Line; ln > 0 && ln >= fr.Line-monitorLookback; ln-- {
		if e := synchronizedExpr(n.source(fr, ln)); e != "" {
			return e
		}
	}
	return ""
}

// source reads line ln of the frame's file, trying the class's package
// directory first (Java frames print only the file's base name).
func (n *namer) source(fr *stacktrace.Frame, ln int) string {
	key := fr.Module + ":" + fr.File + ":" + strconv.Itoa(ln)
	if s, ok := n.lines[key]; ok {
		return s
	}
	var paths []string
	if dot := strings.LastIndexByte(fr.Module, '.'); dot > 0 {
		paths = append(paths, strings.ReplaceAll(fr.Module[:dot], ".", "/")+"/"+fr.File)
	}
	paths = append(paths, fr.File)
	s := ""
	for _, p := range paths {
		if l, ok := evidence.SourceLine(n.roots, p, ln); ok {
			s = l
			break
		}
	}
	n.lines[key] = s
	return s
}

// synchronizedExpr returns X of `synchronized (X)` in src.
func synchronizedExpr(src string) string {
	i := strings.Index(src, "synchronized")
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(src[i+len("synchronized"):], " \t")
	if !strings.HasPrefix(rest, "(") {
		return ""
	}
	depth := 0
	for j := 0; j < len(rest); j++ {
		switch rest[j] {
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return strings.TrimSpace(rest[1:j])
			}
		}
	}
	return ""
}

// receiverExpr returns the receiver of the last blocking call in src:
// "orders" in `orders.lock();`, "this.cond" in `this.cond.await()`.
func receiverExpr(src string) string {
	dot := -1
	for _, c := range receiverCalls {
		if i := strings.LastIndex(src, c); i > dot {
			dot = i
		}
	}
	if dot <= 0 {
		return ""
	}
	depth := 0
	j := dot
	for j > 0 {
		c := src[j-1]
		switch {
		case c == ')' || c == ']':
			depth++
		case c == '(' || c == '[':
			if depth == 0 {
				return src[j:dot]
			}
			depth--
		case depth == 0 && !(c == '.' || c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'):
			return src[j:dot]
		}
		j--
	}
	return src[:dot]
}

// simpleClass is the class name without package or lambda suffix:
// "MonitorDeadlock" for "MonitorDeadlock$$Lambda$1/0x...".
func simpleClass(module string) string {
	if i := strings.Index(module, "$$"); i >= 0 {
		module = module[:i]
	}
	if dot := strings.LastIndexByte(module, '.'); dot >= 0 {
		module = module[dot+1:]
	}
	return module
}

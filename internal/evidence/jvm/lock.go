package jvm

import "strings"

// Lock kinds (lock.kind). A park blocker is classified by what else the
// dump says of it, since "parking to wait for" is printed alike for a
// ReentrantLock, a Condition and a CountDownLatch.
const (
	kindMonitor   = "monitor"   // a synchronized monitor
	kindOwnable   = "ownable"   // an AbstractOwnableSynchronizer: ReentrantLock, ReentrantReadWriteLock
	kindCondition = "condition" // a Condition's queue: the waiter holds nothing
	kindParker    = "parker"    // any other park blocker: a latch, a future
)

// lock is one object the dump mentions, gathered from all its mentions.
type lock struct {
	id, addr        string
	class, forClass string
	monitor         bool // some mention is a monitor operation
	ownable         bool // some mention says it is an ownable synchronizer
	// expr and exprClass are the source expression a thread waits on it
	// through, and the class of that code, when source is available.
	expr, exprClass string
	kind, name      string // set by resolve
}

// see merges one mention into l.
func (l *lock) see(r *lockRef) {
	if l.class == "" {
		l.class, l.forClass = r.class, r.forClass
	}
	switch r.verb {
	case verbLocked, verbWaitLock, verbWaitOn, verbRelock:
		l.monitor = true
	}
	if r.ownable {
		l.ownable = true
	}
	if r.verb == verbDeadlockWait && !r.ownable {
		l.monitor = true
	}
}

// resolve settles l's kind and name once every mention is in.
func (l *lock) resolve() {
	switch {
	case l.ownable, strings.HasPrefix(l.class, "java.util.concurrent.locks.Reentrant"):
		l.kind = kindOwnable
	case l.monitor:
		l.kind = kindMonitor
	case strings.HasSuffix(l.class, "$ConditionObject"):
		l.kind = kindCondition
	default:
		l.kind = kindParker
	}
	l.name = l.plainName()
	if l.expr != "" {
		l.name = qualify(l.expr, l.exprClass) + " (" + l.name + ")"
	}
}

// plainName is "java.lang.Object <0x...>", or "Foo.class <0x...>" for
// the monitor of a class.
func (l *lock) plainName() string {
	switch {
	case l.forClass != "":
		return l.forClass + ".class <" + l.addr + ">"
	case l.class != "":
		return l.class + " <" + l.addr + ">"
	}
	return "<" + l.addr + ">"
}

// qualify names a lock expression after the class whose code uses it:
// a bare identifier or this.field reads as Class.field.
func qualify(expr, class string) string {
	if class == "" {
		return expr
	}
	if f, ok := strings.CutPrefix(expr, "this."); ok {
		expr = f
	}
	if expr == "this" || isIdent(expr) {
		return class + "." + expr
	}
	return expr
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

package jvm

import (
	"strings"

	"github.com/tagdebug/tag/internal/evidence"
)

// verb is what a lock line says a thread does with an object.
type verb uint8

const (
	verbLocked       verb = iota // "- locked": holds the monitor
	verbWaitLock                 // "- waiting to lock": blocked entering it
	verbWaitOn                   // "- waiting on": in Object.wait, released it
	verbRelock                   // "- waiting to re-lock in wait()": notified, re-entering
	verbPark                     // "- parking to wait for": LockSupport.park blocker
	verbEliminated               // "- eliminated": the JIT removed the locking
	verbOwned                    // a "Locked ownable synchronizers" entry
	verbDeadlockWait             // a deadlock report's "waiting to lock"/"waiting for"
	verbDeadlockHeld             // a deadlock report's "which is held by"
)

var verbs = map[string]verb{
	"locked":                       verbLocked,
	"waiting to lock":              verbWaitLock,
	"waiting on":                   verbWaitOn,
	"waiting to re-lock in wait()": verbRelock,
	"parking to wait for":          verbPark,
	"eliminated":                   verbEliminated,
}

// lockRef is one mention of an object in a thread's block.
type lockRef struct {
	verb  verb
	addr  string // normalised "0x..." object address
	class string // "java.lang.Object"
	// forClass is set for a class's monitor ("a java.lang.Class for Foo"),
	// taken by a static synchronized method.
	forClass string
	// frame is the index of the frame the line follows, -1 if none.
	frame int
	off   int64
	// ownable is set by a deadlock report naming an ownable synchronizer.
	ownable bool
}

// lockLine reads "waiting to lock <0x...> (a java.lang.Object)" (the
// text after "- "). Lines naming no object ("waiting on <no object
// reference available>", "eliminated <owner is scalar replaced>") and
// verbs this decoder does not know are skipped.
func (t *thread) lockLine(in *evidence.Input, l line, s string) error {
	v, obj, tail, ok := cutLockLine(s)
	if !ok {
		return evidence.Errorf(in, l.off, "malformed lock line: want \"- <verb> <0x...> (a Class)\"")
	}
	vb, known := verbs[v]
	addr, isAddr := normAddr(obj)
	if !known || !isAddr {
		return nil
	}
	r := lockRef{verb: vb, addr: addr, frame: t.nframes - 1, off: l.off}
	r.class, r.forClass = objectClass(tail)
	t.locks = append(t.locks, r)
	return nil
}

// ownableLine reads an entry of "Locked ownable synchronizers":
// "<0x...> (a java.util.concurrent.locks.ReentrantLock$NonfairSync)" or
// "None".
func (t *thread) ownableLine(in *evidence.Input, l line, s string) error {
	if s == "None" {
		return nil
	}
	v, obj, tail, ok := cutLockLine(s)
	addr, isAddr := normAddr(obj)
	if !ok || v != "" || !isAddr {
		return evidence.Errorf(in, l.off, "malformed ownable synchronizer: want \"- <0x...> (a Class)\"")
	}
	r := lockRef{verb: verbOwned, addr: addr, frame: -1, off: l.off, ownable: true}
	r.class, _ = objectClass(tail)
	t.locks = append(t.locks, r)
	return nil
}

// cutLockLine splits "verb <object> tail".
func cutLockLine(s string) (v, obj, tail string, ok bool) {
	lt := strings.IndexByte(s, '<')
	if lt < 0 {
		return "", "", "", false
	}
	gt := strings.IndexByte(s[lt:], '>')
	if gt < 0 {
		return "", "", "", false
	}
	return strings.TrimSpace(s[:lt]), s[lt+1 : lt+gt], strings.TrimSpace(s[lt+gt+1:]), true
}

// objectClass reads "(a java.lang.Object)" and "(a java.lang.Class for
// Foo)".
func objectClass(tail string) (class, forClass string) {
	tail, ok := strings.CutPrefix(tail, "(a ")
	if !ok {
		return "", ""
	}
	tail, _, _ = strings.Cut(tail, ")")
	class, forClass, _ = strings.Cut(tail, " for ")
	return clip(class), clip(forClass)
}

// normAddr accepts "0x" and 1 to 16 hex digits, returned in lower case.
func normAddr(s string) (string, bool) {
	h, ok := strings.CutPrefix(s, "0x")
	if !ok || h == "" || len(h) > 16 {
		return "", false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return "", false
		}
	}
	return "0x" + strings.ToLower(h), true
}

package godump

import (
	"slices"
	"strconv"
	"strings"
)

// Go prints no lock table. What a dump does say is which goroutines are
// parked inside sync.(*Mutex).Lock and friends, and the arguments of
// every frame; from those this file derives
//
//   - waits: the lock a goroutine is acquiring, read off its own stack
//     (stated by the dump, so not marked inferred), and
//   - holds: the locks it probably owns, inferred from arguments (marked
//     inferred.from="args").
//
// The holds heuristic: goroutine G holds lock L, at address l, when a
// frame of G has a pointer argument p with p <= l < p+holdSpan, i.e. the
// frame received a struct of which L is a field, except the frame that
// called Lock for L itself when L is the lock G is waiting for. Only
// locks some goroutine waits for are considered, since nothing else can
// take part in a deadlock. This catches AB-BA deadlocks (transfer(a, b)
// receives both; the one it waits for is excluded from that frame) and
// double locks (Get(c) calls refresh(c), which calls c.mu.Lock: refresh
// is excluded, Get's argument says c.mu is held).
//
// Its limits, which is why the edges are marked inferred:
//   - a frame that receives a struct does not always lock it, so a
//     goroutine waiting on s.mu below Handle(s) → process(s) is taken to
//     hold s.mu through Handle's frame: a false double lock;
//   - locks reached through another pointer (a.b.mu with b allocated
//     separately), global mutexes, and locks whose holder kept no frame
//     mentioning them (the holder returned without unlocking, or the
//     argument was optimised away) are missed;
//   - small objects allocated next to each other (closer than holdSpan)
//     can make a pointer to one look like a pointer to the other's lock;
//   - arguments the runtime marks "?" (possibly stale register values)
//     are used too, since optimised builds print little else.

// holdSpan is how far past a received pointer a lock may lie and still
// count as a field of the struct the frame received. Structs that put a
// mutex beyond 256 bytes are rare; a wider span costs false holds.
const holdSpan = 256

// lockOp classifies the frames of the sync package's lock paths.
type lockOp uint8

const (
	opNone  lockOp = iota
	opSema         // runtime semaphore the slow path parks on
	opSlow         // (*Mutex).lockSlow: its argument is the mutex, exactly
	opLock         // sync.(*Mutex).Lock, sync.(*RWMutex).Lock
	opRLock        // sync.(*RWMutex).RLock
)

// lockFrame reports which lock-path frame fn is, and whether the lock is
// a RWMutex.
func lockFrame(fn string) (op lockOp, rw bool) {
	switch fn {
	case "sync.(*Mutex).Lock", "internal/sync.(*Mutex).Lock":
		return opLock, false
	case "sync.(*RWMutex).Lock":
		return opLock, true
	case "sync.(*RWMutex).RLock":
		return opRLock, true
	case "sync.(*Mutex).lockSlow", "internal/sync.(*Mutex).lockSlow":
		return opSlow, false
	case "sync.runtime_SemacquireMutex", "internal/sync.runtime_SemacquireMutex":
		return opSema, false
	case "sync.runtime_SemacquireRWMutexR", "sync.runtime_SemacquireRWMutex":
		return opSema, true
	}
	return opNone, false
}

// wait is the lock a goroutine is parked on.
type wait struct {
	addr   uint64
	rw     bool
	read   bool   // RLock
	from   string // what gave the address: "lockSlow", "Lock", "caller"
	caller int    // index of the frame that called Lock
}

// lockWait finds the lock g waits for, reading its frames innermost
// first: runtime frames (GOTRACEBACK=system shows gopark and friends),
// then the sync package's lock path, then the caller.
func lockWait(g *goroutine) (w wait, ok bool) {
	if g.reason == "running" || g.reason == "dead" {
		return w, false
	}
	seen := false
	var slow, lock string // argument lists
	i := 0
	for ; i < len(g.frames); i++ {
		fn := g.frames[i].Function
		op, rw := lockFrame(fn)
		if op == opNone {
			if strings.HasPrefix(fn, "runtime.") && !seen {
				continue
			}
			break
		}
		seen = true
		w.rw = w.rw || rw
		switch op {
		case opSlow:
			slow = g.frames[i].args
		case opLock:
			lock = g.frames[i].args
		case opRLock:
			lock, w.read = g.frames[i].args, true
		}
	}
	if !seen || i >= len(g.frames) {
		return w, false
	}
	w.caller = i
	// RWMutex.Lock parks in lockSlow of its embedded writer mutex, which
	// sits at offset 0, so the exact address serves both kinds.
	if a, ok := firstWord(slow, true); ok {
		w.addr, w.from = a, "lockSlow"
		return w, true
	}
	if a, ok := firstWord(lock, true); ok {
		w.addr, w.from = a, "Lock"
		return w, true
	}
	// Lock was inlined into its caller: the caller's first argument is
	// the struct holding the mutex (s for s.mu.Lock()), the best address
	// there is.
	for j := i; j < len(g.frames); j++ {
		if g.frames[j].inlined() {
			continue
		}
		if a, ok := firstWord(g.frames[j].args, false); ok {
			w.addr, w.from = a, "caller"
			return w, true
		}
		break
	}
	for _, args := range []string{slow, lock} {
		if a, ok := firstWord(args, false); ok {
			w.addr, w.from = a, "Lock"
			return w, true
		}
	}
	return w, false
}

// firstWord returns the first argument word of args when it is a
// plausible pointer; exact refuses words the runtime marked with "?".
func firstWord(args string, exact bool) (uint64, bool) {
	if args == "" || args == "..." {
		return 0, false
	}
	first, _, _ := strings.Cut(args, ",")
	var v uint64
	ok := false
	hexWords(strings.TrimLeft(first, "{"), func(w uint64, inexact bool) {
		if !ok && w >= minPointer && (!exact || !inexact) {
			v, ok = w, true
		}
	})
	return v, ok
}

// minPointer excludes small integers from being taken for pointers.
const minPointer = 0x1000

// holds infers which of the waited-for locks (sorted addresses) g holds.
// skip is the lock g itself waits for and caller the frame that called
// Lock for it (-1 when g waits for nothing).
func holds(g *goroutine, locks []uint64, skip uint64, caller int, out []uint64) []uint64 {
	out = out[:0]
	for i := range g.frames {
		fr := &g.frames[i]
		if fr.args == "" || fr.args == "..." || isSyncPkg(fr.Module) {
			continue
		}
		hexWords(fr.args, func(p uint64, _ bool) {
			if p < minPointer {
				return
			}
			k, _ := slices.BinarySearch(locks, p)
			for ; k < len(locks) && locks[k] < p+holdSpan; k++ {
				if i == caller && locks[k] == skip {
					continue
				}
				if !slices.Contains(out, locks[k]) {
					out = append(out, locks[k])
				}
			}
		})
	}
	return out
}

// isSyncPkg reports whether pkg is part of the runtime or the lock
// implementation, whose frames receive the lock itself.
func isSyncPkg(pkg string) bool {
	return pkg == "runtime" || pkg == "sync" || pkg == "internal/sync" || strings.HasPrefix(pkg, "runtime/") ||
		strings.HasPrefix(pkg, "internal/runtime/")
}

// hexAddr formats an address the way Go prints pointers.
func hexAddr(a uint64) string { return "0x" + strconv.FormatUint(a, 16) }

package lockgraph

import "github.com/tagdebug/tag/epg"

// Attributes the Go execution-trace decoder puts on lock edges and nodes
// (internal/evidence/gotrace).
const (
	attrWaitCount   = "wait.count"
	attrWaitTotal   = "wait.total_ns"
	attrWaitMax     = "wait.max_ns"
	attrWaitFirst   = "wait.first_unix_nano"
	attrWaitLast    = "wait.last_unix_nano"
	attrWaitPending = "wait.pending"
	attrHoldFirst   = "hold.first_unix_nano"
	attrHoldLast    = "hold.last_unix_nano"
	attrLockSite    = "lock.site"
	attrLockCount   = "lock.wait.count"
	attrLockTotal   = "lock.wait.total_ns"
	attrLockMax     = "lock.wait.max_ns"
)

// modeCondition is the lock.mode of a wait to be notified (Object.wait,
// a Condition): the waiter released the lock, so it blocks nobody and is
// blocked by no holder.
const modeCondition = "condition"

// inferredUnblock marks a hold deduced from a release that woke a waiter.
const inferredUnblock = "unblock"

// current reports whether a holds or waits edge states one moment (a
// dump) rather than summarising a recording (an execution trace). A wait
// that ended, or a hold deduced from a later release, says nothing about
// what was held while another thread waited, so only current edges close
// cycles and show acquisition order.
func current(e *epg.Edge) bool {
	if e.Attrs.Str(epg.AttrHowInferred) == inferredUnblock {
		return false
	}
	if v, ok := e.Attrs.Get(attrWaitPending); ok {
		return v.BoolVal()
	}
	_, summary := e.Attrs.Get(attrWaitCount)
	return !summary
}

func intAttr(a epg.Attrs, key string) int64 {
	v, _ := a.Get(key)
	return v.IntVal()
}

// inferredFrom returns what an inferred edge was deduced from.
func inferredFrom(e *epg.Edge) string {
	if !e.Inferred {
		return ""
	}
	if s := e.Attrs.Str(epg.AttrHowInferred); s != "" {
		return s
	}
	return "inferred"
}

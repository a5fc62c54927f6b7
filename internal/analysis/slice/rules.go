package slice

import "github.com/tagdebug/tag/epg"

// Rule says that a walk follows edges of Kind in Dir: [epg.Forward] from an
// edge's source to its target, [epg.Backward] from target to source,
// [epg.Both] either way.
type Rule struct {
	Kind epg.EdgeKind
	Dir  epg.Direction
}

// DefaultEdges returns the edge kinds a slice follows unless told
// otherwise: every kind that carries control, data or time order.
func DefaultEdges() []epg.EdgeKind {
	return []epg.EdgeKind{
		epg.EdgeCall, epg.EdgeEmits, epg.EdgeCausedBy, epg.EdgeHappensBefore,
		epg.EdgeIO, epg.EdgeWaits, epg.EdgeHolds, epg.EdgeRef, epg.EdgeCorrelates,
		epg.EdgeOn, epg.EdgeAlloc, epg.EdgeFollowsFrom,
	}
}

// CauseDir returns the direction in which an edge of kind k leads from an
// effect to its cause, which is the way a backward slice follows it.
//
// Most edges point from cause to effect (caller→callee, emitter→event,
// earlier→later, allocating frame→object, referrer→object), so a backward
// slice walks them target to source. Two point the other way: caused_by
// goes from an exception to its cause, and waits goes from a blocked
// thread to the lock it needs, whose holders (reached over holds) are what
// blocked it. A log and its span (correlates) explain each other, so that
// edge is followed both ways.
func CauseDir(k epg.EdgeKind) epg.Direction {
	switch k {
	case epg.EdgeCausedBy, epg.EdgeWaits:
		return epg.Forward
	case epg.EdgeCorrelates:
		return epg.Both
	}
	return epg.Backward
}

// BackwardRules returns rules that follow each of kinds (all of
// [DefaultEdges] when none are given) from effect to cause.
func BackwardRules(kinds ...epg.EdgeKind) []Rule {
	if len(kinds) == 0 {
		kinds = DefaultEdges()
	}
	rules := make([]Rule, len(kinds))
	for i, k := range kinds {
		rules[i] = Rule{Kind: k, Dir: CauseDir(k)}
	}
	return rules
}

// ForwardRules returns rules that follow each of kinds (all of
// [DefaultEdges] when none are given) from cause to effect: the reverse of
// [BackwardRules].
func ForwardRules(kinds ...epg.EdgeKind) []Rule {
	rules := BackwardRules(kinds...)
	for i := range rules {
		rules[i].Dir = reverse(rules[i].Dir)
	}
	return rules
}

func reverse(d epg.Direction) epg.Direction {
	var r epg.Direction
	if d&epg.Forward != 0 {
		r |= epg.Backward
	}
	if d&epg.Backward != 0 {
		r |= epg.Forward
	}
	return r
}

// KindSet is a set of node kinds. The zero KindSet stands for every kind.
type KindSet uint32

// Kinds returns the set holding ks.
func Kinds(ks ...epg.NodeKind) KindSet {
	var s KindSet
	for _, k := range ks {
		s |= 1 << (k & 31)
	}
	return s
}

// Has reports whether k is in s; every kind is in the zero set.
func (s KindSet) Has(k epg.NodeKind) bool { return s == 0 || s&(1<<(k&31)) != 0 }

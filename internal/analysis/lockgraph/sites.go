package lockgraph

import (
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/tagdebug/tag/epg"
)

// Acquisition sites. A dump shows where each thread is now, not the line
// that took each lock it holds, so sites are read as follows:
//
//   - an edge that names its frame (attribute frame.index) is taken at
//     its word;
//   - a lock identified by the call site that takes it (execution traces
//     key locks by lock.site) is acquired there by its waiters, and by a
//     holder deduced from a release only if it waited there too (else
//     its site is unknown);
//   - a waiter is acquiring the lock in its innermost in-app frame, the
//     one that called into the lock implementation;
//   - a thread that waits for a lock it already holds took it first in
//     the in-app frame above the one now waiting (Get → refresh, both
//     locking c.mu);
//   - any other holder holds the lock in its innermost in-app frame,
//     which for the threads of a deadlock is the function that took the
//     first lock and is waiting for the second.

// stack returns thread t's own frames (not its creation stack),
// innermost first.
func (a *analyzer) stack(t int32) []int32 {
	if s, ok := a.stacks[t]; ok {
		return s
	}
	g := a.g
	var fs []int32
	for _, f := range g.Parents(t, epg.EdgeOn) {
		n := g.Node(f)
		if n.Kind != epg.KindFrame {
			continue
		}
		if v, _ := n.Attr(epg.AttrFrameCreatedBy); v.BoolVal() {
			continue
		}
		fs = append(fs, f)
	}
	slices.SortFunc(fs, func(x, y int32) int {
		ix, iy := intAttr(g.Node(x).Attrs, epg.AttrFrameIndex), intAttr(g.Node(y).Attrs, epg.AttrFrameIndex)
		if ix != iy {
			return int(ix - iy)
		}
		return strings.Compare(g.Node(x).ID, g.Node(y).ID)
	})
	a.stacks[t] = fs
	return fs
}

// inApp returns thread t's in-app frames, innermost first.
func (a *analyzer) inApp(t int32) []int32 {
	var out []int32
	for _, f := range a.stack(t) {
		if l := a.g.Node(f).Loc; l != nil && l.InApp {
			out = append(out, f)
		}
	}
	return out
}

// nodeSite makes a site of a node's location.
func nodeSite(n *epg.Node, from string) *Site {
	if n.Loc.IsZero() {
		return nil
	}
	return &Site{Node: n.ID, File: n.Loc.File, Line: n.Loc.Line, Function: n.Loc.Function, From: from}
}

// edgeSite returns the frame an edge names through frame.index.
func (a *analyzer) edgeSite(t int32, e *epg.Edge) *Site {
	v, ok := e.Attrs.Get(epg.AttrFrameIndex)
	if !ok {
		return nil
	}
	for _, f := range a.stack(t) {
		if intAttr(a.g.Node(f).Attrs, epg.AttrFrameIndex) == v.IntVal() {
			return nodeSite(a.g.Node(f), "edge")
		}
	}
	return nil
}

// lockSite returns the site a lock is identified by, if it is.
func lockSite(n *epg.Node) *Site {
	if _, ok := n.Attr(attrLockSite); !ok {
		return nil
	}
	return nodeSite(n, "lock-site")
}

// waitSite returns where thread t is acquiring lock l.
func (a *analyzer) waitSite(t int32, l *epg.Node, e *epg.Edge) *Site {
	if s := a.edgeSite(t, e); s != nil {
		return s
	}
	if s := lockSite(l); s != nil {
		return s
	}
	if fs := a.inApp(t); len(fs) > 0 {
		return nodeSite(a.g.Node(fs[0]), "stack")
	}
	return nodeSite(a.g.Node(t), "thread")
}

// holdSite returns where thread t acquired lock l, or nil when the
// artifact does not say. waitsNow says t is waiting for l too; waited
// that t ever waited for it.
func (a *analyzer) holdSite(t int32, l *epg.Node, e *epg.Edge, waitsNow, waited bool) *Site {
	if s := a.edgeSite(t, e); s != nil {
		return s
	}
	if !current(e) {
		// A hold deduced from a release: the holder's stack in the
		// recording is wherever it was last seen. It took a lock known
		// by its call site there only if it waited there.
		if waited {
			return lockSite(l)
		}
		return nil
	}
	fs := a.inApp(t)
	if waitsNow && len(fs) > 1 {
		return nodeSite(a.g.Node(fs[1]), "caller")
	}
	if len(fs) > 0 {
		return nodeSite(a.g.Node(fs[0]), "stack")
	}
	if s := lockSite(l); s != nil {
		return s
	}
	return nodeSite(a.g.Node(t), "thread")
}

// String returns "main.go:30 main.(*Store).Transfer" for summaries.
func (s *Site) String() string {
	if s == nil {
		return "unknown site"
	}
	out := path.Base(s.File) + ":" + strconv.Itoa(s.Line)
	if s.Function != "" {
		out += " " + s.Function
	}
	return out
}

package gotrace

import (
	"strconv"
	"strings"

	"golang.org/x/exp/trace"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
)

// lockAgg is one lock, identified by the call site that acquires it.
type lockAgg struct {
	id, name, site, fn string
	kind               string
	count, total, max  int64
	waits              map[*goroutine]*waitAgg
	waitSeq            []*waitAgg
	holds              map[*goroutine]*holdAgg
	holdSeq            []*holdAgg
}

// waitAgg is one goroutine's waits for one lock.
type waitAgg struct {
	g                 *goroutine
	count, total, max int64
	first, last       int64 // start of the first wait, end of the last (Unix ns)
	mode              string
	pending           bool // still waiting when the trace ended
	before            bool // a wait began before the trace: totals are lower bounds
}

// holdAgg is one goroutine's inferred holds of one lock: the times it
// released the lock to a waiter.
type holdAgg struct {
	g                  *goroutine
	count, first, last int64
}

// lock returns the lock acquired by si's site, creating it when there is
// room.
func (c *converter) lock(si *stackInfo) *lockAgg {
	if l, ok := c.locks[si.site]; ok {
		return l
	}
	if len(c.lockSeq) >= c.lim.Locks {
		c.dropped.locks++
		return nil
	}
	top := si.topFrame()
	l := &lockAgg{
		id:    epg.LockNodeID(c.scope, si.site),
		site:  si.site,
		fn:    top.Function,
		kind:  si.lockKind,
		waits: make(map[*goroutine]*waitAgg),
		holds: make(map[*goroutine]*holdAgg),
	}
	l.name = lockName(c.in.SourceRoots, top.File, top.Line)
	if l.name == "" {
		l.name = top.Function + ":" + strconv.Itoa(top.Line)
	}
	c.locks[si.site] = l
	c.lockSeq = append(c.lockSeq, l)
	return l
}

// wait records that g waited d ns for l, from start to end.
func (l *lockAgg) wait(g *goroutine, start, end, d int64, mode string) *waitAgg {
	w := l.waits[g]
	if w == nil {
		w = &waitAgg{g: g, first: start, mode: mode}
		l.waits[g] = w
		l.waitSeq = append(l.waitSeq, w)
	}
	w.count++
	w.total += d
	w.max = max(w.max, d)
	w.last = end
	l.count++
	l.total += d
	l.max = max(l.max, d)
	return w
}

// held records that g released l at t, waking a waiter.
func (l *lockAgg) held(g *goroutine, t int64) {
	h := l.holds[g]
	if h == nil {
		h = &holdAgg{g: g, first: t}
		l.holds[g] = h
		l.holdSeq = append(l.holdSeq, h)
	}
	h.count++
	h.last = t
}

// lockName reads the statement that took the lock and returns the
// expression locked ("inv.mu" from "inv.mu.Lock()"), when source roots
// are given. Without them no file is opened: the trace names the files,
// and the trace is not trusted to pick what TAG reads.
func lockName(roots []string, file string, line int) string {
	if len(roots) == 0 {
		return ""
	}
	src, ok := evidence.SourceLine(roots, file, line)
	if !ok {
		return ""
	}
	for _, call := range []string{".RLock()", ".Lock()"} {
		if i := strings.Index(src, call); i > 0 {
			j := i
			for j > 0 && isExprByte(src[j-1]) {
				j--
			}
			if j < i {
				return src[j:i]
			}
		}
	}
	return ""
}

func isExprByte(b byte) bool {
	return b == '.' || b == '_' || b == '*' || b == '(' || b == ')' || b == '[' || b == ']' ||
		'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b >= 0x80
}

// hbAgg is every ordering from one goroutine to another: the go statement
// and the wake-ups.
type hbAgg struct {
	from, to    *goroutine
	count       int64
	created     trace.Time // go statement (trace time), 0 if none
	unblocks    int64
	first, last int64
	reasons     []string
}

// hb returns the pair's aggregate, creating it when there is room.
func (c *converter) hb(from, to *goroutine) *hbAgg {
	k := [2]trace.GoID{from.id, to.id}
	if h, ok := c.hbs[k]; ok {
		return h
	}
	if len(c.hbSeq) >= c.lim.Edges {
		c.dropped.edges++
		return nil
	}
	h := &hbAgg{from: from, to: to}
	c.hbs[k] = h
	c.hbSeq = append(c.hbSeq, h)
	from.inHappensBy, to.inHappensBy = true, true
	return h
}

func (h *hbAgg) unblock(reason string, t int64) {
	if h.unblocks == 0 {
		h.first = t
	}
	h.unblocks++
	h.count++
	h.last = t
	for _, r := range h.reasons {
		if r == reason {
			return
		}
	}
	if len(h.reasons) < 8 {
		h.reasons = append(h.reasons, reason)
	}
}

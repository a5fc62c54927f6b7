package capture

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tagdebug/tag/sdk/go/capsule"
)

// slowLook is one look of the watchdog that found requests running past
// LatencyThreshold: the goroutine dump it took, and the requests then in
// flight on the late requests' routes, recorded as capsules. A late
// request's capsule carries both: the dump shows what it waited for, and
// its company is what a replay must serve with it for the wait to come
// back (contention needs the contenders).
type slowLook struct {
	dump    []capsule.Attachment
	routes  []string // the late requests' routes, sorted, as the header names them
	company []companion
}

// dumpFor returns the look's dump as st's capsule carries it. A request
// that joins a look it was not late in (it started before the dump and
// became late before the next one was due) on a route the header does
// not name gets its own copy with the route added to the first line, so
// every slow dump's header names the request it is kept for.
func (l *slowLook) dumpFor(st *state) []capsule.Attachment {
	if len(l.dump) == 0 || slices.Contains(l.routes, st.route) {
		return l.dump
	}
	a := l.dump[0]
	head, rest, _ := bytes.Cut(a.Data, []byte("\n"))
	data := make([]byte, 0, len(a.Data)+len(st.route)+32)
	data = append(data, head...)
	data = append(data, "; in flight then, late since: "...)
	data = append(data, st.route...)
	data = append(data, '\n')
	a.Data = append(data, rest...)
	return append([]capsule.Attachment{a}, l.dump[1:]...)
}

// companion is one request of a look's company and its capsule.
type companion struct {
	st *state
	c  *capsule.Capsule
}

// peersOf returns the look's company on st's route, without st itself:
// requests of other routes late in the same look (a deadlock elsewhere)
// are not what st queued behind.
func (l *slowLook) peersOf(st *state) []*capsule.Capsule {
	var out []*capsule.Capsule
	for _, p := range l.company {
		if p.st != st && p.st.route == st.route {
			out = append(out, p.c)
		}
	}
	return out
}

// maxSlowDump bounds a slow-request dump: a service with many thousands
// of goroutines keeps the first ones whole (the runtime prints the
// requests' goroutines by ID, oldest first) rather than a large capsule.
const maxSlowDump = 1 << 20

// maxCompany bounds the requests recorded with a look: as many as a
// timeout's replay serves at once (package repro), enough to queue again.
const maxCompany = 12

// lookForSlow gives the requests running past LatencyThreshold (and not
// kept yet) a look: a goroutine dump taken while they run — where they
// wait, a lock held across slow work or a full channel, is gone by the
// time they finish — and their company. One look serves every request
// found late in it, and looks are at most one per LatencyThreshold,
// since a dump stops the world briefly. The limit never leaves a request
// without one: a request not running at the last look started after it,
// so it becomes late only once LatencyThreshold has passed since.
func (r *Recorder) lookForSlow(now time.Time) {
	var late []*state
	for _, st := range r.inflight.older(now.Add(-r.opts.LatencyThreshold)) {
		if st.needsLook() {
			late = append(late, st)
		}
	}
	if len(late) == 0 {
		return
	}
	if r.slowLast == nil || now.Sub(r.slowAt) >= r.opts.LatencyThreshold {
		l := r.look(late, now)
		if l == nil {
			return
		}
		r.slowAt, r.slowLast = now, l
	}
	for _, st := range late {
		if st.start.Before(r.slowAt) {
			st.setLook(r.slowLast)
		}
	}
}

// look takes the dump for the late requests and records their company:
// the late ones first, then the other requests on their routes, oldest
// first, up to maxCompany. Everything here runs on the watchdog's
// goroutine, never on a request's path.
func (r *Recorder) look(late []*state, now time.Time) *slowLook {
	routes := make([]string, 0, len(late))
	for _, st := range late {
		routes = append(routes, st.route)
	}
	slices.Sort(routes)
	routes = slices.Compact(routes)
	header := fmt.Sprintf("%s%d requests past the %v latency threshold: %s", capsule.SlowHeader,
		len(late), r.opts.LatencyThreshold, strings.Join(routes, ", "))
	a, ok := r.goroutineDump(header, maxSlowDump)
	if !ok {
		return nil
	}
	l := &slowLook{dump: []capsule.Attachment{a}, routes: routes}
	others := r.inflight.older(now)
	slices.SortFunc(others, func(a, b *state) int { return a.start.Compare(b.start) })
	for _, st := range append(slices.Clone(late), others...) {
		if len(l.company) == maxCompany {
			break
		}
		if !slices.Contains(routes, st.route) || slices.ContainsFunc(l.company, func(p companion) bool { return p.st == st }) {
			continue
		}
		c := r.build(st, capsule.PromotedLatency, now.Sub(st.start))
		c.Env = capsule.Env{} // the late request's capsule says it once
		// Company belongs to the capsule that recorded it, not to its
		// own trace: tied to that trace it would stand beside the
		// request's own capsule as a second recording of it.
		c.TraceID, c.SpanID = "", ""
		l.company = append(l.company, companion{st, c})
	}
	return l
}

// needsLook reports whether st is neither kept nor given a look yet.
func (st *state) needsLook() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return !st.hung && st.slow == nil
}

func (st *state) setLook(l *slowLook) {
	st.mu.Lock()
	st.slow = l
	st.mu.Unlock()
}

// slowLook returns the watchdog's look at st, if it took one.
func (st *state) slowLook() *slowLook {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.slow
}

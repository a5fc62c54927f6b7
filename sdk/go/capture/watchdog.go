package capture

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tagdebug/tag/sdk/go/capsule"
)

// watchdog looks at the in-flight requests a few times per Deadline (or
// LatencyThreshold, when shorter). Requests older than Deadline are kept
// as hangs with one goroutine dump (and flight-recorder snapshot) shared
// by all found in the same look, so the blocked-lock evidence exists even
// when nothing crashes — a deadlocked request never ends, so its span
// may never be exported. Requests past LatencyThreshold get a dump too
// (lookForSlow), which their capsules carry if they are kept.
func (r *Recorder) watchdog() {
	defer r.stopped.Done()
	t := time.NewTicker(watchTick(r.opts.Deadline, r.opts.LatencyThreshold))
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case now := <-t.C:
			if r.opts.Deadline > 0 {
				r.lookForHangs(now)
			}
			if r.opts.LatencyThreshold > 0 {
				r.lookForSlow(now)
			}
		}
	}
}

// watchTick is how often the watchdog looks: four times per the shorter
// of the positive limits, so a request is seen late within a quarter of
// its limit, but not more often than every 10 ms.
func watchTick(limits ...time.Duration) time.Duration {
	tick := time.Duration(0)
	for _, l := range limits {
		if l > 0 && (tick == 0 || l/4 < tick) {
			tick = l / 4
		}
	}
	return max(tick, 10*time.Millisecond)
}

func (r *Recorder) lookForHangs(now time.Time) {
	var stuck []*state
	for _, st := range r.inflight.older(now.Add(-r.opts.Deadline)) {
		if !st.markKept() {
			stuck = append(stuck, st)
		}
	}
	if len(stuck) == 0 {
		return
	}
	routes := make([]string, 0, len(stuck))
	for _, st := range stuck {
		routes = append(routes, st.route)
	}
	slices.Sort(routes)
	header := fmt.Sprintf("%s%d requests running past the %v deadline: %s", capsule.WatchdogHeader,
		len(stuck), r.opts.Deadline, strings.Join(slices.Compact(routes), ", "))
	snaps := r.snapshotsWith(header, true, false)
	// One capsule per look: the oldest stuck request, the others as its
	// peers (replay needs them together), and the dump that shows them
	// all.
	slices.SortFunc(stuck, func(a, b *state) int { return a.start.Compare(b.start) })
	first := stuck[0]
	c := r.build(first, capsule.PromotedHang, now.Sub(first.start))
	c.Response = capsule.Response{Status: http.StatusGatewayTimeout}
	c.Attachments = snaps
	for _, st := range stuck[1:] {
		p := r.build(st, capsule.PromotedHang, now.Sub(st.start))
		p.Response = capsule.Response{Status: http.StatusGatewayTimeout}
		p.Env = capsule.Env{}
		c.Peers = append(c.Peers, p)
	}
	for _, st := range stuck {
		if st.span.IsRecording() {
			st.span.AddEvent("tag.hang")
		}
		r.annotate(st.span, c)
	}
	r.emit(c)
}

package capture

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tagdebug/tag/sdk/go/capsule"
)

// watchdog looks at the in-flight requests a few times per Deadline;
// requests older than Deadline are kept as hangs with one goroutine dump
// (and flight-recorder snapshot) shared by all found in the same look, so
// the blocked-lock evidence exists even when nothing crashes — a
// deadlocked request never ends, so its span may never be exported.
func (r *Recorder) watchdog() {
	defer r.stopped.Done()
	tick := r.opts.Deadline / 4
	if tick < 10*time.Millisecond {
		tick = 10 * time.Millisecond
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case now := <-t.C:
			r.lookForHangs(now)
		}
	}
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
	for i, st := range stuck {
		c := r.build(st, capsule.PromotedHang, now.Sub(st.start))
		c.Response = capsule.Response{Status: http.StatusGatewayTimeout}
		if i == 0 {
			// One dump shows every stuck goroutine; the other capsules
			// name it through the trace and the time.
			c.Attachments = snaps
		}
		if st.span.IsRecording() {
			st.span.AddEvent("tag.hang")
		}
		r.annotate(st.span, c)
		r.emit(c)
	}
}

package zipkin

import (
	"slices"
	"strings"

	"github.com/tagdebug/tag/epg"
)

// SkewMethod names how this package estimates clock skew.
const SkewMethod = "zipkin-rpc-midpoint"

// AttrSkewCorrectedStart is set on spans and annotations whose clock was
// found skewed: their start on the root span's clock, in Unix ns.
const AttrSkewCorrectedStart = "time.skew_corrected_start_unix_nano"

// estimateSkew walks each span tree from its root, giving every span the
// correction (offset) that puts it on the root's clock. The root's clock
// is the reference. A span in its parent's service shares the parent's
// clock and offset. A server span under a client span of another service
// is checked against the client: if, after the client's own correction,
// the server interval does not lie inside the client interval, the server
// clock is off, and the offset that centres it (equal network latency
// each way) is taken, with half the unexplained latency as error bar.
// A span of another service reached some other way (messaging, a missing
// client half) takes its service's estimate so far, else none.
func (c *converter) estimateSkew() {
	children := make([][]int, len(c.recs))
	var queue []int
	for i := range c.recs {
		if p := c.recs[i].parent; p >= 0 {
			children[p] = append(children[p], i)
		} else {
			queue = append(queue, i)
		}
	}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, ch := range children[p] {
			c.recs[ch].offset = c.childOffset(&c.recs[p], &c.recs[ch])
			queue = append(queue, ch)
		}
	}
	for _, s := range c.skews {
		c.f.Skews = append(c.f.Skews, s)
	}
	slices.SortFunc(c.f.Skews, func(a, b epg.Skew) int { return strings.Compare(a.Service, b.Service) })
}

func (c *converter) childOffset(p, ch *rec) int64 {
	if ch.domain == "" || ch.domain == p.domain {
		return p.offset
	}
	if p.kind != "client" || !(ch.server || ch.kind == "server") || p.start == 0 || p.dur < 0 || ch.start == 0 || ch.dur < 0 {
		return c.skews[ch.service].Offset
	}
	off, errBar, skewed := rpcSkew(p.start+p.offset, p.dur, ch.start, ch.dur)
	if !skewed {
		return 0
	}
	if ch.service != "" {
		if old, ok := c.skews[ch.service]; !ok || errBar < old.Error {
			c.skews[ch.service] = epg.Skew{Service: ch.service, Offset: off, Error: errBar, Method: SkewMethod}
		}
	}
	return off
}

// rpcSkew estimates how far the server's clock is behind the client's
// (add offset to server times) from one RPC: client start and duration
// on the reference clock, server start and duration on its own. skewed is
// false when the server interval fits inside the client's, or when it is
// longer than the client's and so cannot be placed.
func rpcSkew(clientStart, clientDur, serverStart, serverDur int64) (offset, errBar int64, skewed bool) {
	if serverStart >= clientStart && serverStart+serverDur <= clientStart+clientDur {
		return 0, 0, false
	}
	if serverDur > clientDur {
		return 0, 0, false
	}
	latency := (clientDur - serverDur) / 2
	return clientStart + latency - serverStart, latency, true
}

package causality

import (
	"strings"

	"github.com/tagdebug/tag/epg"
)

// candidate is a possible parent of an orphan.
type candidate struct {
	i      int32
	reason string
	// loose is true when the span encloses the orphan only thanks to
	// the uncertainty between their clocks.
	loose bool
	dur   int64
	start int64
}

// better orders candidates: stronger reason, then enclosing outright
// over enclosing within the clocks' uncertainty, then tighter window,
// then node ID.
func (c *Clock) better(a, b candidate) bool {
	if ra, rb := reasonRank[a.reason], reasonRank[b.reason]; ra != rb {
		return ra < rb
	}
	if a.loose != b.loose {
		return b.loose
	}
	if a.dur != b.dur {
		return a.dur < b.dur
	}
	return strings.Compare(c.g.Node(a.i).ID, c.g.Node(b.i).ID) < 0
}

// bestParent picks the orphan's most plausible parent among its trace's
// spans: one that encloses it on the corrected clock (within the
// uncertainty between their clocks), else the trace's earliest root
// that started before it.
func (c *Clock) bestParent(o int32, spans []int32, linked map[int32]int32) (int32, string, bool) {
	os, oe, ok := c.window(o)
	if !ok {
		return 0, "", false
	}
	on := c.g.Node(o)
	var best, root candidate
	found, haveRoot := false, false
	for _, p := range spans {
		if p == o || c.below(p, o, linked) {
			continue
		}
		ps, pe, ok := c.window(p)
		if !ok {
			continue
		}
		pn := c.g.Node(p)
		u := max(c.relErr(pn.Service, on.Service), c.resolution(pn.Service), c.resolution(on.Service))
		if ps-u > os {
			continue
		}
		if oe <= pe+u {
			cand := candidate{i: p, reason: c.reason(pn, on), loose: ps > os || oe > pe, dur: pe - ps, start: ps}
			if !found || c.better(cand, best) {
				best, found = cand, true
			}
		}
		if !c.hasCaller(p) && pn.Attrs.Str(epg.AttrParentSpanID) == "" && (!haveRoot || ps < root.start ||
			ps == root.start && strings.Compare(pn.ID, c.g.Node(root.i).ID) < 0) {
			root, haveRoot = candidate{i: p, reason: ReasonTraceRoot, start: ps}, true
		}
	}
	if found {
		return best.i, best.reason, true
	}
	return root.i, root.reason, haveRoot
}

// window returns a span's corrected start and end.
func (c *Clock) window(i int32) (int64, int64, bool) {
	id := c.g.Node(i).ID
	s, err := c.At(Instant{Node: id})
	if err != nil {
		return 0, 0, false
	}
	e, err := c.At(Instant{Node: id, End: true})
	if err != nil {
		return 0, 0, false
	}
	return s.Unix, max(e.Unix, s.Unix), true
}

// reason says how strongly span p looks like orphan o's caller.
func (c *Clock) reason(p, o *epg.Node) string {
	pk, ok := p.Attrs.Str(epg.AttrSpanKind), o.Attrs.Str(epg.AttrSpanKind)
	client := pk == "client" || pk == "producer"
	switch {
	case client && o.Service != "" && c.peerIs(p, o.Service):
		return ReasonPeer
	case client && (ok == "server" || ok == "consumer") && p.Service != o.Service:
		return ReasonRPC
	case p.Service == o.Service:
		return ReasonService
	}
	return ReasonWindow
}

// peerAttrs name the remote side of a client span.
var peerAttrs = []string{"peer.service", "server.address", "net.peer.name", "rpc.service"}

// peerIs reports whether client span p names service as its peer, by
// attribute or by an io edge to the service's resource node.
func (c *Clock) peerIs(p *epg.Node, service string) bool {
	for _, k := range peerAttrs {
		if strings.EqualFold(p.Attrs.Str(k), service) {
			return true
		}
	}
	i, _ := c.g.Lookup(p.ID)
	res := epg.ResourceNodeID(service)
	for _, r := range c.g.Children(i, epg.EdgeIO) {
		if c.g.Node(r).ID == res {
			return true
		}
	}
	return false
}

// below reports whether span p lies below span o, through call edges or
// links made so far: linking o under p would then close a cycle.
func (c *Clock) below(p, o int32, linked map[int32]int32) bool {
	seen := map[int32]bool{p: true}
	queue := []int32{p}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		if v == o {
			return true
		}
		ups := c.g.Parents(v, epg.EdgeCall)
		if l, ok := linked[v]; ok {
			ups = append(ups, l)
		}
		for _, u := range ups {
			if !seen[u] {
				seen[u] = true
				queue = append(queue, u)
			}
		}
	}
	return false
}

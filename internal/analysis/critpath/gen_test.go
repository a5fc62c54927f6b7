package critpath

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"

	"github.com/tagdebug/tag/epg"
)

// genTrace generates one trace of n spans shaped like a fan-out service
// call tree: each span calls up to eight children laid out in sequential
// stages whose members run in parallel; a few children outlive their
// parent; a few are fire-and-forget (follows_from, no parent); and one
// service's clock runs 3 ms behind, with the skew estimate recorded.
func genTrace(n int, seed uint64) (*epg.Graph, string) {
	rng := rand.New(rand.NewPCG(seed, 1))
	const trace = "0123456789abcdef0123456789abcdef"
	const skewed, offset = "svc-07", int64(3_000_000)
	b := epg.NewBuilder()
	b.Add(&epg.Fragment{Skews: []epg.Skew{{Service: skewed, Offset: offset, Error: 50_000, Method: "test"}}})
	type pending struct {
		id, svc    string
		start, end int64
	}
	count := 0
	add := func(parent *pending, svc string, start, end int64, link epg.EdgeKind) pending {
		count++
		span := fmt.Sprintf("%016x", count)
		p := pending{id: epg.SpanNodeID(trace, span), svc: svc, start: start, end: end}
		raw := int64(0)
		if svc == skewed {
			raw = -offset // the service's clock is behind: adding the offset corrects it
		}
		nd := epg.Node{ID: p.id, Kind: epg.KindSpan, Name: fmt.Sprintf("op-%d", rng.IntN(5)), Service: svc,
			Start: start + raw, End: end + raw, Trace: epg.TraceRef{TraceID: trace, SpanID: span}}
		if parent != nil && link == epg.EdgeCall {
			nd.Attrs = epg.Attrs{{Key: epg.AttrParentSpanID, Value: epg.String(parent.id[len(parent.id)-16:])}}
		}
		b.AddNode(nd)
		if parent != nil {
			b.AddEdge(epg.Edge{From: parent.id, To: p.id, Kind: link})
		}
		return p
	}
	const t0 = int64(1_700_000_000_000_000_000)
	root := add(nil, "svc-00", t0, t0+10_000_000_000, 0)
	queue := []pending{root}
	for len(queue) > 0 && count < n {
		p := queue[0]
		queue = queue[1:]
		k := 1 + rng.IntN(8)
		if p.id == root.id {
			k = 8
		}
		stages := 1 + rng.IntN(k)
		dur := p.end - p.start
		slot := dur * 9 / 10 / int64(stages)
		for i := 0; i < k && count < n; i++ {
			a := p.start + dur/20 + int64(i%stages)*slot
			s, e := a+rng.Int64N(slot/4+1), a+slot-rng.Int64N(slot/4+1)
			svc := p.svc
			if rng.IntN(10) < 4 {
				svc = fmt.Sprintf("svc-%02d", rng.IntN(20))
			}
			switch r := rng.IntN(100); {
			case r < 3: // fire and forget: runs after the parent, linked only
				add(&p, svc, p.end+1000, p.end+1000+slot, epg.EdgeFollowsFrom)
			case r < 6: // outlives its parent
				queue = append(queue, add(&p, svc, s, p.end+slot/2, epg.EdgeCall))
			default:
				queue = append(queue, add(&p, svc, s, e, epg.EdgeCall))
			}
		}
	}
	return b.Build(), root.id
}

var (
	bigOnce  sync.Once
	bigGraph *epg.Graph
	bigRoot  string
)

// big returns the shared generated trace of 100,000 spans.
func big() (*epg.Graph, string) {
	bigOnce.Do(func() { bigGraph, bigRoot = genTrace(100_000, 42) })
	return bigGraph, bigRoot
}

// naiveSegments is the critical path as one would write it over a list of
// spans with no adjacency: for every span on the path, scan every span
// of the trace for its children (by parent span ID), then recurse. It is
// the baseline the benchmark compares against, and the oracle the
// equivalence test checks Compute with.
func naiveSegments(g *epg.Graph, root string) []Segment {
	var spans []*epg.Node
	g.Nodes(epg.KindSpan, func(_ int32, n *epg.Node) bool { spans = append(spans, n); return true })
	times := func(n *epg.Node) (int64, int64) {
		s, _ := g.SkewOf(n.Service)
		return n.Start + s.Offset, max(n.End, n.Start) + s.Offset
	}
	var out []Segment
	emit := func(n *epg.Node, s, e int64) {
		if e > s {
			out = append(out, Segment{Span: n.ID, Service: n.Service, Name: n.Name, StartUnix: s, EndUnix: e, DurationNs: e - s})
		}
	}
	var rec func(n *epg.Node, lo, hi int64)
	rec = func(n *epg.Node, lo, hi int64) {
		var kids []*epg.Node
		for _, c := range spans {
			if c.Trace.TraceID == n.Trace.TraceID && c.Attrs.Str(epg.AttrParentSpanID) == n.Trace.SpanID {
				kids = append(kids, c)
			}
		}
		slices.SortFunc(kids, func(a, b *epg.Node) int {
			as, ae := times(a)
			bs, be := times(b)
			if c := cmp.Compare(be, ae); c != 0 {
				return c
			}
			if c := cmp.Compare(as, bs); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
		cursor := hi
		for _, c := range kids {
			cs, ce := times(c)
			cs, ce = max(cs, lo), min(ce, hi)
			if ce <= cs || ce > cursor {
				continue
			}
			emit(n, ce, cursor)
			rec(c, cs, ce)
			cursor = cs
		}
		emit(n, lo, cursor)
	}
	i, _ := g.Lookup(root)
	s, e := times(g.Node(i))
	rec(g.Node(i), s, e)
	slices.Reverse(out)
	return out
}

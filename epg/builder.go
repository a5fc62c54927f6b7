package epg

import (
	"slices"
	"strings"
)

// Builder merges fragments from several sources into one Graph. Nodes with
// the same ID are merged (first writer wins for scalar fields, attributes
// are united, time ranges widen); duplicate edges collapse. Edges may name
// nodes that arrive in a later fragment; ones still unresolved at Build
// time are dropped and counted.
//
// A Builder is not safe for concurrent use.
type Builder struct {
	nodes   []Node
	index   map[string]int32
	edges   []Edge
	edgeSet map[edgeKey]struct{}
	skews   []Skew
	sources []string
}

type edgeKey struct {
	from, to string
	kind     EdgeKind
}

// NewBuilder returns an empty builder.
func NewBuilder() *Builder {
	return &Builder{index: map[string]int32{}, edgeSet: map[edgeKey]struct{}{}}
}

// Add merges a fragment into the graph under construction.
func (b *Builder) Add(f *Fragment) {
	if f.Source != "" {
		b.sources = append(b.sources, f.Source)
	}
	// Sized up front: growing the maps rehashes every entry again.
	if len(b.index) == 0 && len(f.Nodes) > 0 {
		b.index = make(map[string]int32, len(f.Nodes))
	}
	if len(b.edgeSet) == 0 && len(f.Edges) > 0 {
		b.edgeSet = make(map[edgeKey]struct{}, len(f.Edges))
	}
	b.nodes = slices.Grow(b.nodes, len(f.Nodes))
	b.edges = slices.Grow(b.edges, len(f.Edges))
	for i := range f.Nodes {
		b.AddNode(f.Nodes[i])
	}
	for i := range f.Edges {
		b.AddEdge(f.Edges[i])
	}
	for _, s := range f.Skews {
		b.addSkew(s)
	}
}

// AddNode adds n, or merges it into the node that already has its ID.
func (b *Builder) AddNode(n Node) {
	i, ok := b.index[n.ID]
	if !ok {
		// n.Attrs shares its array with the caller's fragment; clip it so a
		// later merge's insert copies instead of shifting the caller's data.
		n.Attrs = slices.Clip(n.Attrs)
		b.index[n.ID] = int32(len(b.nodes))
		b.nodes = append(b.nodes, n)
		return
	}
	mergeNode(&b.nodes[i], &n)
}

func mergeNode(dst, src *Node) {
	if dst.Kind == KindUnspecified {
		dst.Kind = src.Kind
	}
	if dst.Name == "" {
		dst.Name = src.Name
	}
	if dst.Loc.IsZero() {
		dst.Loc = src.Loc
	}
	if dst.Trace.TraceID == "" {
		dst.Trace.TraceID = src.Trace.TraceID
	}
	if dst.Trace.SpanID == "" {
		dst.Trace.SpanID = src.Trace.SpanID
	}
	if dst.Thread == "" {
		dst.Thread = src.Thread
	}
	if dst.Service == "" {
		dst.Service = src.Service
	}
	if dst.Policy == "" {
		dst.Policy = src.Policy
	}
	if src.Start != 0 && (dst.Start == 0 || src.Start < dst.Start) {
		dst.Start = src.Start
	}
	if src.End > dst.End {
		dst.End = src.End
	}
	for _, a := range src.Attrs {
		if _, ok := dst.Attrs.Get(a.Key); !ok {
			dst.Attrs = dst.Attrs.Set(a.Key, a.Value)
		}
	}
}

// AddEdge adds e unless an edge of the same kind between the same nodes
// exists.
func (b *Builder) AddEdge(e Edge) {
	k := edgeKey{e.From, e.To, e.Kind}
	if _, dup := b.edgeSet[k]; dup {
		return
	}
	b.edgeSet[k] = struct{}{}
	b.edges = append(b.edges, e)
}

func (b *Builder) addSkew(s Skew) {
	for i := range b.skews {
		if b.skews[i].Service == s.Service {
			// Keep the tighter estimate.
			if s.Error < b.skews[i].Error {
				b.skews[i] = s
			}
			return
		}
	}
	b.skews = append(b.skews, s)
}

// Build resolves cross-fragment joins and returns the frozen graph. The
// builder must not be used afterwards.
func (b *Builder) Build() *Graph {
	b.joinBySpan()
	b.joinByTime()
	g := &Graph{nodes: b.nodes, index: b.index, skews: b.skews, sources: b.sources}
	g.edges = make([]Edge, 0, len(b.edges))
	g.ends = make([]edgeEnds, 0, len(b.edges))
	for _, e := range b.edges {
		from, ok1 := b.index[e.From]
		to, ok2 := b.index[e.To]
		if !ok1 || !ok2 {
			g.unresolved++
			continue
		}
		g.edges = append(g.edges, e)
		g.ends = append(g.ends, edgeEnds{from, to})
	}
	slices.SortFunc(g.skews, func(a, b Skew) int { return strings.Compare(a.Service, b.Service) })
	g.buildCSR()
	return g
}

// joinBySpan links nodes that carry a span ID to that span: logs correlate
// to their span, other events are emitted by it.
func (b *Builder) joinBySpan() {
	for i := range b.nodes {
		n := &b.nodes[i]
		if n.Kind != KindEvent || n.Trace.SpanID == "" || n.Trace.TraceID == "" {
			continue
		}
		span := SpanNodeID(n.Trace.TraceID, n.Trace.SpanID)
		if _, ok := b.index[span]; !ok {
			continue
		}
		if n.EventType() == EventLog {
			b.AddEdge(Edge{From: n.ID, To: span, Kind: EdgeCorrelates})
		} else {
			b.AddEdge(Edge{From: span, To: n.ID, Kind: EdgeEmits})
		}
	}
}

// joinByTime attaches events that carry no trace context to the innermost
// span of the same service that was open at the event's time. Such edges
// are marked inferred.
func (b *Builder) joinByTime() {
	type interval struct {
		start, end int64
		id         string
	}
	var bySvc map[string][]interval
	for i := range b.nodes {
		n := &b.nodes[i]
		if n.Kind != KindEvent || n.Trace.TraceID != "" || n.Service == "" || n.Start == 0 {
			continue
		}
		if bySvc == nil {
			bySvc = map[string][]interval{}
			for j := range b.nodes {
				s := &b.nodes[j]
				if s.Kind == KindSpan && s.Service != "" && s.Duration() > 0 {
					bySvc[s.Service] = append(bySvc[s.Service], interval{s.Start, s.End, s.ID})
				}
			}
		}
		best, bestDur := "", int64(-1)
		for _, iv := range bySvc[n.Service] {
			if iv.start > n.Start || n.Start > iv.end {
				continue
			}
			// Ties go to the smaller ID so the result does not depend on
			// the order fragments were added in.
			if d := iv.end - iv.start; bestDur < 0 || d < bestDur || d == bestDur && iv.id < best {
				best, bestDur = iv.id, d
			}
		}
		if best == "" {
			continue
		}
		kind, from, to := EdgeEmits, best, n.ID
		if n.EventType() == EventLog {
			kind, from, to = EdgeCorrelates, n.ID, best
		}
		b.AddEdge(Edge{From: from, To: to, Kind: kind, Inferred: true,
			Attrs: Attrs{{Key: AttrInferredJoinKey, Value: String("time")}}})
	}
}

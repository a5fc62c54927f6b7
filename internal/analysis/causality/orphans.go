package causality

import (
	"slices"
	"strings"

	"github.com/tagdebug/tag/epg"
)

// What an edge [Clock.LinkOrphans] infers carries.
const (
	// HowMissingParent is the epg.AttrHowInferred value of the edges.
	HowMissingParent = "missing-parent"
	// AttrMissingParent holds the parent span ID the orphan named.
	AttrMissingParent = "inferred.missing_parent"
	// AttrLinkReason says why the parent was chosen (a Reason* value).
	AttrLinkReason = "inferred.reason"
)

// Why a parent was chosen for an orphan, strongest first.
const (
	ReasonPeer      = "peer"       // a client whose peer is the orphan's service
	ReasonRPC       = "rpc"        // a client (producer) above a server (consumer) of another service
	ReasonService   = "service"    // a span of the orphan's own service
	ReasonWindow    = "window"     // the tightest span enclosing it
	ReasonTraceRoot = "trace-root" // nothing encloses it: the trace's root
)

var reasonRank = map[string]int{ReasonPeer: 0, ReasonRPC: 1, ReasonService: 2, ReasonWindow: 3, ReasonTraceRoot: 4}

// Link is one orphan span attached to an inferred parent.
type Link struct {
	Orphan        string `json:"orphan"`
	Parent        string `json:"parent"`
	MissingParent string `json:"missing_parent"`
	Reason        string `json:"reason"`
	// Edge is the parent→orphan call edge, Inferred, with
	// inferred.from = HowMissingParent.
	Edge epg.Edge `json:"edge"`
}

// Linking is what [Clock.LinkOrphans] found: links by orphan ID, and the
// orphans no span of their trace could plausibly have called.
type Linking struct {
	Links    []Link   `json:"links"`
	Unlinked []string `json:"unlinked,omitempty"`
}

// LinkOrphans is NewClock(g, opt).LinkOrphans().
func LinkOrphans(g *epg.Graph, opt Options) *Linking { return NewClock(g, opt).LinkOrphans() }

// LinkOrphans finds the spans whose parent span is missing from the
// graph and infers a parent for each among the spans of its trace. Links
// never make a cycle: an orphan is not attached below itself, through
// recorded edges or earlier links.
func (c *Clock) LinkOrphans() *Linking {
	byTrace := c.spansByTrace()
	orphans := c.orphans()
	linked := map[int32]int32{}
	l := &Linking{Links: []Link{}}
	for _, o := range orphans {
		n := c.g.Node(o)
		p, reason, ok := c.bestParent(o, byTrace[n.Trace.TraceID], linked)
		if !ok {
			l.Unlinked = append(l.Unlinked, n.ID)
			continue
		}
		linked[o] = p
		l.Links = append(l.Links, newLink(c.g.Node(p), n, reason))
	}
	return l
}

func newLink(p, o *epg.Node, reason string) Link {
	missing := o.Attrs.Str(epg.AttrParentSpanID)
	e := epg.Edge{From: p.ID, To: o.ID, Kind: epg.EdgeCall, Inferred: true, Attrs: epg.SortAttrs(epg.Attrs{
		{Key: epg.AttrHowInferred, Value: epg.String(HowMissingParent)},
		{Key: AttrMissingParent, Value: epg.String(missing)},
		{Key: AttrLinkReason, Value: epg.String(reason)},
	})}
	return Link{Orphan: o.ID, Parent: p.ID, MissingParent: missing, Reason: reason, Edge: e}
}

// Edges returns the inferred parent→orphan edges, in link order.
func (l *Linking) Edges() []epg.Edge {
	out := make([]epg.Edge, len(l.Links))
	for i, k := range l.Links {
		out[i] = k.Edge
	}
	return out
}

// Augment returns g with the links' edges added.
func Augment(g *epg.Graph, l *Linking) *epg.Graph {
	b := epg.NewBuilder()
	for _, s := range g.Sources() {
		b.Add(&epg.Fragment{Source: s})
	}
	b.Add(g.Fragment())
	for _, k := range l.Links {
		b.AddEdge(k.Edge)
	}
	return b.Build()
}

func (c *Clock) spansByTrace() map[string][]int32 {
	m := map[string][]int32{}
	c.g.Nodes(epg.KindSpan, func(i int32, n *epg.Node) bool {
		if n.Trace.TraceID != "" && n.Start != 0 {
			m[n.Trace.TraceID] = append(m[n.Trace.TraceID], i)
		}
		return true
	})
	return m
}

// orphans returns the spans that name a parent span the graph lacks and
// that no span calls, by node ID.
func (c *Clock) orphans() []int32 {
	var out []int32
	c.g.Nodes(epg.KindSpan, func(i int32, n *epg.Node) bool {
		parent := n.Attrs.Str(epg.AttrParentSpanID)
		if parent == "" || c.hasCaller(i) {
			return true
		}
		if _, ok := c.g.Lookup(epg.SpanNodeID(n.Trace.TraceID, parent)); !ok {
			out = append(out, i)
		}
		return true
	})
	slices.SortFunc(out, func(a, b int32) int { return strings.Compare(c.g.Node(a).ID, c.g.Node(b).ID) })
	return out
}

func (c *Clock) hasCaller(i int32) bool {
	for _, p := range c.g.Parents(i, epg.EdgeCall) {
		if c.g.Node(p).Kind == epg.KindSpan {
			return true
		}
	}
	return false
}

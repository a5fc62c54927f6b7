package query

import (
	"slices"
	"strings"

	"github.com/tagdebug/tag/epg"
)

// Result is a query's answer: nodes and edges of the graph with counts
// of what was left out. It marshals to the JSON that `tag query --json`
// prints; fields are only ever added.
type Result struct {
	Query string `json:"query"`
	// Op is the source operation (slice.backward, nodes, ...).
	Op    string `json:"op"`
	Nodes []Node `json:"nodes"`
	Edges []Edge `json:"edges"`
	Cut   Cut    `json:"cut"`
	// Data is extra output of an operation registered in Env.Functions.
	Data any `json:"data,omitempty"`
}

// Node is a node of a result. ID, Kind and Name are always set; the rest
// as project() asks (by default: service, location and summary).
type Node struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	Name string `json:"name,omitempty"`
	// Role is "start" or "stop" for the nodes where a walk began or
	// stopped.
	Role string `json:"role,omitempty"`
	// Depth is the distance from the walk's start (0 for starts and for
	// results that are not walks).
	Depth     int           `json:"depth,omitempty"`
	Service   string        `json:"service,omitempty"`
	Location  *epg.Location `json:"location,omitempty"`
	Summary   string        `json:"summary,omitempty"`
	Type      string        `json:"type,omitempty"`
	Start     int64         `json:"start_unix_nano,omitempty"`
	End       int64         `json:"end_unix_nano,omitempty"`
	Duration  int64         `json:"duration_ns,omitempty"`
	TraceID   string        `json:"trace_id,omitempty"`
	SpanID    string        `json:"span_id,omitempty"`
	Thread    string        `json:"thread,omitempty"`
	Attrs     epg.Attrs     `json:"attrs,omitempty"`
	Locals    epg.Attrs     `json:"locals,omitempty"`
	AllocSite *epg.Location `json:"alloc_site,omitempty"`
	// Index is the node's index in the graph.
	Index int32 `json:"-"`
}

// Edge is an edge of a result, between two of its nodes.
type Edge struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Kind     string `json:"kind"`
	Inferred bool   `json:"inferred,omitempty"`
	// Index is the edge's index in the graph.
	Index int32 `json:"-"`
}

// projection is what project() asked for: node kinds to keep (none: all)
// and fields to show.
type projection struct {
	fields map[string]bool
}

// projectFields are the node fields project() can show.
var projectFields = []string{
	"alloc_site", "attrs", "duration", "locals", "location", "service", "summary", "thread", "time", "trace", "type",
}

var defaultFields = map[string]bool{"service": true, "location": true, "summary": true}

// project is project([...]): node kinds to keep and fields to show.
func (ev *evaluator) project(ctx *Context) error {
	if err := ctx.Check("fields"); err != nil {
		return err
	}
	a := ctx.Arg("fields", 0)
	if a == nil {
		return ctx.Errorf(ctx.Op.Rparen, "project needs a list of node kinds and fields, such as ['frame', 'location']")
	}
	names, err := ctx.Strings(a)
	if err != nil {
		return err
	}
	elems := []Expr{a.Value}
	if l, ok := a.Value.(*ListLit); ok {
		elems = l.Elems
	}
	p := &projection{fields: map[string]bool{}}
	var kinds []epg.NodeKind
	for i, name := range names {
		if k, ok := kindNames[name]; ok {
			kinds = append(kinds, k)
			continue
		}
		if !slices.Contains(projectFields, name) {
			return ctx.Errorf(elems[i].Offset(), "project: %q is neither a node kind (%s) nor a field (%s)",
				name, strings.Join(sortedKeys(kindNames), ", "), strings.Join(projectFields, ", "))
		}
		p.fields[name] = true
	}
	if err := ev.flush(); err != nil {
		return err
	}
	if len(kinds) > 0 {
		dropped := ev.set.keep(func(_ int, n int32) bool { return slices.Contains(kinds, ev.g.Node(n).Kind) })
		ev.set.Cut.Project += dropped
		ev.set.Edges = keepEdges(ev.g, ev.set.Edges, ev.set.Nodes)
	}
	ev.proj = p
	return nil
}

func (ev *evaluator) result() *Result {
	set := ev.set
	fields := defaultFields
	if ev.proj != nil {
		fields = ev.proj.fields
	}
	roles := map[int32]string{}
	for _, n := range set.Starts {
		roles[n] = "start"
	}
	for _, n := range set.Stops {
		roles[n] = "stop"
	}
	r := &Result{Query: ev.c.src, Op: ev.op, Cut: set.Cut, Data: set.Data, Nodes: []Node{}, Edges: []Edge{}}
	for i, idx := range set.Nodes {
		n := ev.g.Node(idx)
		out := Node{ID: n.ID, Kind: n.Kind.String(), Name: n.Name, Role: roles[idx], Index: idx}
		if d := set.depthAt(i); d > 0 {
			out.Depth = int(d)
		}
		ev.fill(&out, n, idx, fields)
		r.Nodes = append(r.Nodes, out)
	}
	for _, e := range set.Edges {
		ed := ev.g.Edge(e)
		r.Edges = append(r.Edges, Edge{From: ed.From, To: ed.To, Kind: ed.Kind.String(), Inferred: ed.Inferred, Index: e})
	}
	return r
}

// fill sets the projected fields of out from n.
func (ev *evaluator) fill(out *Node, n *epg.Node, idx int32, fields map[string]bool) {
	if fields["service"] {
		out.Service = n.Service
	}
	if fields["location"] && !n.Loc.IsZero() {
		out.Location = n.Loc
	}
	if fields["summary"] {
		out.Summary = summary(n)
	}
	if fields["type"] {
		out.Type = typeName(n)
	}
	if fields["time"] {
		out.Start, out.End = n.Start, n.End
	}
	if fields["duration"] {
		out.Duration = n.Duration()
	}
	if fields["trace"] {
		out.TraceID, out.SpanID = n.Trace.TraceID, n.Trace.SpanID
	}
	if fields["thread"] {
		out.Thread = n.Thread
	}
	if fields["attrs"] {
		out.Attrs = n.Attrs
	}
	if fields["locals"] {
		for _, a := range n.Attrs {
			if k, ok := strings.CutPrefix(a.Key, LocalsPrefix); ok {
				out.Locals = append(out.Locals, epg.Attr{Key: k, Value: a.Value})
			}
		}
	}
	if fields["alloc_site"] && n.Kind == epg.KindObject {
		out.AllocSite = ev.allocSite(n, idx)
	}
}

// allocSite returns where an object was allocated: the location of the
// frame with an alloc edge to it, else its alloc-site attribute.
func (ev *evaluator) allocSite(n *epg.Node, idx int32) *epg.Location {
	for _, f := range ev.g.Parents(idx, epg.EdgeAlloc) {
		fr := ev.g.Node(f)
		if !fr.Loc.IsZero() {
			return fr.Loc
		}
		return &epg.Location{Function: fr.Name}
	}
	if s := n.Attrs.Str(AttrObjectAllocSite); s != "" {
		return &epg.Location{Function: s}
	}
	return nil
}

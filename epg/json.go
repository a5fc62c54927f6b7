package epg

import "encoding/json"

// The JSON view: stable field names, fields only ever added.

type nodeJSON struct {
	ID       string    `json:"id"`
	Kind     NodeKind  `json:"kind"`
	Name     string    `json:"name,omitempty"`
	Service  string    `json:"service,omitempty"`
	Start    int64     `json:"start_unix_nano,omitempty"`
	End      int64     `json:"end_unix_nano,omitempty"`
	Location *Location `json:"location,omitempty"`
	TraceID  string    `json:"trace_id,omitempty"`
	SpanID   string    `json:"span_id,omitempty"`
	Thread   string    `json:"thread,omitempty"`
	Policy   string    `json:"policy,omitempty"`
	Attrs    Attrs     `json:"attrs,omitempty"`
}

type edgeJSON struct {
	From     string   `json:"from"`
	To       string   `json:"to"`
	Kind     EdgeKind `json:"kind"`
	Inferred bool     `json:"inferred,omitempty"`
	Attrs    Attrs    `json:"attrs,omitempty"`
}

type graphJSON struct {
	Version int        `json:"version"`
	Nodes   []nodeJSON `json:"nodes"`
	Edges   []edgeJSON `json:"edges"`
	Skews   []Skew     `json:"skews,omitempty"`
}

// MarshalJSON writes the node in the JSON view.
func (n Node) MarshalJSON() ([]byte, error) { return json.Marshal(toNodeJSON(&n)) }

// MarshalJSON writes the edge in the JSON view.
func (e Edge) MarshalJSON() ([]byte, error) { return json.Marshal(toEdgeJSON(&e)) }

func toNodeJSON(n *Node) nodeJSON {
	j := nodeJSON{ID: n.ID, Kind: n.Kind, Name: n.Name, Service: n.Service, Start: n.Start, End: n.End,
		TraceID: n.Trace.TraceID, SpanID: n.Trace.SpanID, Thread: n.Thread, Policy: n.Policy, Attrs: n.Attrs}
	if !n.Loc.IsZero() {
		j.Location = n.Loc
	}
	return j
}

func toEdgeJSON(e *Edge) edgeJSON {
	return edgeJSON{From: e.From, To: e.To, Kind: e.Kind, Inferred: e.Inferred, Attrs: e.Attrs}
}

func viewJSON(nodes []Node, edges []Edge, skews []Skew) graphJSON {
	j := graphJSON{Version: Version, Nodes: make([]nodeJSON, len(nodes)), Edges: make([]edgeJSON, len(edges)), Skews: skews}
	for i := range nodes {
		j.Nodes[i] = toNodeJSON(&nodes[i])
	}
	for i := range edges {
		j.Edges[i] = toEdgeJSON(&edges[i])
	}
	return j
}

// MarshalJSON writes the graph's JSON view.
func (g *Graph) MarshalJSON() ([]byte, error) {
	return json.Marshal(viewJSON(g.nodes, g.edges, g.skews))
}

// MarshalJSON writes the fragment's JSON view.
func (f *Fragment) MarshalJSON() ([]byte, error) {
	return json.Marshal(viewJSON(f.Nodes, f.Edges, f.Skews))
}

package epg

// Version is the current EPG encoding version.
const Version = 1

// Skew is a per-service clock-offset estimate: adding Offset to the
// service's timestamps brings them onto the reference clock, give or take
// Error nanoseconds.
type Skew struct {
	Service string `json:"service"`
	Offset  int64  `json:"offset_ns"`
	Error   int64  `json:"error_ns"`
	Method  string `json:"method,omitempty"`
}

// Fragment is what a decoder made of one artifact: nodes, edges that may
// name nodes of other fragments, and clock-skew estimates.
type Fragment struct {
	Source string
	Format string
	Policy string
	Nodes  []Node
	Edges  []Edge
	Skews  []Skew
}

// TraceIDs returns the distinct trace IDs mentioned by the fragment's
// nodes, in first-seen order.
func (f *Fragment) TraceIDs() []string {
	seen := map[string]bool{}
	var ids []string
	for i := range f.Nodes {
		t := f.Nodes[i].Trace.TraceID
		if t != "" && !seen[t] {
			seen[t] = true
			ids = append(ids, t)
		}
	}
	return ids
}

// StampPolicy records policy as the redaction version of the fragment and
// every node in it.
func (f *Fragment) StampPolicy(policy string) {
	f.Policy = policy
	for i := range f.Nodes {
		f.Nodes[i].Policy = policy
	}
}

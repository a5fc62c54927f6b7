package report

import (
	"strings"

	"github.com/tagdebug/tag/internal/rca"
	"github.com/tagdebug/tag/internal/redact"
)

// maxGraphEdges bounds the Mermaid graph: past a few dozen edges GitHub's
// rendering is unreadable and the edge list below it says the rest.
const maxGraphEdges = 40

// mermaidSlice renders the slice as a Mermaid flowchart. Node IDs become
// n0, n1, … and the real ID (with its evidence summary, when the chain
// has one) is the quoted label, so no ID can break the syntax.
func mermaidSlice(r *rca.Report) string {
	var sb strings.Builder
	sb.WriteString("flowchart LR\n")
	ids := map[string]string{}
	summary := map[string]string{}
	for _, e := range r.Evidence {
		summary[e.Node] = e.Summary
	}
	root := ""
	if len(r.Candidates) > 0 {
		root = r.Candidates[0].Node
	}
	node := func(id string) string {
		if n, ok := ids[id]; ok {
			return n
		}
		n := "n" + itoa(len(ids))
		ids[id] = n
		label := redact.Shorten(id, 48)
		if s := summary[id]; s != "" {
			label += "<br/>" + redact.Shorten(s, 60)
		}
		sb.WriteString("  " + n + "[\"" + mermaidText(label) + "\"]\n")
		if id == root {
			sb.WriteString("  class " + n + " root\n")
		}
		return n
	}
	for _, id := range r.Slice.Nodes {
		node(id)
	}
	for i, e := range r.Slice.Edges {
		if i == maxGraphEdges {
			break
		}
		sb.WriteString("  " + node(e.From) + " -->|" + mermaidText(e.Kind) + "| " + node(e.To) + "\n")
	}
	sb.WriteString("  classDef root stroke:#d33,stroke-width:3px\n")
	return sb.String()
}

// mermaidText escapes what would end a quoted label or an edge label.
func mermaidText(s string) string {
	return strings.NewReplacer(`"`, "#quot;", "|", "#124;", "\n", " ").Replace(s)
}

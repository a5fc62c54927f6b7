// Package cohorttest builds synthetic traces for the tests and benchmarks
// of the differential analyses: a call tree written as nested [S] values
// becomes the span nodes and call edges an OTLP decoder would produce.
package cohorttest

import (
	"fmt"

	"github.com/tagdebug/tag/epg"
)

// S is one span of a synthetic trace. Start and End are nanoseconds
// relative to the trace's base time.
type S struct {
	Service, Name string
	Start, End    int64
	Attrs         epg.Attrs
	Kids          []S
}

// Attrs builds sorted attributes from alternating keys and values
// (string, int, int64, float64 or bool).
func Attrs(kv ...any) epg.Attrs {
	var as epg.Attrs
	for i := 0; i+1 < len(kv); i += 2 {
		as = append(as, epg.Attr{Key: kv[i].(string), Value: value(kv[i+1])})
	}
	return epg.SortAttrs(as)
}

func value(v any) epg.Value {
	switch x := v.(type) {
	case string:
		return epg.String(x)
	case int:
		return epg.Int(int64(x))
	case int64:
		return epg.Int(x)
	case float64:
		return epg.Float(x)
	case bool:
		return epg.Bool(x)
	}
	panic(fmt.Sprintf("cohorttest: unsupported attribute value %T", v))
}

// TraceID returns a 32-hex-digit trace ID for n.
func TraceID(n int) string { return fmt.Sprintf("%032x", n+1) }

// Add appends the spans of root, as trace traceID starting at base (Unix
// ns), to f. Span IDs are the spans' pre-order positions.
func Add(f *epg.Fragment, traceID string, base int64, root S) {
	next := 0
	add(f, traceID, base, "", root, &next)
}

func add(f *epg.Fragment, traceID string, base int64, parent string, s S, next *int) {
	*next++
	spanID := fmt.Sprintf("%016x", *next)
	id := epg.SpanNodeID(traceID, spanID)
	attrs := append(epg.Attrs(nil), s.Attrs...)
	if attrs.Str(epg.AttrStatusCode) == "" {
		attrs = attrs.Set(epg.AttrStatusCode, epg.String("unset"))
	}
	f.Nodes = append(f.Nodes, epg.Node{ID: id, Kind: epg.KindSpan, Name: s.Name, Service: s.Service,
		Start: base + s.Start, End: base + s.End, Attrs: attrs,
		Trace: epg.TraceRef{TraceID: traceID, SpanID: spanID}})
	if parent != "" {
		f.Edges = append(f.Edges, epg.Edge{From: parent, To: id, Kind: epg.EdgeCall})
	}
	for _, k := range s.Kids {
		add(f, traceID, base, id, k, next)
	}
}

// Graph builds fragments into a graph.
func Graph(fs ...*epg.Fragment) *epg.Graph {
	b := epg.NewBuilder()
	for _, f := range fs {
		b.Add(f)
	}
	return b.Build()
}

package epg_test

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/tagdebug/tag/epg"
	"pgregory.net/rapid"
)

var keyGen = rapid.SampledFrom([]string{"a", "b", "c", "k.1", "http.route", epg.AttrSeverity, "é"})

func valueGen(depth int) *rapid.Generator[epg.Value] {
	scalars := []*rapid.Generator[epg.Value]{
		rapid.Just(epg.Value{}),
		rapid.Map(rapid.String(), epg.String),
		rapid.Map(rapid.Int64(), epg.Int),
		rapid.Map(rapid.Float64(), epg.Float),
		rapid.Map(rapid.SampledFrom([]float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1)}), epg.Float),
		rapid.Map(rapid.Bool(), epg.Bool),
		rapid.Map(rapid.SliceOf(rapid.Byte()), epg.Bytes),
	}
	if depth == 0 {
		return rapid.OneOf(scalars...)
	}
	inner := valueGen(depth - 1)
	return rapid.OneOf(append(scalars,
		rapid.Map(rapid.SliceOfN(inner, 0, 4), func(vs []epg.Value) epg.Value { return epg.Array(vs...) }),
		rapid.Map(rapid.SliceOfN(attrGen(inner), 0, 4), func(as []epg.Attr) epg.Value { return epg.Map(as...) }),
	)...)
}

func attrGen(v *rapid.Generator[epg.Value]) *rapid.Generator[epg.Attr] {
	return rapid.Custom(func(t *rapid.T) epg.Attr {
		return epg.Attr{Key: keyGen.Draw(t, "key"), Value: v.Draw(t, "value")}
	})
}

func attrsGen() *rapid.Generator[epg.Attrs] {
	return rapid.Map(rapid.SliceOfN(attrGen(valueGen(2)), 0, 5), func(as []epg.Attr) epg.Attrs {
		return epg.Attrs(epg.SortAttrs(as))
	})
}

var idGen = rapid.SampledFrom([]string{"n0", "n1", "n2", "n3", "n4", "span:t:s", "x"})

func locationGen() *rapid.Generator[*epg.Location] {
	return rapid.Ptr(rapid.Custom(func(t *rapid.T) epg.Location {
		return epg.Location{
			File: rapid.String().Draw(t, "file"), Line: int(rapid.Int32().Draw(t, "line")),
			Column: int(rapid.Int32().Draw(t, "col")), Function: rapid.String().Draw(t, "fn"),
			Lang: rapid.SampledFrom([]string{"", "go", "java"}).Draw(t, "lang"), InApp: rapid.Bool().Draw(t, "inapp"),
		}
	}), true)
}

// fragmentGen draws arbitrary fragments. A node without a policy in a
// fragment with one inherits the fragment's (see TestCodecPolicyInheritance),
// so the generator stamps it to keep the round trip exact.
func fragmentGen() *rapid.Generator[*epg.Fragment] {
	return rapid.Custom(func(t *rapid.T) *epg.Fragment {
		f := &epg.Fragment{
			Source: rapid.String().Draw(t, "source"),
			Format: rapid.SampledFrom([]string{"", "otlp-json", "jaeger"}).Draw(t, "format"),
			Policy: rapid.SampledFrom([]string{"", "p1"}).Draw(t, "policy"),
		}
		for range rapid.IntRange(0, 6).Draw(t, "nodes") {
			n := epg.Node{
				ID:     idGen.Draw(t, "id"),
				Kind:   epg.NodeKind(rapid.IntRange(0, int(epg.KindInput)).Draw(t, "kind")),
				Name:   rapid.String().Draw(t, "name"),
				Attrs:  attrsGen().Draw(t, "attrs"),
				Start:  rapid.Int64().Draw(t, "start"),
				End:    rapid.Int64().Draw(t, "end"),
				Loc:    locationGen().Draw(t, "loc"),
				Trace:  epg.TraceRef{TraceID: rapid.SampledFrom([]string{"", "t"}).Draw(t, "trace"), SpanID: rapid.SampledFrom([]string{"", "s"}).Draw(t, "span")},
				Thread: rapid.SampledFrom([]string{"", "1"}).Draw(t, "thread"),
				Policy: rapid.SampledFrom([]string{"", "p1", "p2"}).Draw(t, "npolicy"),
			}
			if n.Policy == "" {
				n.Policy = f.Policy
			}
			f.Nodes = append(f.Nodes, n)
		}
		for range rapid.IntRange(0, 6).Draw(t, "edges") {
			f.Edges = append(f.Edges, epg.Edge{
				From: idGen.Draw(t, "from"), To: idGen.Draw(t, "to"),
				Kind:     epg.EdgeKind(rapid.IntRange(0, int(epg.EdgeCorrelates)).Draw(t, "ekind")),
				Attrs:    attrsGen().Draw(t, "eattrs"),
				Inferred: rapid.Bool().Draw(t, "inferred"),
			})
		}
		for range rapid.IntRange(0, 2).Draw(t, "skews") {
			f.Skews = append(f.Skews, epg.Skew{Service: rapid.String().Draw(t, "svc"), Offset: rapid.Int64().Draw(t, "off"),
				Error: rapid.Int64().Draw(t, "err"), Method: rapid.String().Draw(t, "method")})
		}
		return f
	})
}

func TestPropCodecRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		f := fragmentGen().Draw(t, "fragment")
		b, err := epg.MarshalFragment(f)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		got, err := epg.UnmarshalFragment(b)
		if err != nil {
			t.Fatalf("unmarshal: %v", err)
		}
		sameFragment(t, f, got)
	})
}

// entity is what a stable node ID stands for; every fragment that mentions
// the ID agrees on it, as decoders do.
type entity struct {
	id, service, trace, span, eventType string
	kind                                epg.NodeKind
}

var universe = func() []entity {
	var es []entity
	for i := range 3 {
		s := fmt.Sprint("s", i)
		es = append(es, entity{id: epg.SpanNodeID("t", s), kind: epg.KindSpan, service: "api", trace: "t", span: s})
	}
	es = append(es,
		entity{id: epg.SpanNodeID("u", "s0"), kind: epg.KindSpan, service: "web", trace: "u", span: "s0"},
		entity{id: "log-traced", kind: epg.KindEvent, service: "api", trace: "t", span: "s1", eventType: epg.EventLog},
		entity{id: "exc-traced", kind: epg.KindEvent, service: "api", trace: "t", span: "s2", eventType: epg.EventException},
		entity{id: "exc-missing-span", kind: epg.KindEvent, service: "api", trace: "t", span: "zz", eventType: epg.EventException},
		entity{id: "log-api", kind: epg.KindEvent, service: "api", eventType: epg.EventLog},
		entity{id: "log-web", kind: epg.KindEvent, service: "web", eventType: epg.EventLog},
		entity{id: "panic-api", kind: epg.KindEvent, service: "api", eventType: epg.EventPanic},
		entity{id: "thread", kind: epg.KindThread},
		entity{id: "lock", kind: epg.KindLock},
	)
	return es
}()

func consistentFragmentGen() *rapid.Generator[*epg.Fragment] {
	timeGen := rapid.SampledFrom([]int64{0, 100, 150, 200, 250, 300, 400})
	return rapid.Custom(func(t *rapid.T) *epg.Fragment {
		f := &epg.Fragment{Source: rapid.String().Draw(t, "source")}
		for range rapid.IntRange(0, 6).Draw(t, "nodes") {
			e := rapid.SampledFrom(universe).Draw(t, "entity")
			start, end := timeGen.Draw(t, "start"), timeGen.Draw(t, "end")
			if e.kind == epg.KindEvent {
				end = start
			}
			attrs := attrsGen().Draw(t, "attrs")
			if e.eventType != "" {
				attrs = attrs.Set(epg.AttrEventType, epg.String(e.eventType))
			}
			f.Nodes = append(f.Nodes, epg.Node{
				ID: e.id, Kind: e.kind, Service: e.service, Trace: epg.TraceRef{TraceID: e.trace, SpanID: e.span},
				Start: start, End: end, Attrs: attrs, Name: rapid.String().Draw(t, "name"),
			})
		}
		ids := []string{"missing"}
		for _, e := range universe {
			ids = append(ids, e.id)
		}
		for range rapid.IntRange(0, 6).Draw(t, "edges") {
			f.Edges = append(f.Edges, epg.Edge{
				From: rapid.SampledFrom(ids).Draw(t, "from"), To: rapid.SampledFrom(ids).Draw(t, "to"),
				Kind:     rapid.SampledFrom([]epg.EdgeKind{epg.EdgeCall, epg.EdgeEmits, epg.EdgeCorrelates, epg.EdgeWaits}).Draw(t, "kind"),
				Inferred: rapid.Bool().Draw(t, "inferred"),
			})
		}
		f.Skews = rapid.SliceOfN(rapid.Custom(func(t *rapid.T) epg.Skew {
			return epg.Skew{Service: rapid.SampledFrom([]string{"api", "web"}).Draw(t, "svc"), Error: rapid.Int64Range(0, 100).Draw(t, "err")}
		}), 0, 2).Draw(t, "skews")
		return f
	})
}

// summary is what must not depend on the order fragments are merged in.
type summary struct {
	nodes      []string
	edges      []string
	unresolved int
	skewErrors []string
}

func summarize(g *epg.Graph) summary {
	var s summary
	g.Nodes(epg.KindUnspecified, func(_ int32, n *epg.Node) bool {
		var keys []string
		for _, a := range n.Attrs {
			keys = append(keys, a.Key)
		}
		s.nodes = append(s.nodes, fmt.Sprintf("%s kind=%v svc=%s [%d,%d] attrs=%v", n.ID, n.Kind, n.Service, n.Start, n.End, keys))
		return true
	})
	for e := int32(0); int(e) < g.NumEdges(); e++ {
		ed := g.Edge(e)
		s.edges = append(s.edges, ed.From+" -"+ed.Kind.String()+"-> "+ed.To)
	}
	slices.Sort(s.nodes)
	slices.Sort(s.edges)
	s.unresolved = g.Unresolved()
	for _, sk := range g.Skews() {
		s.skewErrors = append(s.skewErrors, fmt.Sprint(sk.Service, sk.Error))
	}
	return s
}

func build(frags []*epg.Fragment) *epg.Graph {
	b := epg.NewBuilder()
	for _, f := range frags {
		b.Add(f)
	}
	return b.Build()
}

func TestPropMergeOrderIndependent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		frags := rapid.SliceOfN(consistentFragmentGen(), 1, 5).Draw(t, "fragments")
		before := make([]string, len(frags))
		for i, f := range frags {
			before[i] = jsonOf(t, f)
		}
		want := summarize(build(frags))
		perm := rapid.Permutation(frags).Draw(t, "order")
		got := summarize(build(perm))
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("merge depends on order:\nin order  %v\npermuted  %v", want, got)
		}
		// Adding a fragment twice changes nothing.
		twice := summarize(build(append(slices.Clone(frags), frags...)))
		if fmt.Sprint(twice.nodes, twice.edges) != fmt.Sprint(want.nodes, want.edges) {
			t.Fatalf("adding fragments twice changed the graph:\nonce  %v\ntwice %v", want, twice)
		}
		for i, f := range frags {
			if jsonOf(t, f) != before[i] {
				t.Fatalf("building modified fragment %d", i)
			}
		}
	})
}

// The hand-written encoder must produce exactly the generated code's bytes.
func TestPropWireMatchesGenerated(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		f := fragmentGen().Draw(t, "fragment")
		got, err := epg.MarshalFragment(f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := epg.MarshalGenerated(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("encodings differ:\n got %x\nwant %x", got, want)
		}
	})
}

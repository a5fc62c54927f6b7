package critpath

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/evidencetest"
	"github.com/tagdebug/tag/internal/evidence/jaeger"
	"github.com/tagdebug/tag/internal/evidence/otlp"
	"github.com/tagdebug/tag/internal/evidence/zipkin"
)

var traceDecoders = []evidence.Decoder{otlp.JSONDecoder{}, &jaeger.Decoder{}, &zipkin.Decoder{}}

// load decodes a trace file (path relative to the repository root, or
// absolute) with the decoder that claims it.
func load(t testing.TB, path string) *epg.Graph {
	t.Helper()
	if !filepath.IsAbs(path) {
		path = filepath.Join(evidencetest.RepoRoot(), path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	in := &evidence.Input{Name: filepath.Base(path), Data: data}
	d, err := evidence.Detect(in, traceDecoders)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	f, err := d.Decode(context.Background(), in)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return evidencetest.Build(f)
}

// names lists "span name [start,end)" per segment, times relative to t0
// in µs, for readable comparisons.
func names(p *Path, t0 int64) []string {
	var out []string
	for _, s := range p.Segments {
		out = append(out, s.Name+" "+us(s.StartUnix-t0)+"-"+us(s.EndUnix-t0))
	}
	return out
}

func us(ns int64) string { return strconv.FormatInt(ns/1000, 10) }

func compute(t *testing.T, g *epg.Graph, root string, opt Options) *Path {
	t.Helper()
	p, err := Compute(g, root, opt)
	if err != nil {
		t.Fatal(err)
	}
	checkTiles(t, g, p)
	return p
}

// checkTiles asserts the path's invariants: segments in time order,
// contiguous, inside the root, summing (with what was omitted) to the
// root's duration; critical times summing to it too; every span named
// is a span of the graph.
func checkTiles(t *testing.T, g *epg.Graph, p *Path) {
	t.Helper()
	sum := p.OmittedSegmentNs
	for i, s := range p.Segments {
		if s.DurationNs != s.EndUnix-s.StartUnix || s.DurationNs <= 0 {
			t.Errorf("%s: segment %d %+v", p.Root, i, s)
		}
		if i > 0 && s.StartUnix < p.Segments[i-1].EndUnix {
			t.Errorf("%s: segment %d starts before the previous one ends", p.Root, i)
		}
		if p.OmittedSegments == 0 && i > 0 && s.StartUnix != p.Segments[i-1].EndUnix {
			t.Errorf("%s: gap before segment %d", p.Root, i)
		}
		if s.StartUnix < p.StartUnix || s.EndUnix > p.EndUnix {
			t.Errorf("%s: segment %d outside the root", p.Root, i)
		}
		sum += s.DurationNs
		if j, ok := g.Lookup(s.Span); !ok || g.Node(j).Kind != epg.KindSpan {
			t.Errorf("%s: segment names %s, not a span", p.Root, s.Span)
		}
	}
	if sum != p.DurationNs {
		t.Errorf("%s: segments sum to %d ns, root lasts %d", p.Root, sum, p.DurationNs)
	}
	var crit int64
	for _, s := range p.SpanTimes {
		crit += s.CriticalNs
		if s.SelfNs < 0 || s.SelfNs > s.DurationNs || s.CriticalNs > s.DurationNs {
			t.Errorf("%s: span time %+v", p.Root, s)
		}
	}
	if p.OmittedSpans == 0 && crit != p.DurationNs {
		t.Errorf("%s: critical times sum to %d, root lasts %d", p.Root, crit, p.DurationNs)
	}
	count := 0
	for _, o := range p.Ops {
		count += o.Count
	}
	if p.OmittedOps == 0 && count != p.Spans {
		t.Errorf("%s: ops count %d spans of %d", p.Root, count, p.Spans)
	}
}

func TestCheckoutExample(t *testing.T) {
	g := load(t, "examples/evidence/checkout-traces.json")
	roots := Roots(g)
	if len(roots) == 0 {
		t.Fatal("no roots")
	}
	p := compute(t, g, roots[0], Options{})
	got := strings.Join(names(p, p.StartUnix), ", ")
	if want := "GET /cart/{id} 0-10000, CartService.Load 10000-200000, GET /cart/{id} 200000-250000"; got != want {
		t.Errorf("path %s\nwant %s", got, want)
	}
	if s := p.SpanTimes[0]; s.Name != "CartService.Load" || s.CriticalNs != 190e6 || s.SelfNs != 190e6 {
		t.Errorf("most critical span %+v", s)
	}
	if r := p.SpanTimes[1]; r.Name != "GET /cart/{id}" || r.SelfNs != 60e6 || len(r.Blocking) != 1 {
		t.Errorf("root %+v", r)
	}
}

// The hand-made Zipkin trace has a backend whose clock runs 5.1 ms
// behind: uncorrected, its server span lies before the request was sent,
// outside the client span, and the path blames the whole call on the
// client. Corrected, the path runs through the server's work and the
// database query.
func TestZipkinSkewCorrection(t *testing.T) {
	g := load(t, "internal/evidence/zipkin/testdata/skew_hand.json")
	root := Roots(g)[0]
	p := compute(t, g, root, Options{})
	want := []string{"root 0-100", "call backend 100-200", "serve 200-250", "work 250-260", "call db 260-265",
		"query 265-305", "call db 305-310", "work 310-350", "serve 350-800", "call backend 800-900", "root 900-1000"}
	if got := names(p, p.StartUnix); !slices.Equal(got, want) {
		t.Errorf("corrected path\n got %v\nwant %v", got, want)
	}
	if len(p.Skews) != 2 || p.Skews[0].Service != "backend" || p.Skews[1].Service != "db" {
		t.Errorf("skews applied %+v", p.Skews)
	}
	raw := compute(t, g, root, Options{NoSkew: true})
	wantRaw := []string{"root 0-100", "call backend 100-900", "root 900-1000"}
	if got := names(raw, raw.StartUnix); !slices.Equal(got, wantRaw) {
		t.Errorf("uncorrected path\n got %v\nwant %v", got, wantRaw)
	}
}

// Every trace fixture: the path tiles each root, and follows_from links
// never put their target on the path.
func TestTraceFixtures(t *testing.T) {
	files := []string{"examples/evidence/checkout-traces.json"}
	for _, dir := range []string{"internal/evidence/otlp/testdata", "internal/evidence/jaeger/testdata", "internal/evidence/zipkin/testdata"} {
		files = append(files, evidencetest.Inputs(t, filepath.Join(evidencetest.RepoRoot(), dir))...)
	}
	for _, sub := range []string{"otlp", "jaeger", "zipkin"} {
		if dir := conformance(sub); dir != "" {
			files = append(files, evidencetest.Inputs(t, dir)...)
		}
	}
	paths := 0
	for _, f := range files {
		g := load(t, f)
		for _, r := range Roots(g) {
			p := compute(t, g, r, Options{MaxSegments: 1 << 20, MaxSpans: 1 << 20, MaxOps: 1 << 20})
			checkNoFollowsFrom(t, g, p)
			paths++
		}
	}
	t.Logf("%d paths in %d files", paths, len(files))
	if paths < 8 { // the repository's own fixtures alone give 8
		t.Errorf("only %d paths checked", paths)
	}
}

// conformance returns the shared corpus directory for a format, or "".
func conformance(sub string) string {
	dir := filepath.Join(evidencetest.RepoRoot(), "..", "shared", "conformance", sub)
	if _, err := os.Stat(dir); err != nil {
		return ""
	}
	return dir
}

// checkNoFollowsFrom asserts that no span on the path got there only
// through a follows_from link.
func checkNoFollowsFrom(t *testing.T, g *epg.Graph, p *Path) {
	t.Helper()
	for _, s := range p.SpanTimes {
		i, _ := g.Lookup(s.Span)
		if s.Span != p.Root && len(g.Parents(i, epg.EdgeCall)) == 0 {
			t.Errorf("%s is on the path but no span calls it", s.Span)
		}
	}
}

// A child that outlives its parent is clipped to it; a follows_from
// target never blocks, however late it ends.
func TestClippedAndAsyncChildren(t *testing.T) {
	b := epg.NewBuilder()
	span := func(id string, start, end int64) string {
		n := epg.SpanNodeID("t", id)
		b.AddNode(epg.Node{ID: n, Kind: epg.KindSpan, Name: id, Start: start, End: end})
		return n
	}
	root := span("root", 1000, 1100)
	b.AddEdge(epg.Edge{From: root, To: span("outlives", 1010, 1150), Kind: epg.EdgeCall})
	b.AddEdge(epg.Edge{From: root, To: span("early", 1020, 1060), Kind: epg.EdgeCall})
	b.AddEdge(epg.Edge{From: root, To: span("async", 1005, 1099), Kind: epg.EdgeFollowsFrom})
	g := b.Build()
	p := compute(t, g, root, Options{})
	if len(p.Segments) != 2 || p.Segments[0].Name != "root" || p.Segments[0].EndUnix != 1010 ||
		p.Segments[1].Name != "outlives" || p.Segments[1].EndUnix != 1100 {
		t.Errorf("segments %+v, want root until 1010, then outlives clipped at 1100", p.Segments)
	}
	if p.Clipped != 1 || p.Async != 1 || p.Spans != 3 {
		t.Errorf("clipped %d async %d spans %d, want 1 1 3", p.Clipped, p.Async, p.Spans)
	}
	if _, err := Compute(g, "span:t:nope", Options{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown root: %v", err)
	}
	b2 := epg.NewBuilder()
	b2.AddNode(epg.Node{ID: "thread:x", Kind: epg.KindThread})
	if _, err := Compute(b2.Build(), "thread:x", Options{}); !errors.Is(err, ErrNotSpan) {
		t.Errorf("thread root: %v", err)
	}
}

// On generated traces, Compute agrees segment for segment with the naive
// recursive scan.
func TestAgreesWithNaive(t *testing.T) {
	for seed := range uint64(5) {
		g, root := genTrace(3000, seed)
		p := compute(t, g, root, Options{MaxSegments: 1 << 20, MaxSpans: 1 << 20, MaxOps: 1 << 20})
		if want := naiveSegments(g, root); !slices.Equal(p.Segments, want) {
			t.Fatalf("seed %d: %d segments, naive %d", seed, len(p.Segments), len(want))
		}
		if len(p.Skews) != 1 || p.Clipped == 0 || p.Async == 0 {
			t.Errorf("seed %d: the generator's skew, clipped and async children were not all seen: %+v %d %d",
				seed, p.Skews, p.Clipped, p.Async)
		}
	}
}

func TestLargeTraceIsBounded(t *testing.T) {
	g, root := big()
	p := compute(t, g, root, Options{})
	if p.Spans < 90_000 {
		t.Errorf("tree of %d spans, want most of 100,000", p.Spans)
	}
	if len(p.Segments) != 50 || p.OmittedSegments == 0 || p.OmittedSegmentNs == 0 {
		t.Errorf("%d segments, %d omitted (%d ns)", len(p.Segments), p.OmittedSegments, p.OmittedSegmentNs)
	}
	if len(p.SpanTimes) != 20 || p.OmittedSpans == 0 || len(p.Ops) != 20 || p.OmittedOps == 0 {
		t.Errorf("%d span times (%d omitted), %d ops (%d omitted)", len(p.SpanTimes), p.OmittedSpans, len(p.Ops), p.OmittedOps)
	}
	for i := 1; i < len(p.Segments); i++ {
		if p.Segments[i].StartUnix < p.Segments[i-1].EndUnix {
			t.Fatalf("kept segments out of time order at %d", i)
		}
	}
	a, _ := json.Marshal(p)
	b, _ := json.Marshal(compute(t, g, root, Options{}))
	if string(a) != string(b) {
		t.Error("two computations marshal differently")
	}
	if len(a) > 64<<10 {
		t.Errorf("result of a 100k-span trace is %d bytes of JSON", len(a))
	}
}

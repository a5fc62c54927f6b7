package pprof

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/evidencetest"
)

// fixtures are the profiles testdata/gen.sh writes from real programs.
var fixtures = []string{"heap.pb.gz", "heap.txt", "cpu.pb.gz", "mutex.pb.gz", "block.pb.gz",
	"goroutine.pb.gz", "goroutine.txt", "goroutineleak.pb.gz"}

func TestGolden(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			evidencetest.Golden(t, &Decoder{}, filepath.Join("testdata", name),
				filepath.Join("testdata", name+".golden.json"))
		})
	}
}

// conformanceFiles lists the google/pprof test profiles, each with the
// String() rendering pprof printed for it.
func conformanceFiles(t testing.TB) (dir string, names []string) {
	dir = evidencetest.ConformanceDir(t, "pprof")
	paths, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		if !strings.HasSuffix(p, ".string") {
			names = append(names, filepath.Base(p))
		}
	}
	if len(names) == 0 {
		t.Fatalf("no profiles in %s", dir)
	}
	return dir, names
}

// TestConformance checks that our parse path sees each google/pprof test
// profile exactly as pprof does (its String() matches the .string file
// pprof wrote), then that our EPG of it matches its golden.
func TestConformance(t *testing.T) {
	dir, names := conformanceFiles(t)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(path + ".string")
			if err != nil {
				t.Fatal(err)
			}
			in := &evidence.Input{Name: name, Data: data}
			if c := (&Decoder{}).Sniff(in); c != evidence.Certain {
				t.Errorf("Sniff = %v, want Certain", c)
			}
			p, err := parse(in)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.String(); got != string(want) {
				t.Errorf("String() differs from %s.string:\n%s", name, got)
			}
			evidencetest.Golden(t, &Decoder{}, path, filepath.Join("testdata", "conformance", name+".golden.json"))
		})
	}
}

func decodeFixture(t *testing.T, name string) (*epg.Fragment, *epg.Graph) {
	t.Helper()
	f := evidencetest.Decode(t, &Decoder{}, filepath.Join("testdata", name))
	return f, evidencetest.Build(f)
}

// hottest returns the frame node with the largest value of attr.
func hottest(g *epg.Graph, kind epg.NodeKind, attr string) *epg.Node {
	var best *epg.Node
	var bestV int64
	g.Nodes(kind, func(_ int32, n *epg.Node) bool {
		v, _ := n.Attr(attr)
		if best == nil || v.IntVal() > bestV {
			best, bestV = n, v.IntVal()
		}
		return true
	})
	return best
}

func TestCPUHotFunction(t *testing.T) {
	_, g := decodeFixture(t, "cpu.pb.gz")
	top := hottest(g, epg.KindFrame, "profile.cpu.flat")
	if top == nil || top.Name != "main.hotLoop" {
		t.Fatalf("top flat CPU frame = %+v, want main.hotLoop", top)
	}
	if !top.Loc.InApp || top.Loc.Lang != "go" {
		t.Errorf("hot frame location %+v: want in-app Go", top.Loc)
	}
	if v, _ := top.Attr("profile.samples.flat"); v.IntVal() == 0 {
		t.Error("hot frame has no flat samples")
	}
	rt := evidencetest.Node(t, g, "frame:"+idOf(t, "cpu.pb.gz")+":runtime.main")
	if rt.Loc.InApp {
		t.Error("runtime.main (a -trimpath standard-library file) is in-app")
	}
	if !evidencetest.HasEdge(g, "frame:"+idOf(t, "cpu.pb.gz")+":main.coldWork", top.ID, epg.EdgeCall) {
		t.Error("no call edge coldWork → hotLoop")
	}
	ev := evidencetest.Node(t, g, "event:"+idOf(t, "cpu.pb.gz"))
	if ev.Attrs.Str("profile.kind") != KindCPU || ev.Start == 0 || ev.End <= ev.Start {
		t.Errorf("profile event %+v", ev)
	}
	if top.Start != ev.Start {
		t.Error("frame times are not the profile's")
	}
}

// idOf is the artifact part of node IDs for a fixture.
func idOf(t *testing.T, name string) string {
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return "pprof-" + digest(data)
}

func TestHeapTopSite(t *testing.T) {
	_, g := decodeFixture(t, "heap.pb.gz")
	obj := hottest(g, epg.KindObject, "profile.inuse_space")
	if obj == nil || obj.Loc.Function != "main.buildCache" {
		t.Fatalf("top allocation site = %+v, want main.buildCache", obj)
	}
	if v, _ := obj.Attr("object.size"); v.IntVal() != 64<<10 {
		t.Errorf("object.size = %d, want 65536", v.IntVal())
	}
	site := "frame:" + idOf(t, "heap.pb.gz") + ":main.buildCache"
	if !evidencetest.HasEdge(g, site, obj.ID, epg.EdgeAlloc) {
		t.Error("no alloc edge from buildCache to its object")
	}
	fr := evidencetest.Node(t, g, site)
	if v, _ := fr.Attr("profile.inuse_space.flat"); v.IntVal() < 8<<20 {
		t.Errorf("buildCache inuse_space.flat = %d, want most of 16 MiB", v.IntVal())
	}
}

// TestContentionSite: both profiles name the contended lock by the line
// of (*Inventory).Reserve that released (mutex) or took (block) it.
func TestContentionSite(t *testing.T) {
	for _, tc := range []struct {
		file, line string
		edge       epg.EdgeKind
	}{{"mutex.pb.gz", "26", epg.EdgeHolds}, {"block.pb.gz", "23", epg.EdgeWaits}} {
		f, g := decodeFixture(t, tc.file)
		in := &evidence.Input{Data: mustRead(t, tc.file)}
		id := epg.LockNodeID(in.Scope(), "site:main.(*Inventory).Reserve:"+tc.line)
		lock := evidencetest.Node(t, g, id)
		if lock.Attrs.Str(epg.AttrLockKind) != "contention site" {
			t.Errorf("%s: lock %+v", tc.file, lock)
		}
		if v, _ := lock.Attr("lock.delay_ns"); v.IntVal() < 100e6 {
			t.Errorf("%s: delay %d ns, want the >100ms the program causes", tc.file, v.IntVal())
		}
		top := hottest(g, epg.KindLock, "lock.delay_ns")
		if top.ID != id {
			t.Errorf("%s: most delayed site %s", tc.file, top.ID)
		}
		if !evidencetest.HasEdge(g, "frame:"+idOf(t, tc.file)+":main.(*Inventory).Reserve", id, tc.edge) {
			t.Errorf("%s: no %v edge from Reserve to the lock", tc.file, tc.edge)
		}
		_ = f
	}
}

func mustRead(t *testing.T, name string) []byte {
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestGoroutineLabelsJoinTraces: the handlers run under pprof labels with
// a trace and span ID; their stack's thread and frames carry that trace.
func TestGoroutineLabelsJoinTraces(t *testing.T) {
	f, g := decodeFixture(t, "goroutine.pb.gz")
	var labelled *epg.Node
	g.Nodes(epg.KindThread, func(_ int32, n *epg.Node) bool {
		if n.Trace.TraceID != "" {
			labelled = n
		}
		return true
	})
	if labelled == nil {
		t.Fatal("no thread carries the trace from the labels")
	}
	if labelled.Trace != (epg.TraceRef{TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", SpanID: "00f067aa0ba902b7"}) {
		t.Errorf("trace %+v", labelled.Trace)
	}
	if v, _ := labelled.Attr(epg.AttrCount); v.IntVal() != 3 {
		t.Errorf("count %d, want the 3 handlers", v.IntVal())
	}
	if labelled.Attrs.Str(epg.AttrThreadWaitFor) != "chan receive" || labelled.Loc.Function != "main.handleCheckout" {
		t.Errorf("thread %+v", labelled)
	}
	if labelled.Attrs.Str("pprof.label.http.route") != "/checkout" {
		t.Error("labels not kept")
	}
	if ids := f.TraceIDs(); len(ids) != 1 {
		t.Errorf("trace IDs %v", ids)
	}
	fr := evidencetest.Node(t, g, labelled.ID+"/frame/0")
	if fr.Trace != labelled.Trace {
		t.Error("frames do not carry the trace")
	}
}

func TestGoroutineLeakVerdict(t *testing.T) {
	_, g := decodeFixture(t, "goroutineleak.pb.gz")
	ev := evidencetest.Node(t, g, "event:"+idOf(t, "goroutineleak.pb.gz")+":leak")
	if ev.EventType() != epg.EventLeak {
		t.Fatalf("verdict %+v", ev)
	}
	i, _ := g.Lookup(ev.ID)
	parents := g.Parents(i, epg.EdgeEmits)
	if len(parents) == 0 {
		t.Fatal("no thread emits the leak verdict")
	}
	th := g.Node(parents[0])
	if th.Loc.Function != "main.fetch.func1" || th.Attrs.Str(epg.AttrThreadWaitFor) != "chan send" {
		t.Errorf("leaked stack %+v", th)
	}
	if th.Trace.TraceID != "0af7651916cd43dd8448eb211c80319c" {
		t.Errorf("leaked stack trace %+v", th.Trace)
	}
}

func TestTopNBoundsFrames(t *testing.T) {
	f := evidencetest.Decode(t, &Decoder{TopN: 1}, filepath.Join("testdata", "heap.pb.gz"))
	frames := 0
	for _, n := range f.Nodes {
		if n.Kind == epg.KindFrame {
			frames++
		}
	}
	// 4 sample types × flat and cum, plus forced site frames, at most.
	if frames == 0 || frames > 8+4 {
		t.Errorf("%d frames with TopN=1", frames)
	}
}

func TestDecodeHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	in := &evidence.Input{Name: "cpu.pb.gz", Data: mustRead(t, "cpu.pb.gz")}
	if _, err := (&Decoder{}).Decode(ctx, in); err == nil {
		t.Error("decoded with a cancelled context")
	}
}

package crashtext

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"

	"github.com/tagdebug/tag/internal/evidence/evidencetest"
)

func fixtures(t testing.TB) []string {
	paths, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	return paths
}

func TestGolden(t *testing.T) {
	for _, p := range fixtures(t) {
		t.Run(filepath.Base(p), func(t *testing.T) {
			evidencetest.Golden(t, &Decoder{}, p, strings.TrimSuffix(p, ".txt")+".golden.json")
		})
	}
}

func decodeFile(t *testing.T, name string) (*epg.Graph, string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	in := &evidence.Input{Name: name, Data: data}
	f, err := (&Decoder{}).Decode(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return evidencetest.Build(f), "event:" + in.Scope() + ":exception/"
}

// exc checks an event's type and message prefix and returns it.
func exc(t *testing.T, g *epg.Graph, id, typ, msg string) *epg.Node {
	t.Helper()
	n := evidencetest.Node(t, g, id)
	if n.EventType() != epg.EventException || n.Attrs.Str(epg.AttrExceptionType) != typ || !strings.HasPrefix(n.Attrs.Str(epg.AttrExceptionMsg), msg) {
		t.Errorf("%s: %s %q %q, want %s %q", id, n.EventType(), n.Attrs.Str(epg.AttrExceptionType), n.Attrs.Str(epg.AttrExceptionMsg), typ, msg)
	}
	return n
}

// events counts the top-level exception events (causes excluded).
func events(g *epg.Graph) int {
	n := 0
	g.Nodes(epg.KindEvent, func(_ int32, e *epg.Node) bool {
		if !strings.Contains(e.ID, "/cause") {
			n++
		}
		return true
	})
	return n
}

func frameAt(t *testing.T, g *epg.Graph, event string, i int) *epg.Node {
	t.Helper()
	return evidencetest.Node(t, g, event+"/frame/"+strconv.Itoa(i))
}

func TestJavaChained(t *testing.T) {
	g, ev := decodeFile(t, "java_chained.txt")
	top := exc(t, g, ev+"0", "java.lang.IllegalStateException", "checkout unavailable")
	if top.Attrs.Str("thread.name") != "main" {
		t.Errorf("thread.name %q", top.Attrs.Str("thread.name"))
	}
	if v, _ := top.Attr("exception.escaped"); !v.BoolVal() {
		t.Error("an exception in thread main escaped")
	}
	if top.Loc == nil || top.Loc.Function != "Checkout.checkout" || top.Loc.Line != 31 {
		t.Errorf("location %+v", top.Loc)
	}
	c1 := exc(t, g, ev+"0/cause", "java.lang.IllegalArgumentException", "bad checkout limit")
	c2 := exc(t, g, ev+"0/cause/cause", "java.lang.NumberFormatException", `For input string: "12x"`)
	if !evidencetest.HasEdge(g, top.ID, c1.ID, epg.EdgeCausedBy) || !evidencetest.HasEdge(g, c1.ID, c2.ID, epg.EdgeCausedBy) {
		t.Error("caused_by chain broken")
	}
	// "... 1 more" is the enclosing trace's last frame, Checkout.main.
	if f := frameAt(t, g, c1.ID, 2); f.Name != "Checkout.main" {
		t.Errorf("elided frame restored as %q", f.Name)
	}
	if f := frameAt(t, g, c2.ID, 0); f.Loc.InApp || f.Attrs.Str("frame.module") != "java.lang.NumberFormatException" {
		t.Errorf("JDK frame %+v %v", f.Loc, f.Attrs)
	}
	if c2.Loc == nil || c2.Loc.Function != "Checkout.parseLimit" {
		t.Errorf("cause location should be the first in-app frame: %+v", c2.Loc)
	}
}

func TestJavaTwo(t *testing.T) {
	g, ev := decodeFile(t, "java_two.txt")
	if n := events(g); n != 2 {
		t.Fatalf("%d exceptions, want 2", n)
	}
	first := exc(t, g, ev+"0", "java.lang.IllegalArgumentException", "empty key")
	if _, ok := first.Attr("exception.escaped"); ok {
		t.Error("a printed, caught exception did not escape")
	}
	exc(t, g, ev+"1", "java.lang.NullPointerException", `Cannot invoke "Object.toString()"`)
}

func TestPythonChained(t *testing.T) {
	g, ev := decodeFile(t, "python_chained.txt")
	if n := events(g); n != 1 {
		t.Fatalf("%d exceptions, want one chain", n)
	}
	top := exc(t, g, ev+"0", "StartupError", "server cannot start")
	direct := exc(t, g, ev+"0/cause", "ConfigError", "port is not configured")
	context := exc(t, g, ev+"0/cause/cause", "KeyError", "'port'")
	if !evidencetest.HasEdge(g, top.ID, direct.ID, epg.EdgeCausedBy) || !evidencetest.HasEdge(g, direct.ID, context.ID, epg.EdgeCausedBy) {
		t.Error("caused_by chain broken")
	}
	if f := frameAt(t, g, top.ID, 0); f.Name != "start" || f.Loc.File != "chained.py" || f.Loc.Line != 26 {
		t.Errorf("innermost frame %q %+v", f.Name, f.Loc)
	}
	if f := frameAt(t, g, top.ID, 2); f.Loc.InApp || f.Loc.File != "<frozen runpy>" {
		t.Errorf("runpy frame %+v", f.Loc)
	}
}

func TestPythonTwoLogged(t *testing.T) {
	g, ev := decodeFile(t, "python_two_logged.txt")
	if n := events(g); n != 2 {
		t.Fatalf("%d exceptions, want 2", n)
	}
	exc(t, g, ev+"0", "ValueError", "negative amount -5")
	exc(t, g, ev+"1", "KeyError", "'order-18'")
	if _, ok := g.Lookup(ev + "1/cause"); ok {
		t.Error("two separate tracebacks are not a chain")
	}
}

func TestNodeAsyncCause(t *testing.T) {
	g, ev := decodeFile(t, "node_async_cause.txt")
	top := exc(t, g, ev+"0", "Error", "cannot load user 7")
	cause := exc(t, g, ev+"0/cause", "Error", "connection reset")
	if !evidencetest.HasEdge(g, top.ID, cause.ID, epg.EdgeCausedBy) {
		t.Error("no caused_by edge to [cause]")
	}
	if top.Attrs.Str("process.runtime.version") != "v20.20.2" {
		t.Errorf("runtime %v", top.Attrs)
	}
	if v, _ := top.Attr("exception.escaped"); !v.BoolVal() {
		t.Error("Node's trailer means uncaught")
	}
	f := frameAt(t, g, top.ID, 1)
	if v, _ := f.Attr("frame.async"); f.Name != "handle" || !v.BoolVal() || f.Loc.Line != 17 || f.Loc.Column != 10 {
		t.Errorf("async frame %q %v %+v", f.Name, f.Attrs, f.Loc)
	}
	if !strings.HasPrefix(top.Attrs.Str(epg.AttrExceptionStack), "/") {
		t.Error("the stored text should start at the throw-site preamble")
	}
}

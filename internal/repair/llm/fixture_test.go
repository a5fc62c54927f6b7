package llm

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/rca"
	"github.com/tagdebug/tag/internal/redact"
	"github.com/tagdebug/tag/internal/redact/redacttest"
	"github.com/tagdebug/tag/internal/repair"
)

// cartSource is a package with a nil dereference: Total reads Price
// through a catalog lookup that may miss. %s is a comment line that
// carries a planted secret.
const cartSource = `// Package cart prices shopping carts.
package cart

// Item is one product.
type Item struct {
	SKU   string
	Price int
}

// Catalog maps SKUs to items.
type Catalog map[string]*Item

%s
// Total sums the prices of the SKUs in a cart.
func Total(c Catalog, skus []string) int {
	total := 0
	for _, s := range skus {
		total += c[s].Price
	}
	return total
}
`

// fixture is a small repository with a failing package, its incident's
// report and graph, and the secrets planted in them.
type fixture struct {
	repo    string
	req     *repair.Request
	secrets []string
	// derefLine is the line of cart.go that panics.
	derefLine int
	engine    *redact.Engine
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	e, err := redact.New(nil, []byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	plants := plantable(t, e, 3)
	f := &fixture{repo: t.TempDir(), engine: e}
	for _, p := range plants {
		f.secrets = append(f.secrets, p.Secret)
	}
	src := fmt.Sprintf(cartSource, "// pricing service token: "+plants[0].Phrase)
	write(t, f.repo, "go.mod", "module example.com/shop\n\ngo 1.22\n")
	write(t, f.repo, "cart/cart.go", src)
	f.derefLine = lineOf(t, src, "total += c[s].Price")

	g := cartGraph(f.derefLine)
	f.req = &repair.Request{
		Repo:  f.repo,
		Graph: g,
		Report: &rca.Report{
			Incident: "inc-7c9c",
			Kind:     "panic",
			Title:    "runtime error: invalid memory address or nil pointer dereference",
			RootCause: rca.RootCause{Summary: "nil pointer dereference in cart.Total",
				Location: rca.Location{File: "/build/src/shop/cart/cart.go", Line: f.derefLine, Function: "example.com/shop/cart.Total"}},
			Candidates: []rca.Candidate{{File: "/build/src/shop/cart/cart.go", Line: f.derefLine,
				Function: "example.com/shop/cart.Total", Score: 0.9, Why: "the panicking frame", Node: "frame:0"}},
			CriticalFailure: "panic: runtime error: invalid memory address or nil pointer dereference",
			Evidence: []rca.EvidenceRef{
				{Node: "event:panic", Kind: "event", Summary: "panic while pricing; upstream said " + plants[1].Phrase},
			},
		},
		Inputs: map[string]string{"request.body": `{"skus":["A1","ZZ-missing"],"auth":"` + plants[2].Phrase + `"}`},
	}
	return f
}

// plantable picks n generated secrets that the engine scrubs from text
// and that the guard would refuse raw.
func plantable(t *testing.T, e *redact.Engine, n int) []redacttest.Plant {
	t.Helper()
	g := redact.NewGuard(e, nil)
	var out []redacttest.Plant
	for _, p := range redacttest.NewGen(11).Secrets() {
		if p.Phrase != p.Secret || strings.ContainsAny(p.Secret, "\"\\\n") {
			continue
		}
		if strings.Contains(e.RedactText(p.Phrase), p.Secret) || g.Check([]byte(p.Phrase), "test") == nil {
			continue
		}
		out = append(out, p)
		if len(out) == n {
			return out
		}
	}
	t.Fatalf("only %d plantable secrets", len(out))
	return nil
}

// cartGraph is the incident's EPG: the checkout span that failed, the
// panic it emitted and the stack.
func cartGraph(line int) *epg.Graph {
	const trace = "4bf92f3577b34da6a3ce929d0e0e4736"
	b := epg.NewBuilder()
	span := epg.SpanNodeID(trace, "00f067aa0ba902b7")
	b.AddNode(epg.Node{ID: span, Kind: epg.KindSpan, Name: "POST /checkout", Service: "checkout",
		Start: 1_700_000_000_000_000_000, End: 1_700_000_000_020_000_000,
		Trace: epg.TraceRef{TraceID: trace, SpanID: "00f067aa0ba902b7"},
		Attrs: epg.SortAttrs([]epg.Attr{
			{Key: epg.AttrStatusCode, Value: epg.String("error")},
			{Key: epg.AttrHTTPRoute, Value: epg.String("/checkout")},
		})})
	b.AddNode(epg.Node{ID: "event:panic", Kind: epg.KindEvent, Name: "panic", Service: "checkout",
		Start: 1_700_000_000_010_000_000, End: 1_700_000_000_010_000_000, Trace: epg.TraceRef{TraceID: trace},
		Attrs: epg.SortAttrs([]epg.Attr{
			{Key: epg.AttrEventType, Value: epg.String(epg.EventPanic)},
			{Key: epg.AttrExceptionType, Value: epg.String("runtime error")},
			{Key: epg.AttrExceptionMsg, Value: epg.String("invalid memory address or nil pointer dereference")},
		})})
	frames := []epg.Location{
		{File: "/build/src/shop/cart/cart.go", Line: line, Function: "example.com/shop/cart.Total", Lang: "go", InApp: true},
		{File: "/build/src/shop/api/checkout.go", Line: 31, Function: "example.com/shop/api.Checkout", Lang: "go", InApp: true},
	}
	for i, loc := range frames {
		loc := loc
		id := fmt.Sprintf("frame:%d", i)
		b.AddNode(epg.Node{ID: id, Kind: epg.KindFrame, Name: loc.Function, Loc: &loc,
			Attrs: []epg.Attr{{Key: epg.AttrFrameIndex, Value: epg.Int(int64(i))}}})
		if i == 0 {
			b.AddEdge(epg.Edge{From: id, To: "event:panic", Kind: epg.EdgeEmits})
		} else {
			b.AddEdge(epg.Edge{From: id, To: fmt.Sprintf("frame:%d", i-1), Kind: epg.EdgeCall})
		}
	}
	b.AddEdge(epg.Edge{From: span, To: "frame:1", Kind: epg.EdgeCall})
	return b.Build()
}

func write(t *testing.T, root, rel, content string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func lineOf(t *testing.T, src, needle string) int {
	t.Helper()
	for i, l := range strings.Split(src, "\n") {
		if strings.Contains(l, needle) {
			return i + 1
		}
	}
	t.Fatalf("%q not in source", needle)
	return 0
}

// fixDiff is a correct fix of cartSource's Total, as a model would write
// it, with hunk positions from the deref line.
func (f *fixture) fixDiff() string {
	s := f.derefLine - 2
	return fmt.Sprintf(`--- a/cart/cart.go
+++ b/cart/cart.go
@@ -%d,5 +%d,7 @@ func Total(c Catalog, skus []string) int {
 	total := 0
 	for _, s := range skus {
-		total += c[s].Price
+		if it := c[s]; it != nil {
+			total += it.Price
+		}
 	}
 	return total
`, s, s)
}

const testDiff = `--- /dev/null
+++ b/cart/cart_test.go
@@ -0,0 +1,10 @@
+package cart
+
+import "testing"
+
+func TestTotalMissingSKU(t *testing.T) {
+	c := Catalog{"A1": {SKU: "A1", Price: 3}}
+	if got := Total(c, []string{"A1", "ZZ-missing"}); got != 3 {
+		t.Fatalf("Total = %d, want 3", got)
+	}
+}
`

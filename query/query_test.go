package query_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/query"
)

func TestErrorRendering(t *testing.T) {
	src := "slice.backward(\n\tfrom=evnt('x'))"
	_, err := query.Run(fuzzGraph, src, nil)
	var qe *query.Error
	if !errors.As(err, &qe) {
		t.Fatalf("got %v", err)
	}
	if qe.Line != 2 || qe.Col != 7 || qe.Pos != 22 {
		t.Errorf("position %d:%d (offset %d), want 2:7 (offset 22)", qe.Line, qe.Col, qe.Pos)
	}
	want := "2:7: unknown function evnt (known: attr, has, event, frame, input, lock, node, object, resource, span, thread)\n" +
		"  \tfrom=evnt('x'))\n" +
		"  \t     ^"
	if got := err.Error(); got != want {
		t.Errorf("Error() =\n%s\nwant\n%s", got, want)
	}
	// Columns count characters, not bytes.
	_, err = query.Parse("nodes(name == 'é' ==)")
	if !errors.As(err, &qe) || qe.Col != 19 || !strings.HasSuffix(err.Error(), "\n  "+strings.Repeat(" ", 18)+"^") {
		t.Errorf("after a multi-byte character: %v", err)
	}
}

func TestSentinels(t *testing.T) {
	for src, want := range map[string]error{
		"critical_path()":                        query.ErrUnavailable,
		"diff(baseline='x')":                     query.ErrUnavailable,
		"slice.forward(from=event('nothing'))":   query.ErrNoMatch,
		"reachable(from=[object(), lock('no')])": query.ErrNoMatch,
	} {
		if _, err := query.Run(fuzzGraph, src, nil); !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", src, err, want)
		}
	}
}

// TestFunctions pins how registered functions are called: they replace
// built-ins of the same name, and their plain errors are reported at the
// operation.
func TestFunctions(t *testing.T) {
	errBaseline := errors.New("no such baseline")
	env := &query.Env{Functions: map[string]query.Func{
		"locks.at": func(ctx *query.Context) (*query.Set, error) {
			return &query.Set{Data: "from the lock graph"}, nil
		},
		"diff": func(ctx *query.Context) (*query.Set, error) {
			if err := ctx.Check("baseline"); err != nil {
				return nil, err
			}
			a := ctx.Arg("baseline", 0)
			if a == nil {
				return nil, ctx.Errorf(ctx.Op.Rparen, "diff needs baseline=")
			}
			return nil, errBaseline
		},
		"critical_path": func(ctx *query.Context) (*query.Set, error) {
			pred, err := ctx.Predicate(ctx.Arg("where", 0))
			if err != nil {
				return nil, err
			}
			set := &query.Set{}
			ctx.Graph.Nodes(epg.KindSpan, func(i int32, n *epg.Node) bool {
				if pred(n) {
					set.Nodes = append(set.Nodes, i)
				}
				return true
			})
			return set, nil
		},
	}}
	res, err := query.Run(fuzzGraph, "locks.at(5s)", env)
	if err != nil || res.Data != "from the lock graph" {
		t.Errorf("locks.at was not replaced: %v %v", res, err)
	}
	_, err = query.Run(fuzzGraph, "x.y().where(kind == 'span').diff(baseline='b')", env)
	if err == nil || !strings.Contains(err.Error(), "unknown operation x.y") {
		t.Errorf("unknown source: %v", err)
	}
	_, err = query.Run(fuzzGraph, "diff(baseline='b')", env)
	var qe *query.Error
	if !errors.As(err, &qe) || !errors.Is(err, errBaseline) || qe.Col != 1 {
		t.Errorf("a Func's plain error: %v", err)
	}
	_, err = query.Run(fuzzGraph, "diff()", env)
	if !errors.As(err, &qe) || qe.Col != 6 || qe.Msg != "diff needs baseline=" {
		t.Errorf("a Func's positioned error: %v", err)
	}
	_, err = query.Run(fuzzGraph, "critical_path()", env)
	if !errors.As(err, &qe) || qe.Col != 15 || qe.Msg != "critical_path is missing an argument" {
		t.Errorf("a missing argument: %v", err)
	}
	res, err = query.Run(fuzzGraph, "critical_path(status == 'error').limit(1)", env)
	if err != nil || len(res.Nodes) != 1 || res.Cut.Limit != 1 || res.Op != "critical_path" {
		t.Errorf("critical_path with stages: %+v %v", res, err)
	}
	if names := env.SourceNames(); strings.Join(names, " ") != "critical_path diff locks.at nodes reachable slice.backward slice.forward" {
		t.Errorf("SourceNames = %v", names)
	}
}

// TestProjection checks locals and alloc sites on a graph that has them,
// which no fixture does yet.
func TestProjection(t *testing.T) {
	b := epg.NewBuilder()
	b.Add(&epg.Fragment{
		Nodes: []epg.Node{
			{ID: "f", Kind: epg.KindFrame, Name: "AuthCache.load", Loc: &epg.Location{File: "AuthCache.java", Line: 40, Function: "com.x.AuthCache.load"},
				Attrs: epg.Attrs{{Key: "frame.index", Value: epg.Int(0)}, {Key: "local.key", Value: epg.String("u42")}, {Key: "local.user", Value: epg.String("<token:1>")}}},
			{ID: "o1", Kind: epg.KindObject, Name: "0x1", Attrs: epg.Attrs{{Key: query.AttrObjectType, Value: epg.String("java.util.HashMap<String,User>")}}},
			{ID: "o2", Kind: epg.KindObject, Name: "0x2", Attrs: epg.Attrs{{Key: query.AttrObjectType, Value: epg.String("java.util.Optional")}}},
			{ID: "o3", Kind: epg.KindObject, Name: "0x3", Attrs: epg.Attrs{{Key: query.AttrObjectType, Value: epg.String("com.x.Session")}}},
			{ID: "npe", Kind: epg.KindEvent, Name: "java.lang.NullPointerException", Attrs: epg.Attrs{
				{Key: "error.id", Value: epg.String("E12345")}, {Key: epg.AttrEventType, Value: epg.String("exception")}}},
		},
		Edges: []epg.Edge{
			{From: "npe", To: "o2", Kind: epg.EdgeCausedBy},
			{From: "o1", To: "o2", Kind: epg.EdgeRef},
			{From: "o3", To: "o1", Kind: epg.EdgeRef},
			{From: "f", To: "o1", Kind: epg.EdgeAlloc},
			{From: "f", To: "o3", Kind: epg.EdgeAlloc},
		},
	})
	g := b.Build()
	res, err := query.Run(g, `slice.backward(from=event('Exception:E12345')).through(types=['Map','Optional']).stop_when(frame.matches('AuthCache.load.*')).project(['frame','object','locals','alloc_site'])`, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range res.Nodes {
		got = append(got, fmt.Sprintf("%s:%s", n.ID, n.Role))
	}
	// Session is not a Map or an Optional, so the walk does not pass it.
	if strings.Join(got, " ") != "o2: o1: f:stop" || res.Cut.Filtered != 1 || res.Cut.Project != 1 {
		t.Errorf("slice = %v, cut %+v", got, res.Cut)
	}
	out, _ := json.Marshal(res.Nodes)
	for _, want := range []string{
		`"locals":{"key":"u42","user":"\u003ctoken:1\u003e"}`,
		`"alloc_site":{"file":"AuthCache.java","line":40,"function":"com.x.AuthCache.load"}`,
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
}

func TestResultJSON(t *testing.T) {
	res, err := query.Run(fuzzGraph, "nodes(kind='lock')", nil)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(res)
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"query", "op", "nodes", "edges", "cut"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, out)
		}
	}
	empty, _ := query.Run(fuzzGraph, "nodes(kind='input')", nil)
	if out, _ := json.Marshal(empty); !strings.Contains(string(out), `"nodes":[],"edges":[]`) {
		t.Errorf("an empty result should list no nodes, not null: %s", out)
	}
}

// TestMaxNodes checks the default bound and the environment's.
func TestMaxNodes(t *testing.T) {
	for _, c := range []struct {
		env   *query.Env
		src   string
		count int
	}{
		{nil, "nodes()", 30},
		{&query.Env{MaxNodes: 4}, "nodes()", 4},
		{&query.Env{MaxNodes: 4}, "nodes(max=0)", 30},
		{&query.Env{MaxNodes: 4}, "slice.backward(from=event('deadlock'))", 4},
		{&query.Env{MaxNodes: 4}, "slice.backward(from=event('deadlock'), max=6)", 6},
	} {
		res, err := query.Run(fuzzGraph, c.src, c.env)
		if err != nil || len(res.Nodes) != c.count {
			t.Errorf("%s: %d nodes (%v), want %d", c.src, len(res.Nodes), err, c.count)
		}
	}
}

func TestString(t *testing.T) {
	for src, want := range map[string]string{
		"nodes( a||b&&c )":                   "nodes(a || b && c)",
		"nodes((a||b)&&!c==1)":               "nodes((a || b) && !c == 1)",
		"nodes(a || (b || c))":               "nodes(a || (b || c))",
		"nodes(!(a && b), x=[1,'it''s'])":    "",
		"nodes(!(a && b), x=[1,\"it's\"])":   "nodes(!(a && b), x=[1, 'it\\'s'])",
		"nodes((!a) == b, d=-2s, f=1.5e3)":   "nodes((!a) == b, d=-2s, f=1.5e3)",
		"a.b(c.d.matches('x\\d'), e=f(g))":   "a.b(c.d.matches('x\\\\d'), e=f(g))",
		"slice.backward(from=x).where(y) ":   "slice.backward(from=x).where(y)",
		"nodes(# a comment\n  kind='frame')": "nodes(kind='frame')",
	} {
		q, err := query.Parse(src)
		if want == "" {
			if err == nil {
				t.Errorf("%s: parsed", src)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		if got := q.String(); got != want {
			t.Errorf("%s: String() = %s, want %s", src, got, want)
		}
	}
	for _, src := range scriptQueries(t) {
		q, err := query.Parse(src)
		if err != nil {
			continue
		}
		again, err := query.Parse(q.String())
		if err != nil || again.String() != q.String() {
			t.Errorf("%s: printed as %s, which reads back as %v (%v)", src, q.String(), again, err)
		}
	}
}

func ExampleRun() {
	b := epg.NewBuilder()
	b.Add(&epg.Fragment{
		Nodes: []epg.Node{
			{ID: "main", Kind: epg.KindFrame, Name: "main.main"},
			{ID: "load", Kind: epg.KindFrame, Name: "cart.(*Service).Load"},
			{ID: "panic", Kind: epg.KindEvent, Name: "panic", Attrs: epg.Attrs{{Key: epg.AttrEventType, Value: epg.String("panic")}}},
		},
		Edges: []epg.Edge{
			{From: "main", To: "load", Kind: epg.EdgeCall},
			{From: "load", To: "panic", Kind: epg.EdgeEmits},
		},
	})
	res, err := query.Run(b.Build(), "slice.backward(from=event('panic')).where(frame)", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, n := range res.Nodes {
		fmt.Println(n.Depth, n.Name)
	}
	_, err = query.Run(b.Build(), "slice.backward(from=event('panic')).wehre(frame)", nil)
	fmt.Println(err)
	// Output:
	// 1 cart.(*Service).Load
	// 2 main.main
	// 1:37: unknown operation .wehre (after a source: limit, project, stop_when, through, where)
	//   slice.backward(from=event('panic')).wehre(frame)
	//                                       ^
}

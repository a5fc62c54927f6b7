package query_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/ingest"
	"github.com/tagdebug/tag/query"
)

// repoRoot is the directory holding go.mod; fixture paths in scripts are
// relative to it.
var repoRoot = func() string {
	dir, _ := filepath.Abs("..")
	return dir
}()

var fragments sync.Map // path → *epg.Fragment

// loadFragment decodes a fixture, detecting its format as tag ingest does.
func loadFragment(path string) (*epg.Fragment, error) {
	if f, ok := fragments.Load(path); ok {
		return f.(*epg.Fragment), nil
	}
	data, err := os.ReadFile(filepath.Join(repoRoot, path))
	if err != nil {
		return nil, err
	}
	in := &evidence.Input{Name: filepath.Base(path), Data: data}
	d, err := evidence.Detect(in, ingest.Decoders())
	if err != nil {
		return nil, err
	}
	f, err := d.Decode(context.Background(), in)
	if err != nil {
		return nil, err
	}
	fragments.Store(path, f)
	return f, nil
}

func loadGraph(paths ...string) (*epg.Graph, error) {
	b := epg.NewBuilder()
	for _, p := range paths {
		f, err := loadFragment(p)
		if err != nil {
			return nil, fmt.Errorf("load %s: %w", p, err)
		}
		b.Add(f)
	}
	return b.Build(), nil
}

// TestScripts runs testdata/*.test: scripts that load fixtures, run
// queries and state what each returns.
//
//	# comment
//	load <fixture, relative to the repository root>   (several merge; a load after a query starts a new graph)
//	query <query text>
//	expect count <n>                  number of nodes
//	expect edges <n>                  number of edges
//	expect nodes                      the nodes, in any order, one "<kind> <name>" per indented line
//	expect ordered                    the same, in result order
//	expect ids                        node IDs, in any order, one per indented line
//	expect has <kind> <name>          some node is this
//	expect lacks <kind> <name>        no node is this
//	expect role <role> <kind> <name>  the node has this role (start, stop)
//	expect cut <reason>=<n> ...       counts of left-out nodes (unlisted reasons are 0)
//	expect json <text>                the JSON output contains text
//	expect error at <col>: <text>     the query fails at column col with a message containing text
//	expect error <text>               the query fails with a message containing text
func TestScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.test")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	total := 0
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".test"), func(t *testing.T) {
			total += runScript(t, file)
		})
	}
	t.Logf("%d queries in %d scripts", total, len(files))
}

type scriptCase struct {
	file  string
	line  int
	query string
	g     *epg.Graph
	res   *query.Result
	err   error
}

func (c *scriptCase) where() string { return fmt.Sprintf("%s:%d", c.file, c.line) }

func runScript(t *testing.T, file string) int {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var (
		loads   []string
		g       *epg.Graph
		cur     *scriptCase
		checked bool
		queries int
	)
	lines := strings.Split(string(data), "\n")
	finish := func() {
		if cur != nil && !checked {
			t.Errorf("%s: query without expectations", cur.where())
		}
	}
	for i := 0; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], " \t\r")
		if trimmed := strings.TrimSpace(line); trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		verb, rest, _ := strings.Cut(line, " ")
		switch verb {
		case "load":
			if cur != nil {
				finish()
				loads, g, cur = nil, nil, nil
			}
			loads = append(loads, strings.TrimSpace(rest))
		case "query":
			finish()
			if g == nil {
				if g, err = loadGraph(loads...); err != nil {
					t.Fatalf("%s:%d: %v", file, i+1, err)
				}
			}
			cur = &scriptCase{file: file, line: i + 1, query: rest, g: g}
			cur.res, cur.err = query.Run(g, rest, testEnv())
			checked = false
			queries++
		case "expect":
			if cur == nil {
				t.Fatalf("%s:%d: expect without a query", file, i+1)
			}
			var block []string
			for i+1 < len(lines) && (strings.HasPrefix(lines[i+1], " ") || strings.HasPrefix(lines[i+1], "\t")) {
				i++
				if s := strings.TrimSpace(lines[i]); s != "" {
					block = append(block, s)
				}
			}
			checked = true
			cur.expect(t, rest, block)
		default:
			t.Fatalf("%s:%d: unknown directive %q", file, i+1, verb)
		}
	}
	finish()
	return queries
}

// testEnv registers a stand-in for an analysis, to pin how registered
// functions are called.
func testEnv() *query.Env {
	return &query.Env{Functions: map[string]query.Func{
		"test.spans": func(ctx *query.Context) (*query.Set, error) {
			if err := ctx.Check("service"); err != nil {
				return nil, err
			}
			var svc string
			if a := ctx.Arg("service", 0); a != nil {
				var err error
				if svc, err = ctx.String(a); err != nil {
					return nil, err
				}
			}
			set := &query.Set{Data: map[string]string{"service": svc}}
			ctx.Graph.Nodes(epg.KindSpan, func(i int32, n *epg.Node) bool {
				if svc == "" || n.Service == svc {
					set.Nodes = append(set.Nodes, i)
				}
				return true
			})
			set.Edges = query.Induced(ctx.Graph, set.Nodes)
			return set, nil
		},
	}}
}

func (c *scriptCase) expect(t *testing.T, spec string, block []string) {
	t.Helper()
	verb, arg, _ := strings.Cut(spec, " ")
	if verb == "error" {
		c.expectError(t, arg)
		return
	}
	if c.err != nil {
		t.Errorf("%s: %s\n%v", c.where(), c.query, c.err)
		return
	}
	res := c.res
	switch verb {
	case "count":
		if n, _ := strconv.Atoi(arg); len(res.Nodes) != n {
			t.Errorf("%s: %d nodes, want %s\n%s", c.where(), len(res.Nodes), arg, c.dump())
		}
	case "edges":
		if n, _ := strconv.Atoi(arg); len(res.Edges) != n {
			t.Errorf("%s: %d edges, want %s\n%s", c.where(), len(res.Edges), arg, c.dump())
		}
	case "nodes", "ordered", "ids":
		got := make([]string, len(res.Nodes))
		for i, n := range res.Nodes {
			got[i] = n.Kind + " " + n.Name
			if verb == "ids" {
				got[i] = n.ID
			}
		}
		want := slices.Clone(block)
		if verb != "ordered" {
			slices.Sort(got)
			slices.Sort(want)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %s\ngot:\n  %s\nwant:\n  %s", c.where(), c.query, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		}
	case "has", "lacks":
		found := c.find(arg) != nil
		if found != (verb == "has") {
			t.Errorf("%s: %s: expect %s %s\n%s", c.where(), c.query, verb, arg, c.dump())
		}
	case "role":
		role, node, _ := strings.Cut(arg, " ")
		if n := c.find(node); n == nil || n.Role != role {
			t.Errorf("%s: %s: no %s with role %s\n%s", c.where(), c.query, node, role, c.dump())
		}
	case "cut":
		want := query.Cut{}
		for _, kv := range strings.Fields(arg) {
			k, v, _ := strings.Cut(kv, "=")
			n, _ := strconv.Atoi(v)
			switch k {
			case "depth":
				want.Depth = n
			case "limit":
				want.Limit = n
			case "filtered":
				want.Filtered = n
			case "where":
				want.Where = n
			case "project":
				want.Project = n
			default:
				t.Fatalf("%s: unknown cut reason %q", c.where(), k)
			}
		}
		if res.Cut != want {
			t.Errorf("%s: %s: cut %+v, want %+v", c.where(), c.query, res.Cut, want)
		}
	case "json":
		out, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out), arg) {
			t.Errorf("%s: %s: JSON lacks %s:\n%s", c.where(), c.query, arg, out)
		}
	default:
		t.Fatalf("%s: unknown expectation %q", c.where(), verb)
	}
}

func (c *scriptCase) find(kindName string) *query.Node {
	kind, name, _ := strings.Cut(kindName, " ")
	for i := range c.res.Nodes {
		if n := &c.res.Nodes[i]; n.Kind == kind && n.Name == name {
			return n
		}
	}
	return nil
}

func (c *scriptCase) expectError(t *testing.T, spec string) {
	t.Helper()
	if c.err == nil {
		t.Errorf("%s: %s: succeeded, want error %s\n%s", c.where(), c.query, spec, c.dump())
		return
	}
	var qe *query.Error
	if !errors.As(c.err, &qe) {
		t.Errorf("%s: error is %T, not *query.Error: %v", c.where(), c.err, c.err)
		return
	}
	text := spec
	if at, ok := strings.CutPrefix(spec, "at "); ok {
		col, msg, _ := strings.Cut(at, ":")
		if n, _ := strconv.Atoi(col); n != qe.Col {
			t.Errorf("%s: %s: error at column %d, want %s\n%v", c.where(), c.query, qe.Col, col, c.err)
		}
		text = strings.TrimSpace(msg)
	}
	if !strings.Contains(qe.Msg, text) {
		t.Errorf("%s: %s: error %q lacks %q", c.where(), c.query, qe.Msg, text)
	}
}

func (c *scriptCase) dump() string {
	var b strings.Builder
	for _, n := range c.res.Nodes {
		fmt.Fprintf(&b, "  %s %s [%s] role=%s depth=%d\n", n.Kind, n.Name, n.ID, n.Role, n.Depth)
	}
	fmt.Fprintf(&b, "  cut %+v, %d edges", c.res.Cut, len(c.res.Edges))
	return b.String()
}

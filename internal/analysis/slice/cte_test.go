package slice_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/analysis/slice"
	_ "modernc.org/sqlite"
)

// The baseline a user would otherwise write: the graph in a nodes and an
// edges table, and the slice as a recursive CTE. The schema is the
// favourable one for SQLite: integer node keys and covering indexes for
// both directions.
const cteSchema = `
CREATE TABLE nodes (idx INTEGER PRIMARY KEY, id TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL);
CREATE TABLE edges (src INTEGER NOT NULL, dst INTEGER NOT NULL, kind TEXT NOT NULL);`

const cteIndexes = `
CREATE INDEX edges_dst ON edges(dst, kind, src);
CREATE INDEX edges_src ON edges(src, kind, dst);
ANALYZE;`

// loadSQLite copies g into a fresh in-memory SQLite database.
func loadSQLite(g *epg.Graph) (*sql.DB, error) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1) // one connection: one in-memory database
	if _, err := db.Exec(`PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;` + cteSchema); err != nil {
		return nil, err
	}
	tx, err := db.Begin()
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	nodes := newBatchInsert(tx, "nodes", 4)
	for i := range int32(g.NumNodes()) {
		n := g.Node(i)
		if err := nodes.add(i, n.ID, n.Kind.String(), n.Name); err != nil {
			return nil, err
		}
	}
	if err := nodes.flush(); err != nil {
		return nil, err
	}
	edges := newBatchInsert(tx, "edges", 3)
	for e := range int32(g.NumEdges()) {
		from, to := g.Ends(e)
		if err := edges.add(from, to, g.Edge(e).Kind.String()); err != nil {
			return nil, err
		}
	}
	if err := edges.flush(); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	if _, err := db.Exec(cteIndexes); err != nil {
		return nil, err
	}
	return db, nil
}

// batchInsert inserts rows many to a statement; row-at-a-time inserts
// would make building the million-node baseline take minutes.
type batchInsert struct {
	tx    *sql.Tx
	table string
	cols  int
	args  []any
	stmt  *sql.Stmt
}

const batchRows = 500

func newBatchInsert(tx *sql.Tx, table string, cols int) *batchInsert {
	return &batchInsert{tx: tx, table: table, cols: cols}
}

func (b *batchInsert) query(rows int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", b.cols), ",") + ")"
	return "INSERT INTO " + b.table + " VALUES " + strings.TrimSuffix(strings.Repeat(row+",", rows), ",")
}

func (b *batchInsert) add(vals ...any) error {
	b.args = append(b.args, vals...)
	if len(b.args) < batchRows*b.cols {
		return nil
	}
	if b.stmt == nil {
		st, err := b.tx.Prepare(b.query(batchRows))
		if err != nil {
			return err
		}
		b.stmt = st
	}
	_, err := b.stmt.Exec(b.args...)
	b.args = b.args[:0]
	return err
}

func (b *batchInsert) flush() error {
	if len(b.args) == 0 {
		return nil
	}
	_, err := b.tx.Exec(b.query(len(b.args)/b.cols), b.args...)
	b.args = b.args[:0]
	return err
}

// cteQuery renders rules as the recursive CTE a user would write: one
// recursive term per direction, each listing the kinds it follows. UNION
// (not UNION ALL) keeps each node once, which also ends the recursion on
// cycles.
func cteQuery(rules []slice.Rule) string {
	var back, fwd []string
	for _, r := range rules {
		if r.Dir&epg.Backward != 0 {
			back = append(back, "'"+r.Kind.String()+"'")
		}
		if r.Dir&epg.Forward != 0 {
			fwd = append(fwd, "'"+r.Kind.String()+"'")
		}
	}
	q := "WITH RECURSIVE s(n) AS (SELECT ?1"
	if len(back) > 0 {
		q += "\n  UNION SELECT e.src FROM edges e JOIN s ON e.dst = s.n WHERE e.kind IN (" + strings.Join(back, ",") + ")"
	}
	if len(fwd) > 0 {
		q += "\n  UNION SELECT e.dst FROM edges e JOIN s ON e.src = s.n WHERE e.kind IN (" + strings.Join(fwd, ",") + ")"
	}
	return q + "\n) SELECT n FROM s"
}

// cteSlice runs the CTE from start and returns the node indexes, sorted.
func cteSlice(ctx context.Context, db *sql.DB, rules []slice.Rule, start int32) ([]int32, error) {
	rows, err := db.QueryContext(ctx, cteQuery(rules), start)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int32
	for rows.Next() {
		var n int32
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return out, rows.Err()
}

func sorted(xs []int32) []int32 {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}

// TestSliceMatchesCTE checks slices of a generated graph, backward and
// forward, against the recursive CTE over the same graph in SQLite.
func TestSliceMatchesCTE(t *testing.T) {
	gg := generate(genSize{traces: 60, services: 3, threads: 4, locks: 3, seed: 3})
	db, err := loadSQLite(gg.g)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var starts []int32
	starts = append(starts, gg.exceptions...)
	starts = append(starts, gg.blocked...)
	for i := int32(0); i < int32(gg.g.NumNodes()); i += 997 {
		starts = append(starts, i)
	}
	w := slice.NewWalker(gg.g)
	for _, dir := range []struct {
		name  string
		rules []slice.Rule
		walk  func([]int32, slice.Options) *slice.Result
	}{
		{"backward", slice.BackwardRules(), w.Backward},
		{"forward", slice.ForwardRules(), w.Forward},
		{"calls-and-causes", slice.BackwardRules(epg.EdgeCall, epg.EdgeCausedBy, epg.EdgeEmits), nil},
	} {
		for _, s := range starts {
			var res *slice.Result
			if dir.walk != nil {
				res = dir.walk([]int32{s}, slice.Options{})
			} else {
				res = w.Walk([]int32{s}, slice.Options{Rules: dir.rules})
			}
			want, err := cteSlice(context.Background(), db, dir.rules, s)
			if err != nil {
				t.Fatal(err)
			}
			if got := sorted(res.Nodes); !slices.Equal(got, want) {
				t.Fatalf("%s from %s: walk has %d nodes, CTE %d", dir.name, gg.g.Node(s).ID, len(got), len(want))
			}
		}
	}
	t.Logf("%d nodes, %d edges, %d starts × 3 rule sets agree", gg.g.NumNodes(), gg.g.NumEdges(), len(starts))
}

func ExampleBackward() {
	b := epg.NewBuilder()
	b.Add(&epg.Fragment{
		Nodes: []epg.Node{
			{ID: "main", Kind: epg.KindFrame}, {ID: "load", Kind: epg.KindFrame},
			{ID: "npe", Kind: epg.KindEvent}, {ID: "unrelated", Kind: epg.KindFrame},
		},
		Edges: []epg.Edge{
			{From: "main", To: "load", Kind: epg.EdgeCall},
			{From: "load", To: "npe", Kind: epg.EdgeEmits},
			{From: "load", To: "unrelated", Kind: epg.EdgeCall},
		},
	})
	g := b.Build()
	npe, _ := g.Lookup("npe")
	res := slice.Backward(g, []int32{npe}, slice.Options{})
	for i, n := range res.Nodes {
		fmt.Println(res.Depth[i], g.Node(n).ID)
	}
	// Output:
	// 0 npe
	// 1 load
	// 2 main
}

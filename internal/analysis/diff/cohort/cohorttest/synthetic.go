package cohorttest

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/analysis/diff/cohort"
)

// Orders is request n of a larger synthetic endpoint for benchmarks:
// about 20 spans over six downstream services, each span with several
// attributes of every sort (low-cardinality strings, wide numbers,
// identifiers). A broken request comes from region eu-west-1, makes
// service 3's database return far more rows, slowly, and calls an extra
// fallback span.
func Orders(n int, broken bool) S {
	r := rand.New(rand.NewPCG(uint64(n), 7))
	region := []string{"us-east-1", "eu-central-1", "ap-south-1"}[r.IntN(3)]
	if broken {
		region = "eu-west-1"
	}
	root := S{Service: "api", Name: fmt.Sprintf("GET /orders/%d", n), End: 100 * Ms,
		Attrs: Attrs(epg.AttrHTTPRoute, "/orders/{id}", "http.request.method", "GET", epg.AttrSpanKind, "server",
			"region", region, "tier", []string{"gold", "silver", "free"}[r.IntN(3)], "customer.id", fmt.Sprintf("c-%d", n),
			"request.size", r.IntN(5000), "user_agent.original", []string{"ios/5.1", "android/7", "web"}[r.IntN(3)],
			"session", fmt.Sprintf("s-%x", r.Uint64()))}
	for svc := range 6 {
		root.Kids = append(root.Kids, downstream(r, svc, broken && svc == 3, int64(svc)*15*Ms))
	}
	return root
}

func downstream(r *rand.Rand, svc int, broken bool, at int64) S {
	name := fmt.Sprintf("svc%d", svc)
	rows, dur := r.IntN(50), int64(2+r.IntN(3))*Ms
	if broken {
		rows, dur = 1000+r.IntN(9000), 12*Ms
	}
	db := S{Service: name, Name: "SELECT items", Start: at + 2*Ms, End: at + 2*Ms + dur,
		Attrs: Attrs("db.system", "postgresql", "db.rows", rows, "db.statement", []string{"by_id", "by_owner", "scan"}[r.IntN(3)])}
	server := S{Service: name, Name: "POST /handle", Start: at + Ms, End: at + 14*Ms,
		Attrs: Attrs(epg.AttrSpanKind, "server", "http.route", "/handle", "pool.size", 8+r.IntN(3), "retry", r.IntN(2) == 0),
		Kids:  []S{db, {Service: name, Name: "cache.get", Start: at + 1*Ms, End: at + 2*Ms, Attrs: Attrs("cache.hit", r.IntN(4) > 0)}}}
	if broken {
		server.Kids = append(server.Kids, S{Service: name, Name: "fallback", Start: at + 12*Ms, End: at + 13*Ms})
	}
	return S{Service: "api", Name: "POST " + name, Start: at, End: at + 15*Ms,
		Attrs: Attrs(epg.AttrSpanKind, "client", "server.address", name, "net.peer.port", 40000+r.IntN(20000)),
		Kids:  []S{server}}
}

// OrdersGraph builds healthy then broken [Orders] traces into one graph
// and returns it with the broken traces' IDs.
func OrdersGraph(healthy, broken int) (*epg.Graph, []string) {
	f := &epg.Fragment{}
	var ids []string
	for i := range healthy + broken {
		Add(f, TraceID(i), int64(i+1)*200*Ms, Orders(i, i >= healthy))
		if i >= healthy {
			ids = append(ids, TraceID(i))
		}
	}
	return Graph(f), ids
}

// OrdersSplit is [OrdersGraph] split with the broken traces failing.
func OrdersSplit(tb testing.TB, healthy, broken int) *cohort.Split {
	tb.Helper()
	g, ids := OrdersGraph(healthy, broken)
	refs := make([]cohort.Ref, len(ids))
	for i, id := range ids {
		refs[i] = cohort.Ref{Graph: g, TraceID: id}
	}
	s, err := cohort.Assemble(refs, g)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

package cohorttest

import (
	"fmt"
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/analysis/diff/cohort"
)

// Ms is a millisecond in nanoseconds.
const Ms = int64(1e6)

var regions = []string{"us-east-1", "eu-central-1", "ap-south-1"}

// Checkout is request n of a shop's GET /checkout. Healthy ones read the
// cart from a cache and reserve stock once, in one of three regions. A
// broken one carries the planted cause (region eu-west-1) and its effects:
// it skips the cache, runs a slow query whose pool.acquire child waits
// 29 ms, reserves three times, holds 40-44 items instead of 0-36, and ends
// in error. Attributes customer.id and cart are unique per request.
func Checkout(n int, broken bool) S {
	region, status, items := regions[n%3], "ok", n*7%37
	if broken {
		region, status, items = "eu-west-1", "error", 40+n%5
	}
	root := S{Service: "shop", Name: "GET /checkout", End: 10 * Ms,
		Attrs: Attrs(epg.AttrHTTPRoute, "/checkout", "http.request.method", "GET", epg.AttrSpanKind, "server",
			"region", region, "tier", []string{"gold", "free"}[n%2], "customer.id", fmt.Sprintf("c-%d", n),
			"items", items, "cart", fmt.Sprintf("cart-%d", n), epg.AttrStatusCode, status)}
	reserve := S{Service: "inventory", Name: "POST /reserve", Start: 5 * Ms, End: 6 * Ms, Attrs: Attrs("region", region)}
	if !broken {
		root.Kids = []S{{Service: "shop", Name: "cache.get", Start: Ms, End: 2 * Ms, Attrs: Attrs("cache.hit", true)}, reserve}
		return root
	}
	root.End = 50 * Ms
	root.Kids = []S{
		{Service: "shop", Name: "SELECT orders", Start: Ms, End: 36 * Ms, Attrs: Attrs("db.system", "postgresql"),
			Kids: []S{{Service: "shop", Name: "pool.acquire", Start: Ms, End: 30 * Ms}}},
		reserve, reserve, reserve,
	}
	return root
}

// Shop builds healthy then broken [Checkout] traces, 100 ms apart, into
// one graph and splits it with the broken ones as the failing occurrences.
func Shop(tb testing.TB, healthy, broken int) *cohort.Split {
	tb.Helper()
	f := &epg.Fragment{}
	for i := range healthy + broken {
		Add(f, TraceID(i), int64(i+1)*100*Ms, Checkout(i, i >= healthy))
	}
	g := Graph(f)
	var refs []cohort.Ref
	for i := healthy; i < healthy+broken; i++ {
		refs = append(refs, cohort.Ref{Graph: g, TraceID: TraceID(i)})
	}
	s, err := cohort.Assemble(refs, g)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

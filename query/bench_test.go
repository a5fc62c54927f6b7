package query_test

import (
	"testing"

	"github.com/tagdebug/tag/query"
)

// BenchmarkQuery parses and evaluates representative queries on a graph
// merged from real fixtures (a trace with an exception, a deadlock dump,
// a race report).
func BenchmarkQuery(b *testing.B) {
	g, err := loadGraph(
		"internal/evidence/otlp/testdata/exceptions.json",
		"internal/evidence/godump/testdata/deadlock_abba.txt",
		"internal/evidence/godump/testdata/race_cache.txt",
	)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, q string }{
		{"backward", `slice.backward(from=event('runtime.Error')).stop_when(frame.matches('ServeHTTP')).project(['frame', 'location'])`},
		{"deadlock", `slice.backward(from=event('deadlock'), edges=['emits', 'waits', 'holds']).where(lock || thread)`},
		{"nodes", `nodes(kind='frame').where(in_app && function =~ 'Cache\).(Get|Put)' && line > 20).limit(5)`},
		{"locks", `locks.at()`},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := query.Run(g, c.q, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

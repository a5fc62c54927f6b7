package lockgraph

// Options bound what a report holds. Zero fields take the defaults.
type Options struct {
	MaxLocks      int // locks listed (default 50)
	MaxThreads    int // holders, and waiters, listed per lock or hotspot (default 20)
	MaxHotspots   int // default 10
	MaxCycles     int // default 20
	MaxInversions int // default 20
	MaxOrders     int // observations listed per order of an inversion (default 4)
}

func (o Options) norm() Options {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.MaxLocks, 50)
	def(&o.MaxThreads, 20)
	def(&o.MaxHotspots, 10)
	def(&o.MaxCycles, 20)
	def(&o.MaxInversions, 20)
	def(&o.MaxOrders, 4)
	return o
}

// bound keeps the first n elements of s and says how many it dropped.
// A nil slice comes back empty, so that lists marshal as [], not null.
func bound[T any](s []T, n int) ([]T, int) {
	if s == nil {
		s = []T{}
	}
	if len(s) <= n {
		return s, 0
	}
	return s[:n], len(s) - n
}

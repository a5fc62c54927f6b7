package slice

import "math/bits"

// radixSort sorts xs, whose values lie in [0, n), in place (an LSD radix
// sort, linear in len(xs)), using *tmp as scratch. It returns the sorted
// slice, which may be *tmp's array rather than xs's.
func radixSort(xs []int32, tmp *[]int32, n int) []int32 {
	const digit = 11
	const buckets = 1 << digit
	if len(xs) < 2 {
		return xs
	}
	if cap(*tmp) < len(xs) {
		*tmp = make([]int32, len(xs))
	}
	src, dst := xs, (*tmp)[:len(xs)]
	var count [buckets + 1]int
	for shift := 0; shift < bits.Len(uint(n)); shift += digit {
		clear(count[:])
		for _, x := range src {
			count[(x>>shift)&(buckets-1)+1]++
		}
		for i := 1; i <= buckets; i++ {
			count[i] += count[i-1]
		}
		for _, x := range src {
			b := (x >> shift) & (buckets - 1)
			dst[count[b]] = x
			count[b]++
		}
		src, dst = dst, src
	}
	if &src[0] != &xs[0] {
		*tmp = xs[:0] // hand the caller's array over as the next scratch
	}
	return src
}

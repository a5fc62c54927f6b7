package verify

import "sort"

// Rank orders results best first: verified before rejected, then fewer
// lines changed, then higher locality. Ties keep the proposers' order.
func Rank(results []*Result) []*Result {
	out := append([]*Result(nil), results...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.Verdict == Verified) != (b.Verdict == Verified) {
			return a.Verdict == Verified
		}
		if a.LinesChanged != b.LinesChanged {
			return a.LinesChanged < b.LinesChanged
		}
		return a.Locality > b.Locality
	})
	return out
}

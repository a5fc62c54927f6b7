package verify

import (
	"math"
	"sort"

	"github.com/tagdebug/tag/internal/repair"
)

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

// Size is the number of lines a candidate's fix adds and deletes (its
// regression test not counted), as Result.LinesChanged counts them; a fix
// whose diff does not parse or changes no file sorts last.
func Size(c repair.Candidate) int {
	files, err := parseDiff(c.Patch)
	if err != nil || len(files) == 0 {
		return math.MaxInt
	}
	return changedLines(files)
}

// Order sorts candidates smallest fix first, keeping the proposers' order
// among equals. Verifying in this order and stopping once a verified
// result exists and the next candidate is larger yields the candidate
// that Rank puts first among all of them, without verifying the rest.
func Order(cands []repair.Candidate) []repair.Candidate {
	type sized struct {
		c    repair.Candidate
		size int
	}
	all := make([]sized, len(cands))
	for i, c := range cands {
		all[i] = sized{c, Size(c)}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].size < all[j].size })
	out := make([]repair.Candidate, len(all))
	for i, s := range all {
		out[i] = s.c
	}
	return out
}

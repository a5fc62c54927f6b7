package lockgraph

// shortestCycle returns the shortest cycle through start that stays in
// the component comp (breadth-first, successors in the order succ gives
// them, so the answer is deterministic), as the vertices in order
// starting at start; nil when there is none.
func shortestCycle(start int, inComp func(v int) bool, succ func(v int) []int) []int {
	parent := map[int]int{start: -1}
	queue := []int{start}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for _, w := range succ(u) {
			if w == start {
				return pathTo(parent, u)
			}
			if _, seen := parent[w]; !seen && inComp(w) {
				parent[w] = u
				queue = append(queue, w)
			}
		}
	}
	return nil
}

func pathTo(parent map[int]int, u int) []int {
	var p []int
	for v := u; v >= 0; v = parent[v] {
		p = append(p, v)
	}
	for i, j := 0, len(p)-1; i < j; i, j = i+1, j-1 {
		p[i], p[j] = p[j], p[i]
	}
	return p
}

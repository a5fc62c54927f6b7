// Package scc finds the strongly connected components of a directed
// graph: the lock-order graph's cycles (package lockgraph) and the
// wait-for cycles among a dump's threads (package incident) are both
// components of more than one vertex, or a vertex that reaches itself.
package scc

import "slices"

// Components returns the strongly connected components of the directed
// graph on vertices 0..n-1, succ giving each vertex's successors (Tarjan's algorithm, iteratively, since a
// dump may hold thousands of threads). Each component is sorted; the
// order of components follows the input.
func Components(n int, succ func(v int) []int) [][]int {
	const unseen = -1
	index := make([]int, n)
	low := make([]int, n)
	onStack := make([]bool, n)
	for i := range index {
		index[i] = unseen
	}
	var stack []int
	var comps [][]int
	next := 0
	type frame struct{ v, i int }
	for root := range n {
		if index[root] != unseen {
			continue
		}
		work := []frame{{root, 0}}
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(work) > 0 {
			f := &work[len(work)-1]
			if out := succ(f.v); f.i < len(out) {
				w := out[f.i]
				f.i++
				if index[w] == unseen {
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					work = append(work, frame{w, 0})
				} else if onStack[w] {
					low[f.v] = min(low[f.v], index[w])
				}
				continue
			}
			v := f.v
			work = work[:len(work)-1]
			if len(work) > 0 {
				p := work[len(work)-1].v
				low[p] = min(low[p], low[v])
			}
			if low[v] == index[v] {
				comps = append(comps, popComponent(&stack, onStack, v))
			}
		}
	}
	return comps
}

func popComponent(stack *[]int, onStack []bool, v int) []int {
	var c []int
	for {
		x := (*stack)[len(*stack)-1]
		*stack = (*stack)[:len(*stack)-1]
		onStack[x] = false
		c = append(c, x)
		if x == v {
			break
		}
	}
	slices.Sort(c)
	return c
}

//go:build ignore

// go_nilmap writes to a nil map, a runtime panic without the
// "runtime error:" prefix.
package main

type counter struct{ seen map[string]int }

func (c counter) add(k string) { c.seen[k]++ }

func main() {
	var c counter
	c.add("x")
}

//go:build ignore

// go_nilderef dereferences a nil pointer: a runtime.Error with a
// [signal ...] line between the panic and the goroutine header.
package main

type node struct{ next *node }

func depth(n *node) int { return 1 + depth(n.next) }

func main() { _ = depth(&node{next: &node{}}) }

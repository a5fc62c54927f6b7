//go:build ignore

// go_panic panics with a plain string through a method with a pointer
// receiver, a generic function and a closure, so the fixture exercises
// the frame-name shapes Go prints.
package main

type store struct{ items map[string]int }

func (s *store) get(k string) int {
	v, ok := s.items[k]
	if !ok {
		panic("missing key " + k)
	}
	return v
}

func apply[T any](xs []T, f func(T)) {
	for _, x := range xs {
		f(x)
	}
}

func main() {
	s := &store{items: map[string]int{"a": 1}}
	apply([]string{"a", "b"}, func(k string) { _ = s.get(k) })
}

// Command abba deadlocks two goroutines the classic way: one takes
// Store.mu then Replica.raftMu, the other Replica.raftMu then Store.mu.
// Once both hold their first lock, every goroutine is asleep and the
// runtime prints "all goroutines are asleep".
package main

import "sync"

// Store is a node's store; mu guards its replicas.
type Store struct {
	mu       sync.Mutex
	replicas int
}

// Replica is one range; raftMu serialises raft processing.
type Replica struct {
	id     int
	raftMu sync.Mutex
}

var both sync.WaitGroup

// Transfer locks the store, then the replica.
//
//go:noinline
func (s *Store) Transfer(r *Replica) {
	s.mu.Lock()
	both.Done()
	both.Wait()
	r.raftMu.Lock()
	s.replicas++
	r.raftMu.Unlock()
	s.mu.Unlock()
}

// Apply locks the replica, then the store: the opposite order.
//
//go:noinline
func (r *Replica) Apply(s *Store) {
	r.raftMu.Lock()
	both.Done()
	both.Wait()
	s.mu.Lock()
	r.id++
	s.mu.Unlock()
	r.raftMu.Unlock()
}

func main() {
	s, r := &Store{}, &Replica{}
	both.Add(2)
	var done sync.WaitGroup
	done.Add(2)
	go func() { defer done.Done(); s.Transfer(r) }()
	go func() { defer done.Done(); r.Apply(s) }()
	done.Wait()
}

// Package lockgraph reads the locks out of an EPG: which thread holds
// which lock and which waits for it, where each acquired or is acquiring
// it, the wait-for cycles that are deadlocks, the lock-order inversions
// that several occurrences reveal together even when none deadlocked, and
// the locks that cost the most waiting.
//
// It reads the shape internal/evidence/threads documents for every
// runtime decoder: thread nodes with their frames (on edges, frame.index
// 0 innermost), lock nodes, and thread→lock holds and waits edges. Those
// edges come in two tenses. A dump (Go goroutine dump, JVM thread dump)
// states one moment: the thread holds, or is waiting for, the lock now.
// A Go execution trace summarises a whole recording: waits carry counts
// and totals (wait.count, wait.total_ns) and holds are deduced from who
// woke whom (inferred.from=unblock). Only edges of the present tense can
// close a wait-for cycle or show an acquisition order; both feed the
// contention figures, where the trace's happens_before edges (which
// goroutine woke which, through a mutex) apportion each waiter's time
// among the lock's holders.
//
// Everything here is a pure function of its graphs; results refer to
// nodes by ID and come in a stable order, so they marshal to the same
// JSON every time.
package lockgraph

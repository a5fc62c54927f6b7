package lockgraph

// Report is what [Analyze] finds in one graph. Every list is bounded by
// [Options]; the Omitted counts say how much was left out.
type Report struct {
	// Locks are ranked: locks on a cycle first, then by total wait, most
	// first, then by node ID.
	Locks        []Lock `json:"locks"`
	OmittedLocks int    `json:"omitted_locks,omitempty"`
	// Cycles are the wait-for cycles (deadlocks), by first thread ID.
	Cycles        []Cycle `json:"cycles"`
	OmittedCycles int     `json:"omitted_cycles,omitempty"`
	// Hotspots are the contended locks, most waiting first.
	Hotspots        []Hotspot `json:"hotspots"`
	OmittedHotspots int       `json:"omitted_hotspots,omitempty"`
}

// Site is a place in code where a thread acquired, or is acquiring, a
// lock.
type Site struct {
	// Node is the frame node the site was read from, else the lock node
	// whose location it is.
	Node     string `json:"node,omitempty"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Function string `json:"function,omitempty"`
	// From says how the site was found: "edge" (the edge named the
	// frame), "stack" (the thread's innermost in-app frame), "caller"
	// (the in-app frame above the one waiting for a lock the thread
	// already holds), or "lock-site" (a lock identified by the call site
	// that takes it, as execution traces do).
	From string `json:"from,omitempty"`
}

// Lock is one lock with the threads that hold it and wait for it.
type Lock struct {
	Node string `json:"node"`
	Name string `json:"name,omitempty"`
	// Key identifies the lock across occurrences: its name without
	// addresses (see [Key]).
	Key  string `json:"key"`
	Kind string `json:"kind,omitempty"`
	// Site is where the lock is taken, when the lock is identified by it.
	Site           *Site    `json:"site,omitempty"`
	Holders        []Holder `json:"holders,omitempty"`
	OmittedHolders int      `json:"omitted_holders,omitempty"`
	Waiters        []Waiter `json:"waiters,omitempty"`
	OmittedWaiters int      `json:"omitted_waiters,omitempty"`
	// Waits and WaitNs total every waiter's waits (condition waits
	// excluded).
	Waits  int64 `json:"waits,omitempty"`
	WaitNs int64 `json:"wait_ns,omitempty"`
}

// Holder is a thread that holds a lock.
type Holder struct {
	Thread     string `json:"thread"`
	ThreadName string `json:"thread_name,omitempty"`
	Site       *Site  `json:"site,omitempty"`
	// Current is true when a dump says the thread holds the lock now;
	// false for a hold an execution trace deduced from wake-ups.
	Current bool `json:"current"`
	// Inferred says what the hold was deduced from ("args", "unblock"),
	// empty when the artifact stated it.
	Inferred string `json:"inferred,omitempty"`
	// Releases counts the times the holder released the lock to a waiter.
	Releases  int64 `json:"releases,omitempty"`
	FirstUnix int64 `json:"first_unix_nano,omitempty"`
	LastUnix  int64 `json:"last_unix_nano,omitempty"`
	// HeldAtLeastNs is, for a current holder, how long its longest
	// current waiter has been waiting: it has held the lock at least that
	// long.
	HeldAtLeastNs int64 `json:"held_at_least_ns,omitempty"`
	// BlockedNs is the waiting this holder caused: for a current holder
	// the sum of its current waiters' waits; for a deduced one its share
	// of the lock's total wait, in proportion to its releases.
	BlockedNs int64 `json:"blocked_ns,omitempty"`
}

// Waiter is a thread that waits, or waited, for a lock.
type Waiter struct {
	Thread     string `json:"thread"`
	ThreadName string `json:"thread_name,omitempty"`
	Site       *Site  `json:"site,omitempty"`
	// Mode is the edge's lock.mode: "read", "write", "condition" (waiting
	// to be notified, which released the lock), or empty.
	Mode string `json:"mode,omitempty"`
	// Current is true for a wait under way when the artifact was taken.
	Current bool `json:"current"`
	// Threads is how many threads this waiter stands for: a goroutine
	// profile's thread node groups identical goroutines (attribute
	// count). Omitted when 1.
	Threads   int64 `json:"threads,omitempty"`
	Waits     int64 `json:"waits,omitempty"`
	WaitNs    int64 `json:"wait_ns,omitempty"`
	MaxWaitNs int64 `json:"max_wait_ns,omitempty"`
	FirstUnix int64 `json:"first_unix_nano,omitempty"`
	LastUnix  int64 `json:"last_unix_nano,omitempty"`
}

// Cycle is a wait-for cycle: Steps[i].Thread waits for Steps[i].Lock,
// which Steps[i].Holder holds, and Steps[i].Holder is the thread of the
// next step (cyclically). One step is a thread waiting for a lock it
// already holds.
type Cycle struct {
	Summary string `json:"summary"`
	// Locks are the lock node IDs in cycle order.
	Locks []string `json:"locks"`
	Steps []Step   `json:"steps"`
	// Threads counts the threads in the cycle's strongly connected
	// component of the wait-for graph; more than len(Steps) when several
	// cycles interlock.
	Threads int `json:"threads"`
	// Verdicts are the runtime's own verdict events (deadlock, blocked)
	// that name a thread of the cycle.
	Verdicts []string `json:"verdicts,omitempty"`
	// Inferred is true when some hold on the cycle was deduced, not
	// stated by the artifact.
	Inferred bool `json:"inferred,omitempty"`
}

// Step is one thread of a cycle, the lock it waits for and who holds it.
type Step struct {
	Thread     string `json:"thread"`
	ThreadName string `json:"thread_name,omitempty"`
	Lock       string `json:"lock"`
	LockName   string `json:"lock_name,omitempty"`
	// WaitSite is where Thread is acquiring Lock.
	WaitSite *Site  `json:"wait_site,omitempty"`
	Holder   string `json:"holder"`
	// HoldSite is where Holder acquired Lock (as near as the artifact
	// tells: see [Site].From).
	HoldSite     *Site  `json:"hold_site,omitempty"`
	HoldInferred string `json:"hold_inferred,omitempty"`
}

// Hotspot is a contended lock: how much waiting it caused and who held
// it meanwhile.
type Hotspot struct {
	Lock      string `json:"lock"`
	Name      string `json:"name,omitempty"`
	Site      *Site  `json:"site,omitempty"`
	Waits     int64  `json:"waits"`
	WaitNs    int64  `json:"wait_ns"`
	MaxWaitNs int64  `json:"max_wait_ns,omitempty"`
	// Waiters counts the threads that waited; Current those still
	// waiting.
	Waiters int `json:"waiters"`
	Current int `json:"current,omitempty"`
	// Holders are ranked by the waiting they caused.
	Holders        []Holder `json:"holders,omitempty"`
	OmittedHolders int      `json:"omitted_holders,omitempty"`
}

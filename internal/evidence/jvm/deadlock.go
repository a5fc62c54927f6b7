package jvm

import (
	"strings"

	"github.com/tagdebug/tag/internal/evidence"
)

// deadlock is one "Found one Java-level deadlock:" report:
//
//	"t1":
//	  waiting to lock monitor 0x00007fee80066c10 (object 0x000000069ec196f8, a java.lang.Object),
//	  which is held by "t2"
//	"reserver":
//	  waiting for ownable synchronizer 0x000000069ec198e8, (a java.util.concurrent.locks.ReentrantLock$NonfairSync),
//	  which is held by "shipper"
//
// followed by the stacks of the threads it lists, which repeat the
// thread list and are read only for threads it lacks.
type deadlock struct {
	off     int64
	msg     strings.Builder
	entries []*deadlockEntry
}

// deadlockEntry is one thread of a report.
type deadlockEntry struct {
	off    int64
	thread string // the thread's name
	wait   *lockRef
	// holder is the holding thread's name; sawHeld is set by the "which
	// is held by" line even when it names no thread (an owner HotSpot
	// cannot name, printed as UNKNOWN_owner_addr=...).
	holder  string
	sawHeld bool
}

func (p *parser) startDeadlock(l line) {
	p.dl = &deadlock{off: l.off}
	p.dlEntry = nil
	p.d.deadlocks = append(p.d.deadlocks, p.dl)
	p.sec, p.skipping = deadlockInfo, false
}

// deadlockLine reads a line of a deadlock report.
func (p *parser) deadlockLine(l line) error {
	t := l.text
	switch {
	case strings.HasPrefix(t, "Found one Java-level deadlock:"):
		if err := p.closeDeadlock(l.off); err != nil {
			return err
		}
		p.startDeadlock(l)
		return nil
	case strings.HasPrefix(t, "Found ") && strings.Contains(t, " deadlock"):
		err := p.closeDeadlock(l.off)
		p.sec = afterThreads
		return err
	case isHeapSummary(t), strings.HasPrefix(t, "Full thread dump "):
		err := p.closeDeadlock(l.off)
		p.sec = done
		return err
	case strings.HasPrefix(t, "==="), t == "":
		return nil
	case strings.HasPrefix(t, "Java stack information for the threads listed above"):
		p.sec = deadlockStacks
		return nil
	}
	if p.sec == deadlockStacks {
		return p.deadlockStackLine(l)
	}
	return p.deadlockEntryLine(l)
}

// deadlockEntryLine reads the report's description of one thread.
func (p *parser) deadlockEntryLine(l line) error {
	t := l.text
	p.appendMsg(t)
	if name, ok := reportThreadName(t); ok {
		p.dlEntry = &deadlockEntry{off: l.off, thread: name}
		p.dl.entries = append(p.dl.entries, p.dlEntry)
		return nil
	}
	rest := strings.TrimSpace(t)
	e := p.dlEntry
	if e == nil {
		if rest != "" && t[0] != ' ' && t[0] != '\t' {
			return nil // stray output before the first entry
		}
		return evidence.Errorf(p.in, l.off, "deadlock report line outside a thread entry")
	}
	if _, h, ok := strings.Cut(rest, "which is held by "); ok {
		e.sawHeld = true
		if name, ok := quoted(h); ok {
			e.holder = clip(name)
		}
		rest, _, _ = strings.Cut(rest, "which is held by ")
	}
	if r, ok := reportWait(rest, l.off); ok {
		e.wait = r
	}
	return nil
}

func (p *parser) appendMsg(t string) {
	if p.dl.msg.Len()+len(t)+1 > evidence.MaxValueLen {
		return
	}
	if p.dl.msg.Len() > 0 {
		p.dl.msg.WriteByte('\n')
	}
	p.dl.msg.WriteString(t)
}

// reportWait reads "waiting to lock monitor 0x.. (object 0x.., a C),"
// and "waiting for ownable synchronizer 0x.., (a C),".
func reportWait(s string, off int64) (*lockRef, bool) {
	if rest, ok := strings.CutPrefix(s, "waiting to lock monitor "); ok {
		_, obj, ok := strings.Cut(rest, "(object ")
		if !ok {
			return nil, false
		}
		a, class, _ := strings.Cut(obj, ", a ")
		addr, ok := normAddr(a)
		class, _, _ = strings.Cut(class, ")")
		return &lockRef{verb: verbDeadlockWait, addr: addr, class: clip(class), frame: -1, off: off}, ok
	}
	if rest, ok := strings.CutPrefix(s, "waiting for ownable synchronizer "); ok {
		a, tail, _ := strings.Cut(rest, ",")
		addr, ok := normAddr(strings.TrimSpace(a))
		class, _ := objectClass(strings.TrimSpace(tail))
		return &lockRef{verb: verbDeadlockWait, addr: addr, class: class, frame: -1, off: off, ownable: true}, ok
	}
	return nil, false
}

// deadlockStackLine reads the report's stacks, keeping those of threads
// the thread list did not have.
func (p *parser) deadlockStackLine(l line) error {
	if name, ok := reportThreadName(l.text); ok {
		p.endThread()
		if p.threadByName(name) != nil {
			p.skipping = true
			return nil
		}
		p.skipping = false
		p.cur = &thread{off: l.off, name: clip(name), id: "name:" + clip(name), cpuNs: -1, elapsedNs: -1, fromDeadlock: true}
		p.d.threads = append(p.d.threads, p.cur)
		return nil
	}
	if p.skipping || p.cur == nil {
		return nil
	}
	return p.cur.body(p, l)
}

// closeDeadlock checks the report being read is complete.
func (p *parser) closeDeadlock(off int64) error {
	p.endThread()
	dl := p.dl
	p.dl, p.dlEntry = nil, nil
	if dl == nil {
		return nil
	}
	if len(dl.entries) == 0 {
		return evidence.Errorf(p.in, dl.off, "deadlock report lists no threads (truncated?)")
	}
	for _, e := range dl.entries {
		if e.wait == nil || !e.sawHeld {
			return evidence.Errorf(p.in, e.off, "deadlock report entry for %q does not say what it waits for and who holds it (truncated?)", clipShort(e.thread))
		}
	}
	return nil
}

// endDeadlock closes a report still open at the end of the input.
func (p *parser) endDeadlock(size int64) error {
	if p.sec == deadlockInfo || p.sec == deadlockStacks {
		return p.closeDeadlock(size)
	}
	return nil
}

func (p *parser) threadByName(name string) *thread {
	for _, t := range p.d.threads {
		if t.name == name {
			return t
		}
	}
	return nil
}

// reportThreadName reads a report's `"name":` line.
func reportThreadName(s string) (string, bool) {
	if len(s) < 3 || s[0] != '"' || !strings.HasSuffix(s, `":`) {
		return "", false
	}
	return s[1 : len(s)-2], true
}

// quoted returns the text between the first pair of double quotes; a
// thread name may hold quotes, so the closing one is the last.
func quoted(s string) (string, bool) {
	i := strings.IndexByte(s, '"')
	j := strings.LastIndexByte(s, '"')
	if i < 0 || j <= i {
		return "", false
	}
	return s[i+1 : j], true
}

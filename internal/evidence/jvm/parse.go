package jvm

import (
	"context"
	"strings"
	"time"

	"github.com/tagdebug/tag/internal/evidence"
)

// dump is a parsed thread dump, before it becomes EPG nodes.
type dump struct {
	time    int64  // Unix ns of the timestamp line, 0 when absent
	stamp   string // the timestamp line as printed
	vm      string // "OpenJDK 64-Bit Server VM (17.0.15+6 mixed mode)"
	jniRefs string // the "JNI global refs" line, as printed
	threads []*thread
	// deadlocks are the JVM's own deadlock reports, in file order.
	deadlocks []*deadlock
}

// line is one line of the input with its byte offset.
type line struct {
	text string
	off  int64
}

// section says what the lines being read belong to.
type section int

const (
	beforeDump     section = iota // program output before the header
	threadList                    // thread blocks
	afterThreads                  // after "JNI global refs": deadlocks, heap
	deadlockInfo                  // a deadlock report's thread entries
	deadlockStacks                // its "Java stack information" part
	done
)

// parser reads a dump line by line.
type parser struct {
	in  *evidence.Input
	d   *dump
	sec section
	cur *thread // the thread whose block is being read
	// ownable is true inside "Locked ownable synchronizers:".
	ownable bool
	dl      *deadlock
	dlEntry *deadlockEntry
	// skipping is true while the stacks of a thread already read from
	// the thread list are repeated in a deadlock report.
	skipping  bool
	sawHeader bool
}

// ctxEvery is how many lines pass between cancellation checks.
const ctxEvery = 4096

func parse(ctx context.Context, in *evidence.Input) (*dump, error) {
	text := string(in.Data)
	p := &parser{in: in, d: &dump{}}
	if !hasDumpHeader(text) {
		// A dump pasted without its header starts with thread blocks.
		p.sec = threadList
	}
	var prev line
	n := 0
	for off := 0; off < len(text) && p.sec != done; {
		end := strings.IndexByte(text[off:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += off
		}
		l := line{text: strings.TrimSuffix(text[off:end], "\r"), off: int64(off)}
		if n++; n%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if err := p.line(l, prev); err != nil {
			return nil, err
		}
		prev = l
		off = end + 1
	}
	return p.finish(int64(len(text)))
}

func hasDumpHeader(text string) bool {
	return strings.HasPrefix(text, "Full thread dump ") || strings.Contains(text, "\nFull thread dump ")
}

// line dispatches one line by section.
func (p *parser) line(l, prev line) error {
	switch p.sec {
	case beforeDump:
		if rest, ok := strings.CutPrefix(l.text, "Full thread dump "); ok {
			p.header(rest, prev.text)
		}
		return nil
	case threadList:
		return p.threadLine(l)
	case afterThreads:
		p.afterLine(l)
		return nil
	case deadlockInfo, deadlockStacks:
		return p.deadlockLine(l)
	}
	return nil
}

// header records the VM line and the timestamp printed just above it.
func (p *parser) header(vm, stamp string) {
	p.sec, p.sawHeader = threadList, true
	p.d.vm = clip(strings.TrimSuffix(vm, ":"))
	if t, err := time.Parse(time.DateTime, strings.TrimSpace(stamp)); err == nil {
		p.d.time = t.UnixNano()
		p.d.stamp = strings.TrimSpace(stamp)
	}
}

// threadLine reads a line of the thread list.
func (p *parser) threadLine(l line) error {
	t := l.text
	switch {
	case t == "":
		p.endFrames()
		return nil
	case t[0] == '"':
		return p.startThread(l)
	case strings.HasPrefix(t, "JNI global ref"):
		p.endThread()
		p.d.jniRefs = clip(t)
		p.sec = afterThreads
		return nil
	case strings.HasPrefix(t, "Found one Java-level deadlock:"):
		p.endThread()
		p.startDeadlock(l)
		return nil
	case isHeapSummary(t), strings.HasPrefix(t, "Full thread dump "):
		p.endThread()
		p.sec = done
		return nil
	}
	if p.cur == nil {
		if isStackLine(t) {
			return evidence.Errorf(p.in, l.off, "stack line outside a thread block")
		}
		return nil // "Threads class SMR info" and stray program output
	}
	return p.cur.body(p, l)
}

// isStackLine reports whether t is a frame or lock line.
func isStackLine(t string) bool {
	return strings.HasPrefix(t, "\tat ") || strings.HasPrefix(t, "\t- ")
}

// isHeapSummary reports the "Heap" block SIGQUIT prints after the dump.
func isHeapSummary(t string) bool { return t == "Heap" }

func (p *parser) startThread(l line) error {
	p.endThread()
	t, err := parseHeader(p.in, l)
	if err != nil {
		return err
	}
	p.cur = t
	p.d.threads = append(p.d.threads, t)
	return nil
}

// endFrames ends a thread's frames at a blank line; its ownable
// synchronizers may still follow.
func (p *parser) endFrames() {
	p.ownable = false
}

func (p *parser) endThread() {
	if p.cur != nil {
		p.cur.finishFrames(p.in)
	}
	p.cur, p.ownable = nil, false
}

// afterLine reads what follows the thread list.
func (p *parser) afterLine(l line) {
	switch {
	case strings.HasPrefix(l.text, "Found one Java-level deadlock:"):
		p.startDeadlock(l)
	case isHeapSummary(l.text), strings.HasPrefix(l.text, "Full thread dump "):
		p.sec = done
	}
}

// finish checks the dump is complete enough to mean something.
func (p *parser) finish(size int64) (*dump, error) {
	p.endThread()
	if err := p.endDeadlock(size); err != nil {
		return nil, err
	}
	for _, t := range p.d.threads {
		if t.frameErr != nil {
			return nil, t.frameErr
		}
	}
	if len(p.d.threads) == 0 && len(p.d.deadlocks) == 0 {
		if !p.sawHeader {
			return nil, evidence.Errorf(p.in, 0, "no thread dump found (no \"Full thread dump\" header and no thread blocks)")
		}
		return nil, evidence.Errorf(p.in, size, "thread dump ends before its first thread (truncated?)")
	}
	return p.d, nil
}

// clip bounds a value taken from one line.
func clip(s string) string { return evidence.Clip(s) }

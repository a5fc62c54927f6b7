// Package jvm decodes HotSpot thread dumps: the text that `jstack PID`,
// `jstack -l PID`, `jcmd PID Thread.print [-l]` and SIGQUIT (kill -3,
// written to the JVM's stdout) print. There is no specification beyond
// HotSpot itself (Threads::print_on and JavaThread::print_on in
// src/hotspot/share/runtime, ThreadService's deadlock printer); the parser
// follows what OpenJDK 8 to 21 print, and testdata/gen.sh captures real
// dumps of the programs in testdata/src.
//
// Mapping to the EPG, in the shape of package threads:
//   - each thread block becomes a thread node with ID
//     epg.ThreadNodeID(in.Scope(), id), where id is the Java thread ID
//     (the "#12" of the header, Thread.getId(), which OpenTelemetry's
//     thread.id also records) or, for VM threads that have none, the
//     "tid=0x..." address. thread.state is the lower-cased Thread.State
//     (TIMED_WAITING counts as "waiting", TERMINATED as "dead") and
//     thread.wait_reason the State line as printed, "BLOCKED (on object
//     monitor)"; VM threads without a State line take both from the header.
//     Start is the dump time less elapsed=, End the dump time;
//   - its frames via package stacktrace's Java conventions (the thread
//     dump's "java.base@17/" location prefix is dropped first);
//   - every object in a lock line becomes a lock node,
//     epg.LockNodeID(in.Scope(), "0x...object address"), named
//     "java.lang.Object <0x...>", or "Cls.field (java.lang.Object <0x...>)"
//     when in.SourceRoots hold the line where a thread waits for it
//     (`synchronized (field)`, `field.lock()`, `field.wait()`);
//   - "- locked" and "Locked ownable synchronizers" entries are holds
//     edges; "- waiting to lock", "- waiting to re-lock in wait()" and
//     "- parking to wait for" are waits edges. Object.wait's "- waiting on"
//     and parking on a Condition are waits with lock.mode "condition": the
//     waiter released the lock and waits for a notify, so the "- locked"
//     line HotSpot prints below it for the same object is not a hold and is
//     skipped. "- eliminated" (a lock the JIT removed) yields no edge;
//   - lock.kind is "monitor", "ownable" (ReentrantLock and friends),
//     "condition" or "parker" (any other park blocker: a latch, a future);
//   - each "Found one Java-level deadlock:" section is a verdict event
//     (event.type deadlock, exception.type "Java-level deadlock", the
//     section's text as message) emitted by the threads it lists, and
//     adds the waits and holds edges it states that the stacks did not:
//     a thread parked on a ReentrantLock names no holder in plain jstack.
//
// The dump's timestamp line is read as UTC (HotSpot prints local time
// without a zone) and becomes the verdict's time. Only the first dump of a
// file is read; a SIGQUIT log with several dumps should be split first.
// Text around the dump (program output on stdout, the "Heap" summary, the
// "Threads class SMR info" block) is skipped.
package jvm

import (
	"bytes"
	"context"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
)

// Format is the decoder's format name.
const Format = "jvm-threaddump"

// Decoder decodes HotSpot thread dumps. The zero value is ready to use.
type Decoder struct{}

// Format returns "jvm-threaddump".
func (*Decoder) Format() string { return Format }

// sniffHead bounds how much of an input Sniff reads: a SIGQUIT log may
// hold program output before the dump, but not megabytes of it.
const sniffHead = 64 << 10

// Sniff is Certain of a "Full thread dump" line and Likely of thread
// blocks with Thread.State lines or a deadlock report without it (a dump
// pasted without its header). A stack trace of an exception has neither.
func (*Decoder) Sniff(in *evidence.Input) evidence.Confidence {
	head := in.Data
	if len(head) > sniffHead {
		head = head[:sniffHead]
	}
	switch {
	case lineStartsWith(head, "Full thread dump "):
		return evidence.Certain
	case lineStartsWith(head, "Found one Java-level deadlock:"):
		return evidence.Likely
	case bytes.Contains(head, []byte("\n   java.lang.Thread.State: ")) && lineStartsWith(head, `"`):
		return evidence.Likely
	}
	return evidence.No
}

// lineStartsWith reports whether some line of data starts with prefix.
func lineStartsWith(data []byte, prefix string) bool {
	p := []byte(prefix)
	if bytes.HasPrefix(data, p) {
		return true
	}
	nl := append([]byte{'\n'}, p...)
	return bytes.Contains(data, nl)
}

// Decode parses the dump in in and returns its fragment.
func (*Decoder) Decode(ctx context.Context, in *evidence.Input) (*epg.Fragment, error) {
	d, err := parse(ctx, in)
	if err != nil {
		return nil, err
	}
	f := &epg.Fragment{Source: in.Name, Format: Format}
	newEmitter(in, d, f).emit()
	return f, nil
}

var _ evidence.Decoder = (*Decoder)(nil)

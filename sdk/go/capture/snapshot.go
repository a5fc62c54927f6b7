package capture

import (
	"bytes"
	"runtime/pprof"
	"time"

	"github.com/tagdebug/tag/sdk/go/capsule"
)

// snapshots takes the runtime snapshots a kept failure carries: every
// goroutine's stack (debug=2, the crash-dump format TAG parses into
// threads and locks), optionally a heap profile, and the flight
// recorder's window when it runs. One snapshot at a time: a burst of
// panics must not stack up dumps.
func (r *Recorder) snapshots(goroutines, heap bool) []capsule.Attachment {
	return r.snapshotsWith("", goroutines, heap)
}

// snapshotsWith is snapshots with a first line for the goroutine dump
// (the watchdog's capsule.WatchdogHeader line).
func (r *Recorder) snapshotsWith(header string, goroutines, heap bool) []capsule.Attachment {
	r.snapMu.Lock()
	defer r.snapMu.Unlock()
	var out []capsule.Attachment
	now := time.Now().UnixNano()
	if goroutines {
		if a, ok := r.dumpLocked(header, 0, now); ok {
			out = append(out, a)
		}
	}
	if heap {
		var b bytes.Buffer
		if err := pprof.Lookup("heap").WriteTo(&b, 0); err == nil {
			out = append(out, capsule.Attachment{Kind: capsule.AttachHeap, Taken: now, Data: b.Bytes()})
		}
	}
	if r.fr != nil && r.fr.Enabled() {
		var b bytes.Buffer
		if _, err := r.fr.WriteTo(&b); err == nil {
			out = append(out, capsule.Attachment{Kind: capsule.AttachFlightRecorder, Taken: now, Data: b.Bytes()})
		} else {
			r.logf("flight recorder snapshot: %v", err)
		}
	}
	return out
}

// goroutineDump takes one goroutine dump headed by header, cut to at
// most max bytes at a goroutine boundary, redacted.
func (r *Recorder) goroutineDump(header string, max int) (capsule.Attachment, bool) {
	r.snapMu.Lock()
	defer r.snapMu.Unlock()
	return r.dumpLocked(header, max, time.Now().UnixNano())
}

// dumpLocked writes every goroutine's stack in the debug=2 text (max 0:
// whole); snapMu is held.
func (r *Recorder) dumpLocked(header string, max int, now int64) (capsule.Attachment, bool) {
	var b bytes.Buffer
	if header != "" {
		b.WriteString(header + "\n\n")
	}
	if err := pprof.Lookup("goroutine").WriteTo(&b, 2); err != nil {
		return capsule.Attachment{}, false
	}
	data := b.Bytes()
	if max > 0 && len(data) > max {
		// Goroutines are separated by a blank line; a goroutine cut
		// in the middle would make the whole dump unreadable to TAG.
		i := bytes.LastIndex(data[:max], []byte("\n\n"))
		if i <= len(header) {
			return capsule.Attachment{}, false
		}
		data = data[:i+1]
	}
	return capsule.Attachment{Kind: capsule.AttachGoroutines, Taken: now, Data: []byte(r.eng.RedactText(string(data)))}, true
}

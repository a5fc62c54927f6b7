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
		var b bytes.Buffer
		if header != "" {
			b.WriteString(header + "\n\n")
		}
		if err := pprof.Lookup("goroutine").WriteTo(&b, 2); err == nil {
			out = append(out, capsule.Attachment{Kind: capsule.AttachGoroutines, Taken: now,
				Data: []byte(r.eng.RedactText(b.String()))})
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

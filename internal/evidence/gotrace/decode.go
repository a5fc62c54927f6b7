// Package gotrace decodes Go execution traces, format "go-exectrace": the
// files runtime/trace.Start writes and the snapshots a
// runtime/trace.FlightRecorder (Go 1.25+) writes with WriteTo. The wire
// format has no written specification beyond the Go source
// (src/internal/trace, mirrored as golang.org/x/exp/trace, which this
// package reads with); every trace starts with the header "go 1.NN
// trace\x00", which Sniff looks for.
//
// A trace holds every scheduler event of a program, millions of them, so
// the EPG made of it is a summary, not a replay. It follows the thread
// convention of package threads:
//
//   - A thread node per user goroutine that did something worth keeping
//     (was created, blocked, made a syscall, annotated, or woke another).
//     Goroutines whose entry function is in the runtime (GC workers, the
//     tracer's own readers) are left out. Start is the go statement (or
//     when the trace first saw the goroutine), End the exit (or the end of
//     the trace). Attributes: thread.id, thread.state at the end,
//     thread.wait_reason and thread.wait_ns if it ended blocked,
//     thread.created_by and thread.creator_id, thread.entry, and per block
//     reason "block.<reason>_ns" and "block.<reason>_count" ("sync",
//     "chan_receive", "select", "network", "sleep", ...), block.total_ns,
//     syscall.count and syscall.total_ns, gc.assist_count and
//     gc.assist_ns. "block.sites" lists, per (reason, call site), count,
//     total_ns and max_ns, busiest first; a block is charged to the first
//     in-app frame of its stack (the caller of time.Sleep, not
//     time.Sleep). Its frames are the stack
//     of its longest block (else its entry function); the creation stack,
//     from the GoCreate event, is threads.Stack.CreatedBy.
//   - Blocking on a sync.Mutex or sync.RWMutex (reason "sync", with
//     sync.(*Mutex).Lock, (*RWMutex).Lock or (*RWMutex).RLock on the
//     stack) names a lock by its acquiring call site, the first frame
//     below the sync package: a lock node epg.LockNodeID(scope,
//     "file:line") with lock.kind, lock.site and contention totals
//     (lock.wait.count, lock.wait.total_ns, lock.wait.max_ns,
//     lock.waiters), and one waits edge per goroutine carrying
//     wait.count, wait.total_ns, wait.max_ns and the times of the first
//     wait and the end of the last (wait.first_unix_nano,
//     wait.last_unix_nano); lock.mode is "read" for RLock,
//     wait.pending marks a goroutine still waiting when the trace ended
//     and wait.began_before_trace one already waiting when it began
//     (typical of flight recorder snapshots: its totals are then lower
//     bounds, counted from the start of the trace). With
//     Input.SourceRoots the lock is named after the receiver in the
//     statement ("inv.mu"). WaitGroup, Cond and Once waits are blocks,
//     not locks.
//   - When goroutine U wakes goroutine W that was waiting for lock L, U
//     has just released L: an inferred holds edge U→L (inferred.from
//     "unblock", count, hold.first_unix_nano, hold.last_unix_nano).
//   - happens_before edges, one per ordered pair of goroutines: a go
//     statement (go.create_unix_nano) and wake-ups through channels,
//     select, locks and sync (unblock.count, unblock.reason,
//     unblock.reasons when there were several, unblock.first_unix_nano,
//     unblock.last_unix_nano). count is the total. Wake-ups by timers and
//     the network poller order nothing and are left out.
//   - runtime/trace tasks, regions and logs become event nodes with
//     event.type "task", "region" and "log": task.name, task.id,
//     task.parent_id, region.name, log.category and log.message. The
//     goroutine emits them; a task calls its child tasks and its
//     outermost regions, a region calls the regions nested in it, and a
//     task emits its logs.
//   - GC, syscalls and network waits are attributes of the goroutines
//     (above) and totals on one summary event (event.type "trace", named
//     "go execution trace"): go.version, trace.events, gc.count,
//     gc.total_ns, the clock used, and "dropped.*" counts when a limit
//     (see Limits) cut goroutines, locks, events or edges.
//
// Waits and holds edges summarise the whole trace: a goroutine that
// waited for a lock at one moment and released it to another waiter at
// another has both edges to it, and the edge times say when. They are
// not a snapshot of who held what at one instant, as a goroutine dump's
// are.
//
// The trace declares no failure, so no verdict event is written; the
// incident detector decides from the graph.
//
// Trace correlation. A program that wants its execution trace joined
// with its distributed traces logs the OpenTelemetry IDs inside the task
// that handles the request:
//
//	ctx, task := trace.NewTask(ctx, "checkout")
//	defer task.End()
//	trace.Log(ctx, "otel.trace_id", span.SpanContext().TraceID().String())
//	trace.Log(ctx, "otel.span_id", span.SpanContext().SpanID().String())
//
// Categories "trace_id" and "span_id" work too, as does one
// "traceparent" log holding a W3C traceparent header. IDs are hex of any
// case, normalised to lower case (and left-padded to 32 and 16 digits).
// The task, its regions and its logs then carry the IDs, so the EPG
// builder links them to the span. TAG's Go capture SDK follows this
// convention.
//
// Times are Unix nanoseconds when the trace has a clock snapshot (Go
// 1.25+), else the trace's own monotonic clock (the summary's
// trace.clock says which). Reading stops at the first malformed byte
// with an *evidence.Error naming the byte offset the reader had
// consumed; the reader buffers at most one generation of the trace,
// and this package bounds what it keeps with Limits.
package gotrace

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"golang.org/x/exp/trace"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
)

// Format is the decoder's format name.
const Format = "go-exectrace"

// Decoder decodes Go execution traces. The zero value is ready to use.
type Decoder struct {
	// Limits bounds what one trace may add to the EPG; zero fields take
	// the defaults.
	Limits Limits
}

// Limits caps what is kept of one trace, because a trace of a busy
// server names hundreds of thousands of goroutines. What a cap cuts is
// counted in the summary event's dropped.* attributes.
type Limits struct {
	// Goroutines is the most thread nodes written (default 10,000).
	Goroutines int
	// Locks is the most lock nodes written (default 1,000).
	Locks int
	// Events is the most task, region and log nodes written (default
	// 10,000).
	Events int
	// Edges is the most happens_before pairs kept (default 50,000).
	Edges int
}

func (l Limits) withDefaults() Limits {
	def := func(v, d int) int {
		if v <= 0 {
			return d
		}
		return v
	}
	return Limits{
		Goroutines: def(l.Goroutines, 10_000),
		Locks:      def(l.Locks, 1_000),
		Events:     def(l.Events, 10_000),
		Edges:      def(l.Edges, 50_000),
	}
}

// Format returns "go-exectrace".
func (*Decoder) Format() string { return Format }

// Sniff recognises the "go 1.NN trace\x00" header.
func (*Decoder) Sniff(in *evidence.Input) evidence.Confidence {
	if _, ok := headerVersion(in.Data); ok {
		return evidence.Certain
	}
	return evidence.No
}

// headerVersion returns the "go 1.NN" of a trace header.
func headerVersion(data []byte) (string, bool) {
	const maxHeader = 16
	head := data[:min(len(data), maxHeader)]
	end := bytes.Index(head, []byte(" trace\x00"))
	if end < 0 || !bytes.HasPrefix(head, []byte("go 1.")) {
		return "", false
	}
	return string(head[:end]), true
}

// Decode summarises the trace in in as a fragment.
func (d *Decoder) Decode(ctx context.Context, in *evidence.Input) (f *epg.Fragment, err error) {
	// src counts the bytes handed out (Size-Len). The trace reader wraps
	// any reader but a *bufio.Reader in a buffer of its own; handing it
	// ours lets Buffered say how much of that it has not consumed yet.
	src := bytes.NewReader(in.Data)
	br := bufio.NewReader(src)
	defer func() {
		// The trace parser is not hardened against every corrupt input
		// (it panics on some broken invariants); a panic while decoding
		// is bad input, not a crash of the ingest.
		if p := recover(); p != nil {
			f, err = nil, readError(in, src, br, fmt.Errorf("decoding failed: %v", p))
		}
	}()
	if _, ok := headerVersion(in.Data); !ok {
		return nil, evidence.Errorf(in, 0, "not a Go execution trace: no \"go 1.NN trace\" header")
	}
	r, err := trace.NewReader(br)
	if err != nil {
		return nil, readError(in, src, br, err)
	}
	c := newConverter(in, d.Limits.withDefaults())
	for n := 0; ; n++ {
		if n&4095 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		ev, err := r.ReadEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, readError(in, src, br, err)
		}
		c.event(&ev)
	}
	if c.events == c.syncs {
		// A header and nothing else: the writer was cut off.
		return nil, evidence.Errorf(in, int64(len(in.Data)), "Go execution trace is truncated: it holds no events")
	}
	return c.fragment(), nil
}

// readError positions a reader failure at the bytes the parser consumed.
func readError(in *evidence.Input, src *bytes.Reader, br *bufio.Reader, err error) error {
	off := src.Size() - int64(src.Len()) - int64(br.Buffered())
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return evidence.Errorf(in, off, "Go execution trace is truncated: %v", err)
	}
	return evidence.Errorf(in, off, "reading Go execution trace: %v", err)
}

var _ evidence.Decoder = (*Decoder)(nil)

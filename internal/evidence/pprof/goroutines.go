package pprof

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/google/pprof/profile"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/stacktrace"
	"github.com/tagdebug/tag/internal/evidence/threads"
)

// goroutines maps a goroutine (or goroutine leak) profile: each sample is
// a distinct stack (with its labels) and the number of goroutines on it.
func (m *mapper) goroutines(ctx context.Context) error {
	samples := m.keptStacks()
	leak := m.kind == KindGoroutineLeak
	var ids []string
	var total, dropped int64
	budget := MaxNodes
	for i, s := range samples {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		count := int64(0)
		if len(s.Value) > 0 {
			count = s.Value[0]
		}
		total += count
		stack := m.stack(s)
		if budget < 1+len(stack.Frames) {
			dropped++
			continue
		}
		budget -= 1 + len(stack.Frames)
		id := epg.ThreadNodeID(m.in.Scope(), m.id+"/stack/"+strconv.Itoa(i))
		ids = append(ids, id)
		threads.Append(m.f, threads.Node{ID: id, Name: stackName(count, stack.Frames, leak),
			Attrs: m.stackAttrs(s, count, stack.Frames, leak), Start: m.start, End: m.end,
			Trace: traceOf(s), Service: m.in.Service, Stack: stack})
	}
	dropped += int64(len(m.p.Sample) - len(samples))
	m.event = m.event.Set("profile.total.goroutines", epg.Int(total))
	if dropped > 0 {
		m.event = m.event.Set("profile.stacks_dropped", epg.Int(dropped))
	}
	if leak && total > 0 {
		threads.AppendVerdict(m.f, threads.Verdict{ID: "event:" + m.id + ":leak", Type: epg.EventLeak,
			Name: "goroutine leak", Time: m.start, Service: m.in.Service, Threads: ids,
			Message: fmt.Sprintf("%d leaked goroutines on %d stacks (goroutineleak profile)", total, len(m.p.Sample)),
			Attrs:   epg.Attrs{{Key: epg.AttrCount, Value: epg.Int(total)}}})
	}
	return nil
}

// keptStacks returns the samples to map, in profile order; beyond the
// node budget's worth the largest counts win.
func (m *mapper) keptStacks() []*profile.Sample {
	const maxStacks = MaxNodes / 8
	if len(m.p.Sample) <= maxStacks {
		return m.p.Sample
	}
	idx := make([]int, len(m.p.Sample))
	for i := range idx {
		idx[i] = i
	}
	val := func(i int) int64 {
		if v := m.p.Sample[i].Value; len(v) > 0 {
			return v[0]
		}
		return 0
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(val(b), val(a)) })
	idx = idx[:maxStacks]
	slices.Sort(idx)
	out := make([]*profile.Sample, len(idx))
	for i, j := range idx {
		out[i] = m.p.Sample[j]
	}
	return out
}

// stack flattens a sample's locations into frames, innermost first.
func (m *mapper) stack(s *profile.Sample) threads.Stack {
	var st threads.Stack
	for _, loc := range s.Location {
		lf := m.ft.location(loc)
		for i, f := range lf.funcs {
			if len(st.Frames) == MaxStackFrames {
				return st
			}
			st.Frames = append(st.Frames, m.ft.frame(f, lf.lines[i]))
		}
	}
	return st
}

func stackName(count int64, frames []stacktrace.Frame, leak bool) string {
	what := "goroutines"
	if count == 1 {
		what = "goroutine"
	}
	if leak {
		what = "leaked " + what
	}
	if top := threads.FirstInApp(frames); top != nil {
		return fmt.Sprintf("%d %s in %s", count, what, top.Function)
	}
	return fmt.Sprintf("%d %s", count, what)
}

// stackAttrs are a goroutine stack's count, labels and wait reason.
func (m *mapper) stackAttrs(s *profile.Sample, count int64, frames []stacktrace.Frame, leak bool) epg.Attrs {
	a := []epg.Attr{{Key: epg.AttrCount, Value: epg.Int(count)}}
	if leak {
		a = append(a, epg.Attr{Key: "goroutine.leaked", Value: epg.Bool(true)})
	}
	if len(frames) > 0 && frames[0].Function == "runtime.gopark" || leak {
		a = append(a, epg.Attr{Key: epg.AttrThreadState, Value: epg.String("waiting")})
	}
	if r := waitReason(frames); r != "" {
		// Inferred from the stack: proto goroutine profiles do not record
		// the runtime's wait reason.
		a = append(a, epg.Attr{Key: epg.AttrThreadWaitFor, Value: epg.String(r)},
			epg.Attr{Key: "thread.wait_reason.from", Value: epg.String("stack")})
	}
	for _, k := range sortedKeys(s.Label) {
		a = evidence.AppendClipped(a, "pprof.label."+k, strings.Join(s.Label[k], ","))
	}
	for _, k := range sortedKeys(s.NumLabel) {
		if v := s.NumLabel[k]; len(v) > 0 {
			a = append(a, epg.Attr{Key: "pprof.label." + k, Value: epg.Int(v[0])})
		}
	}
	return epg.Attrs(epg.SortAttrs(a))
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// waitReasons names what a parked goroutine waits for, by the first
// blocking call on its stack, in the words the runtime prints in dumps.
var waitReasons = map[string]string{
	"runtime.chanrecv":                "chan receive",
	"runtime.chanrecv1":               "chan receive",
	"runtime.chanrecv2":               "chan receive",
	"runtime.chansend":                "chan send",
	"runtime.chansend1":               "chan send",
	"runtime.selectgo":                "select",
	"runtime.block":                   "select (no cases)",
	"sync.(*Mutex).Lock":              "sync.Mutex.Lock",
	"sync.(*RWMutex).Lock":            "sync.RWMutex.Lock",
	"sync.(*RWMutex).RLock":           "sync.RWMutex.RLock",
	"sync.(*WaitGroup).Wait":          "sync.WaitGroup.Wait",
	"sync.(*Cond).Wait":               "sync.Cond.Wait",
	"time.Sleep":                      "sleep",
	"internal/poll.runtime_pollWait":  "IO wait",
	"runtime.gcBgMarkWorker":          "GC worker (idle)",
	"runtime.forcegchelper":           "force gc (idle)",
	"runtime.bgsweep":                 "GC sweep wait",
	"runtime.bgscavenge":              "GC scavenge wait",
	"runtime.runfinq":                 "finalizer wait",
	"os/signal.signal_recv":           "signal wait",
	"internal/sync.(*Mutex).lockSlow": "sync.Mutex.Lock",
}

func waitReason(frames []stacktrace.Frame) string {
	for i := range frames {
		if r := waitReasons[frames[i].Function]; r != "" {
			return r
		}
	}
	return ""
}

// traceOf reads the OpenTelemetry trace and span a sample's labels carry
// (otel-profiling integrations set "trace_id"/"span_id" or
// "otel.trace_id"/"otel.span_id"); malformed or all-zero IDs are ignored.
func traceOf(s *profile.Sample) epg.TraceRef {
	var t epg.TraceRef
	if id := hexLabel(s, evidence.TraceIDHex, "trace_id", "otel.trace_id"); id != "" {
		t.TraceID = id
		t.SpanID = hexLabel(s, evidence.SpanIDHex, "span_id", "otel.span_id")
	}
	return t
}

func hexLabel(s *profile.Sample, width int, keys ...string) string {
	for _, k := range keys {
		if v := s.Label[k]; len(v) > 0 {
			if id, zero, ok := evidence.NormHex(v[0], width); ok && !zero {
				return id
			}
		}
	}
	return ""
}

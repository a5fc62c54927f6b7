// Package godump decodes what the Go runtime prints about its goroutines
// into the thread/lock/verdict shape of package threads. There is no
// specification beyond the runtime's own printing code
// (src/runtime/traceback.go, runtime/pprof's debug=2 writer, the race
// detector's report in compiler-rt's tsan_report.cpp) and the tools
// around it, so the decoders follow what real programs print; the
// fixtures under testdata were written by real programs (testdata/gen.sh).
//
// Two formats:
//
//   - "go-dump" ([DumpDecoder]): panic output and full goroutine dumps
//     (SIGQUIT, GOTRACEBACK=all|crash|system, /debug/pprof/goroutine?debug=2,
//     runtime.Stack(buf, true)), the fatal error "all goroutines are
//     asleep", go test's "panic: test timed out after ..." dumps,
//     goleak reports ("found unexpected goroutines:") and the go1.26
//     goroutine leak profile in its debug=2 text form ("[chan send
//     (leaked)]"). Old and new headers parse: "[semacquire, 9
//     minutes]", "[sync.Mutex.Lock]", "gp=0x... m=0 mp=0x... [running]",
//     "created by F" with and without "in goroutine N", "locked to
//     thread", elided frames, inlined "(...)" arguments, "+0x1d8"
//     offsets and "fp= sp= pc=" registers.
//   - "go-race" ([RaceDecoder]): race-detector reports ("WARNING: DATA
//     RACE"), any number of them, mixed with go test output.
//
// Mapping: one thread node per goroutine (threads.Append) with
// thread.id, thread.state (running, runnable, syscall, dead, idle,
// blocked when parked in a mutex, else waiting), thread.wait_reason,
// thread.wait_ns ("9 minutes"), thread.created_by and the creation
// frame. Locks a goroutine is parked on become lock nodes with a waits
// edge; holds are inferred from frame arguments (see locks.go). A
// verdict event records what the artifact declares: panic (with an
// emits edge from the panicking frame too), deadlock, blocked (test
// timeout: the goroutines blocked in the program's own code), leak
// (goleak, leak profile) and race (one per report, caused_by its two
// access events, each emitted by the frame that made it). A dump headed
// by the capture SDK's slow-request line (sdk/go/capsule.SlowHeader)
// declares nothing: it gets a "slow" note event instead, emitted by the
// goroutines in the program's own code, so an analysis can find where
// late requests waited.
//
// Bad input — a header cut short, a frame without its file line, a
// number too large to be real — is an *evidence.Error positioned at the
// line. Decoding is one pass over the lines, and values are bounded by
// stacktrace.MaxFrames and evidence.MaxValueLen.
package godump

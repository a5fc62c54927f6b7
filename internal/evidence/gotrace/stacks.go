package gotrace

import (
	"strconv"
	"strings"

	"golang.org/x/exp/trace"

	"github.com/tagdebug/tag/internal/evidence/stacktrace"
)

// maxFrames bounds the frames kept of one stack: the runtime records up
// to 128, and the innermost ones say what the goroutine was doing.
const maxFrames = 32

// stackInfo is what the converter needs of one trace stack, worked out
// once per stack and generation.
type stackInfo struct {
	frames []stacktrace.Frame // innermost first
	// top is the index of the first frame below the runtime and sync
	// packages: the code that blocked. -1 when there is none.
	top int
	// site is "file:line" of frames[top], the identity of a lock.
	site string
	// where is the index of the frame a block is charged to, the first
	// in-app frame (time.Sleep and net's reads are not what the program
	// waited in, their caller is), else top; whereSite is its
	// "file:line". -1 and "" when there are no frames.
	where     int
	whereSite string
	// lockKind is "mutex" or "rwmutex" when the stack is acquiring one;
	// lockMode is "read" for RLock.
	lockKind, lockMode string
	// entry is the outermost function: where the goroutine started.
	entry string
	// waitReason is the block reason the stack implies, in the trace's
	// words, for waits the trace reports without one; unlock marks a
	// stack releasing a sync lock.
	waitReason string
	unlock     bool
}

// topFrame returns the frame below the runtime and sync, else the
// innermost, else nil.
func (s *stackInfo) topFrame() *stacktrace.Frame {
	switch {
	case s == nil || len(s.frames) == 0:
		return nil
	case s.top >= 0:
		return &s.frames[s.top]
	}
	return &s.frames[0]
}

// whereFrame returns the frame a block is charged to, or nil.
func (s *stackInfo) whereFrame() *stacktrace.Frame {
	if s == nil || s.where < 0 {
		return nil
	}
	return &s.frames[s.where]
}

// stacks converts and caches stacks. A trace.Stack is a handle into its
// generation's tables, so the cache is emptied at every generation.
type stacks struct {
	cache map[trace.Stack]*stackInfo
	buf   strings.Builder
}

func (c *stacks) reset() { c.cache = make(map[trace.Stack]*stackInfo) }

func (c *stacks) get(s trace.Stack) *stackInfo {
	if s == trace.NoStack {
		return nil
	}
	if si, ok := c.cache[s]; ok {
		return si
	}
	si := c.convert(s)
	c.cache[s] = si
	return si
}

// convert renders the stack the way runtime/debug.Stack prints one and
// has package stacktrace parse it, so that frames from every Go artifact
// get the same module and in-app judgement.
func (c *stacks) convert(s trace.Stack) *stackInfo {
	c.buf.Reset()
	c.buf.WriteString("goroutine 1 [running]:\n")
	n := 0
	for f := range s.Frames() {
		if n == maxFrames {
			break
		}
		n++
		c.buf.WriteString(f.Func)
		c.buf.WriteString("(...)\n\t")
		c.buf.WriteString(f.File)
		c.buf.WriteByte(':')
		c.buf.WriteString(strconv.FormatUint(f.Line, 10))
		c.buf.WriteByte('\n')
	}
	si := &stackInfo{top: -1, where: -1}
	if n == 0 {
		return si
	}
	if t, err := stacktrace.ParseLang(c.buf.String(), stacktrace.LangGo); err == nil {
		si.frames = t.Frames
	}
	si.classify()
	si.implied()
	si.locate()
	return si
}

// locate picks the frame a block is charged to.
func (s *stackInfo) locate() {
	s.where = s.top
	for i := range s.frames {
		if s.frames[i].InApp {
			s.where = i
			break
		}
	}
	if s.where < 0 && len(s.frames) > 0 {
		s.where = 0
	}
	if s.where >= 0 {
		f := &s.frames[s.where]
		s.whereSite = f.File + ":" + strconv.Itoa(f.Line)
	}
}

// impliedReasons maps functions a parked goroutine sits in to the block
// reason the trace gives for them.
var impliedReasons = map[string]string{
	"sync.(*Mutex).Lock":                 "sync",
	"sync.(*RWMutex).Lock":               "sync",
	"sync.(*RWMutex).RLock":              "sync",
	"sync.(*WaitGroup).Wait":             "sync",
	"sync.(*Cond).Wait":                  "sync.(*Cond).Wait",
	"time.Sleep":                         "sleep",
	"runtime.chanrecv":                   "chan receive",
	"runtime.chanrecv1":                  "chan receive",
	"runtime.chanrecv2":                  "chan receive",
	"runtime.chansend":                   "chan send",
	"runtime.chansend1":                  "chan send",
	"runtime.selectgo":                   "select",
	"runtime.block":                      "forever",
	"internal/poll.runtime_pollWait":     "network",
	"internal/poll.(*pollDesc).wait":     "network",
	"internal/poll.(*pollDesc).waitRead": "network",
}

// implied reads the wait reason and unlock mark off the frames.
func (s *stackInfo) implied() {
	for i := range s.frames {
		fn := s.frames[i].Function
		switch fn {
		case "sync.(*Mutex).Unlock", "sync.(*RWMutex).Unlock", "sync.(*RWMutex).RUnlock":
			s.unlock = true
		}
		if r, ok := impliedReasons[fn]; ok && s.waitReason == "" {
			s.waitReason = r
		}
		if i == s.top {
			return
		}
	}
}

// classify finds the blocking frame, the lock being acquired, and the
// entry function.
func (s *stackInfo) classify() {
	s.entry = s.frames[len(s.frames)-1].Function
	for i := range s.frames {
		fn := s.frames[i].Function
		if isRuntimeOrSync(fn) {
			switch fn {
			case "sync.(*Mutex).Lock":
				s.lockKind, s.lockMode = "mutex", ""
			case "sync.(*RWMutex).Lock":
				s.lockKind, s.lockMode = "rwmutex", "write"
			case "sync.(*RWMutex).RLock":
				s.lockKind, s.lockMode = "rwmutex", "read"
			default:
				if strings.HasPrefix(fn, "sync.") {
					// WaitGroup.Wait, Cond.Wait, Once.Do: not a lock of
					// the caller's even when one is taken inside.
					s.lockKind, s.lockMode = "", ""
				}
			}
			continue
		}
		s.top = i
		s.site = s.frames[i].File + ":" + strconv.Itoa(s.frames[i].Line)
		return
	}
	s.lockKind, s.lockMode = "", ""
}

func isRuntimeOrSync(fn string) bool {
	return strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "sync.") ||
		strings.HasPrefix(fn, "internal/") || strings.HasPrefix(fn, "sync/atomic.")
}

// isSystemEntry reports whether a goroutine starting in fn belongs to the
// runtime or to the tracer rather than to the program.
func isSystemEntry(fn string) bool {
	return strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "runtime/trace.")
}

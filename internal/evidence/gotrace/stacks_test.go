package gotrace

import (
	"testing"

	"github.com/tagdebug/tag/internal/evidence/stacktrace"
)

func frames(fns ...string) []stacktrace.Frame {
	out := make([]stacktrace.Frame, len(fns))
	for i, fn := range fns {
		out[i] = stacktrace.Frame{Function: fn, File: "f.go", Line: i + 1, Lang: stacktrace.LangGo}
	}
	return out
}

// TestClassify: the lock a stack acquires is named by the first frame
// below the sync package, and only mutexes count as locks.
func TestClassify(t *testing.T) {
	cases := []struct {
		stack            []string
		kind, mode, site string
		reason           string
	}{
		{[]string{"sync.(*Mutex).Lock", "main.(*S).Get", "main.main"}, "mutex", "", "f.go:2", "sync"},
		{[]string{"runtime.gopark", "internal/sync.(*Mutex).lockSlow", "sync.(*Mutex).Lock", "main.f"}, "mutex", "", "f.go:4", "sync"},
		{[]string{"sync.(*Mutex).Lock", "sync.(*RWMutex).Lock", "main.(*C).Write"}, "rwmutex", "write", "f.go:3", "sync"},
		{[]string{"sync.(*RWMutex).RLock", "main.(*C).Read"}, "rwmutex", "read", "f.go:2", "sync"},
		{[]string{"sync.(*WaitGroup).Wait", "main.main"}, "", "", "f.go:2", "sync"},
		{[]string{"sync.(*Mutex).Lock", "sync.(*Once).doSlow", "sync.(*Once).Do", "main.init"}, "", "", "f.go:4", "sync"},
		{[]string{"runtime.gopark", "time.Sleep", "main.(*C).Refresh"}, "", "", "f.go:2", "sleep"},
		{[]string{"runtime.chanrecv1", "main.worker"}, "", "", "f.go:2", "chan receive"},
		{[]string{"sync.(*Mutex).Lock"}, "", "", "", "sync"},
	}
	for _, c := range cases {
		si := &stackInfo{frames: frames(c.stack...), top: -1}
		si.classify()
		si.implied()
		if si.lockKind != c.kind || si.lockMode != c.mode || si.site != c.site || si.waitReason != c.reason {
			t.Errorf("%v: kind %q mode %q site %q reason %q, want %q %q %q %q", c.stack,
				si.lockKind, si.lockMode, si.site, si.waitReason, c.kind, c.mode, c.site, c.reason)
		}
	}
}

// TestLocate: a block is charged to the program's frame, not to the
// library call it sat in.
func TestLocate(t *testing.T) {
	si := &stackInfo{frames: frames("runtime.gopark", "time.Sleep", "main.(*C).Refresh"), top: -1}
	si.frames[2].InApp = true
	si.classify()
	si.locate()
	if f := si.whereFrame(); f == nil || f.Function != "main.(*C).Refresh" || si.whereSite != "f.go:3" {
		t.Errorf("charged to %+v at %q", f, si.whereSite)
	}
	empty := &stackInfo{top: -1, where: -1}
	if empty.whereFrame() != nil {
		t.Error("a stack without frames has a frame to charge")
	}
}

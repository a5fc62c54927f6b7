package godump

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/evidencetest"
	"github.com/tagdebug/tag/internal/evidence/stacktrace"
)

func decodeText(d evidence.Decoder, text string) (*epg.Fragment, error) {
	return d.Decode(context.Background(), &evidence.Input{Name: "dump.txt", Data: []byte(text)})
}

func TestMalformed(t *testing.T) {
	cases := []struct {
		name string
		d    evidence.Decoder
		text string
		line int
		msg  string
	}{
		{"truncated header", &DumpDecoder{}, "panic: boom\n\ngoroutine 1 [runn", 3, "truncated goroutine header"},
		{"header without state", &DumpDecoder{}, "goroutine 1 []:\nmain.main()\n\t/a.go:1\n", 1, "without a state"},
		{"bare goroutine", &DumpDecoder{}, "goroutine 1 [running]:\nmain.main()\n\t/a.go:3 +0x1\n\ngoroutine 12", 5, "truncated"},
		{"frame without file line", &DumpDecoder{}, "goroutine 1 [running]:\nmain.f(0x1)\nmain.main()\n\t/a.go:3\n", 3, "without a file line"},
		{"frame at EOF", &DumpDecoder{}, "goroutine 1 [running]:\nmain.main()\n\t/a.go:3\nmain.g()", 4, "truncated dump"},
		{"file line first", &DumpDecoder{}, "goroutine 1 [running]:\n\t/a.go:3 +0x1\n", 2, "location line without a function line"},
		{"created by without file", &DumpDecoder{}, "goroutine 2 [select]:\nmain.f()\n\t/a.go:3\ncreated by main.main\n", 4, "without a file line"},
		{"huge goroutine ID", &DumpDecoder{}, "goroutine 1234567890123456789012 [running]:\nmain.main()\n\t/a.go:1\n", 1, "out of range"},
		{"huge minutes", &DumpDecoder{}, "goroutine 1 [select, 99999999999 minutes]:\nmain.main()\n\t/a.go:1\n", 1, "out of range"},
		{"huge line number", &DumpDecoder{}, "goroutine 1 [running]:\nmain.main()\n\t/a.go:99999999999 +0x1\n", 3, "without a file line"},
		{"no goroutines", &DumpDecoder{}, "panic: boom\n", 1, "no goroutine dump"},
		{"race without report", &RaceDecoder{}, "==================\nhello\n", 1, "no race report"},
		{"race frame without file", &RaceDecoder{}, "WARNING: DATA RACE\nRead at 0x1 by goroutine 2:\n  main.f()\n  main.g()\n      /a.go:1\n", 4, "without a file line"},
		{"race prose in stack", &RaceDecoder{}, "WARNING: DATA RACE\nRead at 0x1 by goroutine 2:\n  not a frame\n", 3, "not a call"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := decodeText(c.d, c.text)
			var e *evidence.Error
			if !errors.As(err, &e) || !errors.Is(err, evidence.ErrBadInput) {
				t.Fatalf("err = %v, want *evidence.Error", err)
			}
			if e.Line != c.line || e.File != "dump.txt" || !strings.Contains(e.Msg, c.msg) {
				t.Errorf("got %q at line %d, want %q at line %d", e.Error(), e.Line, c.msg, c.line)
			}
		})
	}
}

func TestHostileSizes(t *testing.T) {
	var b strings.Builder
	b.WriteString("goroutine 1 [running]:\n")
	for range stacktrace.MaxFrames + 50 {
		b.WriteString("main.f(0xc000010000, ...)\n\t/a.go:1 +0x1\n")
	}
	long := strings.Repeat("x", evidence.MaxValueLen+100)
	b.WriteString("main." + long + "()\n\t/" + long + ".go:1\n")
	f, err := decodeText(&DumpDecoder{}, b.String())
	if err != nil {
		t.Fatal(err)
	}
	frames := 0
	for _, n := range f.Nodes {
		if n.Kind == epg.KindFrame {
			frames++
		}
		if len(n.Name) > evidence.MaxValueLen {
			t.Fatalf("unclipped name of %d bytes", len(n.Name))
		}
	}
	if frames != stacktrace.MaxFrames {
		t.Errorf("%d frames kept, want %d", frames, stacktrace.MaxFrames)
	}
	g := evidencetest.Build(f)
	if th := evidencetest.Node(t, g, f.Nodes[0].ID); th.Attrs.Str(epg.AttrThreadID) != "1" {
		t.Error("thread node")
	} else if v, _ := th.Attr(AttrFramesElided); !v.BoolVal() {
		t.Error("cut stack not marked")
	}
}

func TestControlBytesStillPositioned(t *testing.T) {
	_, err := decodeText(&DumpDecoder{}, "\x00\x01goroutine\n\ngoroutine 1 [running]:\nmain.main()\n")
	var e *evidence.Error
	if !errors.As(err, &e) || e.Line != 4 {
		t.Fatalf("err %v, want line 4", err)
	}
}

// TestFormats covers header and frame variants from several Go
// releases, hand-written because no one runtime prints them all.
func TestFormats(t *testing.T) {
	text := strings.Join([]string{
		"goroutine 7 [semacquire, 9 minutes]:", // go ≤1.19 mutex wait
		"sync.runtime_SemacquireMutex(0xc0000140a4, 0x0, 0x1)",
		"\t/usr/local/go/src/runtime/sema.go:71 +0x47",
		"sync.(*Mutex).lockSlow(0xc0000140a0)",
		"\t/usr/local/go/src/sync/mutex.go:138 +0x105",
		"sync.(*Mutex).Lock(...)",
		"\t/usr/local/go/src/sync/mutex.go:81",
		"main.(*Store).Transfer(0xc000014090, 0xc0000140a0)",
		"\t/app/store.go:30 +0x87",
		"created by main.main", // before go1.21: no "in goroutine N"
		"\t/app/main.go:54 +0xc5",
		"",
		"goroutine 8 [chan receive, 3 minutes, locked to thread]:",
		"main.loop()",
		"\tC:/app/main.go:12 +0x1d",
		"...additional frames elided...",
		"",
		"goroutine 9 gp=0xc000007c00 m=4 mp=0xc000100008 [running]:",
		"goroutine running on other thread; stack unavailable",
		"",
		"goroutine 10 [sync.RWMutex.Lock, 2 minutes]:",
		"sync.runtime_SemacquireRWMutex(0xc0000a0010?, 0x0?, 0x0?)",
		"\truntime/sema.go:105 +0x25",
		"sync.(*RWMutex).Lock(0xc0000a0000)",
		"\tsync/rwmutex.go:155 +0x70",
		"example.com/x/y.(*Z[...]).M(...)",
		"\texample.com/x@v1.2.3/y/z.go:9",
		"main.run({0xc0000a0000, 0x2}, 0x0?)",
		"\t/my app/main.go:5 +0x1 fp=0xc000 sp=0xc000 pc=0x1",
		"created by main.main in goroutine 1",
		"\t/app/main.go:60 +0xc5",
		"",
		"goroutine 11 [chan receive (nil chan)]:",
		"main.nilwait()",
		"\t/app/main.go:70 +0x1",
		"...16 frames elided...",
	}, "\n")
	f, err := decodeText(&DumpDecoder{}, text)
	if err != nil {
		t.Fatal(err)
	}
	g := evidencetest.Build(f)
	th := func(id string) *epg.Node {
		for _, n := range f.Nodes {
			if n.Kind == epg.KindThread && n.Attrs.Str(epg.AttrThreadID) == id {
				return evidencetest.Node(t, g, n.ID)
			}
		}
		t.Fatalf("no goroutine %s", id)
		return nil
	}
	g7 := th("7")
	if v, _ := g7.Attr(epg.AttrThreadWaitNs); v.IntVal() != 9*60e9 {
		t.Errorf("wait_ns %v", v)
	}
	if g7.Attrs.Str(epg.AttrThreadState) != "blocked" || g7.Attrs.Str(epg.AttrThreadWaitFor) != "semacquire" {
		t.Errorf("goroutine 7 %v", g7.Attrs)
	}
	if g7.Attrs.Str(epg.AttrThreadCreatedBy) != "main.main" || g7.Loc == nil || g7.Loc.File != "/app/store.go" {
		t.Errorf("goroutine 7 created_by/loc %v %+v", g7.Attrs, g7.Loc)
	}
	g8 := th("8")
	if v, _ := g8.Attr(AttrLockedToThread); !v.BoolVal() {
		t.Error("locked to thread")
	}
	if v, _ := g8.Attr(AttrFramesElided); !v.BoolVal() {
		t.Error("elided")
	}
	if g8.Loc == nil || g8.Loc.File != "C:/app/main.go" || g8.Loc.Line != 12 {
		t.Errorf("windows path %+v", g8.Loc)
	}
	if th("9").Attrs.Str(epg.AttrThreadState) != "running" {
		t.Error("goroutine 9")
	}
	g10 := th("10")
	if g10.Attrs.Str(AttrCreatedIn) != "1" {
		t.Error("created in")
	}
	frame := evidencetest.Node(t, g, g10.ID+"/frame/3")
	if frame.Loc.File != "/my app/main.go" || frame.Loc.Line != 5 {
		t.Errorf("path with a blank and registers: %+v", frame.Loc)
	}
	if evidencetest.Node(t, g, g10.ID+"/frame/2").Loc.InApp {
		t.Error("module cache frame is in-app")
	}
	var locks []string
	for _, n := range f.Nodes {
		if n.Kind == epg.KindLock {
			locks = append(locks, n.Attrs.Str(epg.AttrLockAddr)+" "+n.Attrs.Str(epg.AttrLockKind))
		}
	}
	if strings.Join(locks, ",") != "0xc0000140a0 mutex,0xc0000a0000 rwmutex" {
		t.Errorf("locks %v", locks)
	}
	if th("11").Attrs.Str(epg.AttrThreadWaitFor) != "chan receive (nil chan)" {
		t.Error("goroutine 11")
	}
}

func TestNestedPanicAndProse(t *testing.T) {
	text := "goroutine 5 started\nsome log line (with parens)\npanic: first [recovered]\n\tpanic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x1]\n\ngoroutine 1 [running]:\nmain.main()\n\t/a.go:3 +0x1\nexit status 2\n"
	f, err := decodeText(&DumpDecoder{}, text)
	if err != nil {
		t.Fatal(err)
	}
	fx := facts{g: evidencetest.Build(f)}
	v := fx.one(t, epg.EventPanic)
	if v.Attrs.Str(epg.AttrExceptionType) != "runtime.Error" || !strings.Contains(v.Attrs.Str(epg.AttrExceptionMsg), "nil pointer") {
		t.Errorf("nested panic %v", v.Attrs)
	}
}

func TestGoleakIndented(t *testing.T) {
	text := "    leak_test.go:12: found unexpected goroutines:\n" +
		"        [Goroutine 21 in state chan receive, with main.wait on top of the stack:\n" +
		"        main.wait(0xc000010000)\n" +
		"        \t/app/w.go:5 +0x1\n" +
		"        created by main.start in goroutine 20\n" +
		"        \t/app/w.go:9 +0x2\n" +
		"         Goroutine 22 in state select, with main.loop on top of the stack:\n" +
		"        main.loop()\n" +
		"        \t/app/w.go:15 +0x1\n" +
		"        ]\n--- FAIL: TestX (0.00s)\n"
	f, err := decodeText(&DumpDecoder{}, text)
	if err != nil {
		t.Fatal(err)
	}
	fx := facts{g: evidencetest.Build(f)}
	wantInvolved(t, fx, fx.one(t, epg.EventLeak), "21", "22")
}

func TestSniff(t *testing.T) {
	cases := []struct {
		text       string
		dump, race evidence.Confidence
	}{
		{"goroutine 1 [running]:\nmain.main()\n", evidence.Certain, evidence.No},
		{"panic: x\n", evidence.Maybe, evidence.No},
		{"==================\nWARNING: DATA RACE\nRead at 0x1 by goroutine 2:\n", evidence.No, evidence.Certain},
		{`{"resourceSpans":[{"scopeSpans":[]}],"note":"goroutine 1 [running]:"}`, evidence.No, evidence.No},
		{`[{"traceId":"1","id":"2"}]`, evidence.No, evidence.No},
		{"{\"data\":[{\"traceID\":\"1\"}]}", evidence.No, evidence.No},
		{"Full thread dump OpenJDK 64-Bit Server VM:\n\"main\" #1 prio=5\n", evidence.No, evidence.No},
		{"Traceback (most recent call last):\n  File \"x.py\", line 1\n", evidence.No, evidence.No},
		{"TypeError: x\n    at f (/a.js:1:2)\n", evidence.No, evidence.No},
		{"java.lang.IllegalStateException: x\n\tat com.x.Y.z(Y.java:1)\n", evidence.No, evidence.No},
	}
	for _, c := range cases {
		in := &evidence.Input{Data: []byte(c.text)}
		if got := (&DumpDecoder{}).Sniff(in); got != c.dump {
			t.Errorf("dump sniff %q = %d, want %d", c.text, got, c.dump)
		}
		if got := (&RaceDecoder{}).Sniff(in); got != c.race {
			t.Errorf("race sniff %q = %d, want %d", c.text, got, c.race)
		}
	}
}

func TestHugeInputIsLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	one := "goroutine %d [chan receive]:\nmain.worker(0xc000010000)\n\t/app/w.go:5 +0x1\ncreated by main.main in goroutine 1\n\t/app/main.go:9 +0x2\n\n"
	var b strings.Builder
	for i := range 20000 {
		b.WriteString(strings.Replace(one, "%d", itoa(i+1), 1))
	}
	f, err := decodeText(&DumpDecoder{}, b.String())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(f.Nodes); n != 20000*3 {
		t.Errorf("%d nodes", n)
	}
}

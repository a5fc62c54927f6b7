package jvm

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/evidencetest"
	"github.com/tagdebug/tag/internal/evidence/stacktrace"
)

const head = "2024-05-01 12:34:56\nFull thread dump OpenJDK 64-Bit Server VM (17.0.1+12 mixed mode):\n\n"

// TestErrors: malformed dumps fail with the line of the problem.
func TestErrors(t *testing.T) {
	for _, c := range []struct {
		name, text string
		line       int
		msg        string
	}{
		{"empty", "", 1, "no thread dump"},
		{"prose", "hello\nworld\n", 1, "no thread dump"},
		{"header only", head, 4, "before its first thread"},
		{"truncated header", head + "\"main\" #1 prio=5 os_pr", 4, "no tid= or nid="},
		{"unclosed name", head + "\"main #1 prio=5 os_prio=0 tid=0x1 nid=0x2 runnable\n", 4, "closing quote"},
		{"junk frame", head + "\"main\" #1 prio=5 tid=0x1 nid=0x2 runnable\n   java.lang.Thread.State: RUNNABLE\n\tat garbage\n", 6, "malformed frame"},
		{"frame with space", head + "\"main\" #1 prio=5 tid=0x1 nid=0x2 runnable\n\tat Foo.bar(Foo.java:1)\n\tat not a frame(x)\n", 6, "malformed frame"},
		{"junk lock", head + "\"main\" #1 prio=5 tid=0x1 nid=0x2 runnable\n\tat Foo.bar(Foo.java:1)\n\t- waiting to lock 0x1234\n", 6, "malformed lock line"},
		{"junk ownable", head + "\"main\" #1 prio=5 tid=0x1 nid=0x2 runnable\n\n   Locked ownable synchronizers:\n\t- something\n", 7, "malformed ownable"},
		{"bad state", head + "\"main\" #1 prio=5 tid=0x1 nid=0x2 runnable\n   java.lang.Thread.State: DOZING\n", 5, "unknown thread state"},
		{"frame outside thread", head + "\tat Foo.bar(Foo.java:1)\n", 4, "outside a thread"},
		{"truncated deadlock", head + "\"t1\" #1 prio=5 tid=0x1 nid=0x2 runnable\n\nFound one Java-level deadlock:\n=============================\n\"t1\":\n  waiting to lock monitor 0x7f (object 0x1", 8, "truncated"},
		{"empty deadlock", head + "\"t1\" #1 prio=5 tid=0x1 nid=0x2 runnable\n\nFound one Java-level deadlock:\n=============================\n", 6, "lists no threads"},
		{"deadlock junk", head + "\"t1\" #1 prio=5 tid=0x1 nid=0x2 runnable\n\nFound one Java-level deadlock:\n  waiting to lock monitor 0x7f (object 0x1, a X),\n", 7, "outside a thread entry"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := (&Decoder{}).Decode(context.Background(), &evidence.Input{Name: "dump.txt", Data: []byte(c.text)})
			var ee *evidence.Error
			if !errors.As(err, &ee) || !errors.Is(err, evidence.ErrBadInput) {
				t.Fatalf("err = %v, want an *evidence.Error", err)
			}
			if ee.Line != c.line || !strings.Contains(ee.Msg, c.msg) || ee.File != "dump.txt" {
				t.Errorf("err = %v, want line %d and %q", err, c.line, c.msg)
			}
		})
	}
}

func mustDecode(t *testing.T, text string) (*epg.Graph, string) {
	t.Helper()
	in := &evidence.Input{Name: "dump.txt", Data: []byte(text)}
	f, err := (&Decoder{}).Decode(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return evidencetest.Build(f), in.Scope()
}

// TestVersions: header and lock-line variants of other JDKs, written from
// what those JDKs print (only JDK 17 runs here to make real fixtures).
func TestVersions(t *testing.T) {
	const java8 = "2019-03-01 10:00:00\nFull thread dump Java HotSpot(TM) 64-Bit Server VM (25.201-b09 mixed mode):\n\n" +
		"\"worker\" #9 daemon prio=5 os_prio=0 tid=0x00007f3c8c0d1800 nid=0x2b1d waiting for monitor entry [0x00007f3c6d7f6000]\n" +
		"   java.lang.Thread.State: BLOCKED (on object monitor)\n" +
		"\tat com.acme.Cache.get(Cache.java:42)\n" +
		"\t- waiting to lock <0x000000076b3a1e88> (a java.lang.Class for com.acme.Cache)\n" +
		"\tat com.acme.Main.run(Main.java:7)\n" +
		"\t- eliminated <0x000000076b3a1f00> (a java.lang.Object)\n" +
		"\t- locked <0x000000076b3a1f00> (a java.lang.Object)\n\n" +
		"\"waiter\" #10 prio=5 os_prio=0 tid=0x00007f3c8c0d2000 nid=0x2b1e in Object.wait() [0x00007f3c6d6f5000]\n" +
		"   java.lang.Thread.State: BLOCKED (on object monitor)\n" +
		"\tat java.lang.Object.wait(Native Method)\n" +
		"\t- waiting on <no object reference available>\n" +
		"\tat com.acme.Q.take(Q.java:9)\n" +
		"\t- waiting to re-lock in wait() <0x000000076b3a2000> (a com.acme.Q)\n\n" +
		"\"VM Thread\" os_prio=0 tid=0x00007f3c8c074000 nid=0x2b10 runnable \n\n" +
		"JNI global references: 7\n"
	g, scope := mustDecode(t, java8)
	w := evidencetest.Node(t, g, epg.ThreadNodeID(scope, "9"))
	if v, _ := w.Attr("thread.daemon"); !v.BoolVal() || w.Attrs.Str("jvm.nid") != "0x2b1d" {
		t.Errorf("worker attrs %v", w.Attrs)
	}
	if v, _ := w.Attr("thread.os_id"); v.IntVal() != 0x2b1d {
		t.Errorf("os_id %v", v)
	}
	cls := evidencetest.Node(t, g, epg.LockNodeID(scope, "0x000000076b3a1e88"))
	if cls.Name != "com.acme.Cache.class <0x000000076b3a1e88>" || cls.Attrs.Str(epg.AttrLockClass) != "java.lang.Class" {
		t.Errorf("class monitor %q %v", cls.Name, cls.Attrs)
	}
	wid := epg.ThreadNodeID(scope, "9")
	if !evidencetest.HasEdge(g, wid, cls.ID, epg.EdgeWaits) || !evidencetest.HasEdge(g, wid, epg.LockNodeID(scope, "0x000000076b3a1f00"), epg.EdgeHolds) {
		t.Error("worker's waits/holds edges missing")
	}
	q := epg.LockNodeID(scope, "0x000000076b3a2000")
	if !evidencetest.HasEdge(g, epg.ThreadNodeID(scope, "10"), q, epg.EdgeWaits) {
		t.Error("re-lock in wait() is a waits edge")
	}
	vm := evidencetest.Node(t, g, epg.ThreadNodeID(scope, "0x00007f3c8c074000"))
	if vm.Name != "VM Thread" || vm.Attrs.Str(epg.AttrThreadState) != "runnable" {
		t.Errorf("VM thread %q %v", vm.Name, vm.Attrs)
	}

	const java21 = "2024-05-01 12:34:56\nFull thread dump OpenJDK 64-Bit Server VM (21.0.2+13-58 mixed mode, sharing):\n\n" +
		"\"ForkJoinPool-1-worker-1\" #31 [54321] daemon prio=5 os_prio=0 cpu=1.50ms elapsed=2.00s tid=0x00007f1 nid=54321 waiting on condition  [0x00007f2]\n" +
		"   Carrying virtual thread #30\n" +
		"   java.lang.Thread.State: WAITING (parking)\n" +
		"\tat jdk.internal.misc.Unsafe.park(java.base@21.0.2/Native Method)\n" +
		"\t- parking to wait for  <0x0000000712345678> (a java.util.concurrent.CountDownLatch$Sync)\n" +
		"\tat app.Main.lambda$main$0(Main.java:12)\n\n" +
		"\"odd \"quoted\" name\" #32 prio=5 os_prio=0 cpu=0.10ms elapsed=1.00s tid=0x00007f3 nid=54322 runnable  [0x00007f4]\r\n" +
		"   java.lang.Thread.State: RUNNABLE\r\n\r\n"
	g, scope = mustDecode(t, java21)
	c := evidencetest.Node(t, g, epg.ThreadNodeID(scope, "31"))
	if v, _ := c.Attr("thread.os_id"); v.IntVal() != 54321 || c.Attrs.Str("thread.carrying") != "30" {
		t.Errorf("carrier attrs %v", c.Attrs)
	}
	if v, _ := c.Attr("thread.elapsed_ns"); v.IntVal() != 2e9 || c.Start != time.Date(2024, 5, 1, 12, 34, 54, 0, time.UTC).UnixNano() {
		t.Errorf("elapsed %v start %d", v, c.Start)
	}
	if f := evidencetest.Node(t, g, epg.ThreadNodeID(scope, "31")+"/frame/0"); f.Loc.Function != "jdk.internal.misc.Unsafe.park" || f.Loc.File != "" || f.Loc.InApp {
		t.Errorf("native frame %+v", f.Loc)
	}
	latch := evidencetest.Node(t, g, epg.LockNodeID(scope, "0x0000000712345678"))
	if latch.Attrs.Str(epg.AttrLockKind) != "parker" {
		t.Errorf("latch kind %q", latch.Attrs.Str(epg.AttrLockKind))
	}
	if n := evidencetest.Node(t, g, epg.ThreadNodeID(scope, "32")); n.Name != `odd "quoted" name` {
		t.Errorf("quoted name %q", n.Name)
	}
}

// TestDeadlockOnlyThreads: a report naming a thread whose block was cut
// from the paste still yields the thread, from the report's stacks.
func TestDeadlockOnlyThreads(t *testing.T) {
	text := "Found one Java-level deadlock:\n=============================\n" +
		"\"a\":\n  waiting to lock monitor 0x7f01 (object 0x0000000000000010, a java.lang.Object),\n  which is held by \"b\"\n\n" +
		"\"b\":\n  waiting to lock monitor 0x7f02 (object 0x0000000000000020, a java.lang.Object),\n  which is held by \"a\"\n\n" +
		"Java stack information for the threads listed above:\n===================================================\n" +
		"\"a\":\n\tat X.f(X.java:1)\n\t- waiting to lock <0x0000000000000010> (a java.lang.Object)\n\t- locked <0x0000000000000020> (a java.lang.Object)\n" +
		"\"b\":\n\tat X.g(X.java:2)\n\nFound 1 deadlock.\n"
	g, scope := mustDecode(t, text)
	a, b := epg.ThreadNodeID(scope, "name:a"), epg.ThreadNodeID(scope, "name:b")
	cycle(t, g, a, b, epg.LockNodeID(scope, "0x0000000000000010"), epg.LockNodeID(scope, "0x0000000000000020"))
	verdictOf(t, g, a, b)
	if n := evidencetest.Node(t, g, a+"/frame/0"); n.Loc.Function != "X.f" {
		t.Errorf("a's frame %+v", n.Loc)
	}
}

// TestTwoDeadlocks: each report is its own verdict.
func TestTwoDeadlocks(t *testing.T) {
	entry := func(a, b, obj string) string {
		return "\"" + a + "\":\n  waiting to lock monitor 0x7f01 (object " + obj + ", a java.lang.Object),\n  which is held by \"" + b + "\"\n\n"
	}
	text := head
	for _, n := range []string{"a", "b", "c", "d"} {
		text += "\"" + n + "\" #" + strconv.Itoa(int(n[0])) + " prio=5 tid=0x1 nid=0x2 waiting for monitor entry\n\n"
	}
	text += "JNI global refs: 9, weak refs: 0\n\nFound one Java-level deadlock:\n=============================\n" +
		entry("a", "b", "0x10") + entry("b", "a", "0x20") +
		"Found one Java-level deadlock:\n=============================\n" +
		entry("c", "d", "0x30") + entry("d", "c", "0x40") + "Found 2 deadlocks.\n"
	g, scope := mustDecode(t, text)
	vs := events(g, epg.EventDeadlock)
	if len(vs) != 2 {
		t.Fatalf("%d verdicts, want 2", len(vs))
	}
	c, d := epg.ThreadNodeID(scope, "99"), epg.ThreadNodeID(scope, "100")
	cycle(t, g, c, d, epg.LockNodeID(scope, "0x30"), epg.LockNodeID(scope, "0x40"))
	if !evidencetest.HasEdge(g, c, "event:"+scope+":deadlock/1", epg.EdgeEmits) || evidencetest.HasEdge(g, c, "event:"+scope+":deadlock/0", epg.EdgeEmits) {
		t.Error("c belongs to the second report only")
	}
	if v, _ := vs[0].Attr("jvm.jni_global_refs"); v.IntVal() != 9 {
		t.Errorf("verdict attrs %v", vs[0].Attrs)
	}
}

// TestHostile: limits hold and nothing panics on inputs built to hurt.
func TestHostile(t *testing.T) {
	var b strings.Builder
	b.WriteString(head + "\"deep\" #1 prio=5 tid=0x1 nid=0x2 runnable\n")
	for i := 0; i < stacktrace.MaxFrames+500; i++ {
		b.WriteString("\tat a.B.c(B.java:1)\n\t- locked <0x10> (a java.lang.Object)\n")
	}
	g, scope := mustDecode(t, b.String())
	deep := evidencetest.Node(t, g, epg.ThreadNodeID(scope, "1"))
	if v, _ := deep.Attr("thread.frames.truncated"); v.IntVal() != stacktrace.MaxFrames+500 {
		t.Errorf("truncation not recorded: %v", deep.Attrs)
	}
	if _, ok := g.Lookup(epg.ThreadNodeID(scope, "1") + "/frame/" + itoa(stacktrace.MaxFrames)); ok {
		t.Error("more than MaxFrames frames kept")
	}

	long := strings.Repeat("x", 2*evidence.MaxValueLen)
	g, scope = mustDecode(t, head+"\""+long+"\" #1 prio=5 tid=0x1 nid=0x2 "+long+"\n")
	if n := evidencetest.Node(t, g, epg.ThreadNodeID(scope, "1")); len(n.Name) > evidence.MaxValueLen || len(n.Attrs.Str("jvm.thread.status")) > evidence.MaxValueLen {
		t.Error("long name or status not clipped")
	}

	for _, s := range []string{
		head + "\"a\" #99999999999999999999999 prio=99999999999999999999 tid=0x1 nid=0xffffffffffffffffffff cpu=1e400ms elapsed=-5s runnable\n",
		head + "\"a\" #1 tid=0x1 nid=0x2\n\t- locked <0x12345678901234567890> (a X)\n\t- locked <> \n\t- waiting on <0x1\n",
		"Found one Java-level deadlock:\n\"a\":\n  which is held by \"\n",
		"Full thread dump \n\"\n",
		"\x00\xff\"Full thread dump \n\t- <",
	} {
		_, _ = (&Decoder{}).Decode(context.Background(), &evidence.Input{Name: "h", Data: []byte(s)})
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

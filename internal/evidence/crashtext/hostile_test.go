package crashtext

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/evidencetest"
	"github.com/tagdebug/tag/internal/evidence/stacktrace"
)

// TestErrors: text that is not an exception, or an exception whose frames
// are missing or broken, fails at the line of the problem.
func TestErrors(t *testing.T) {
	for _, c := range []struct {
		name, text string
		line       int
		msg        string
	}{
		{"empty", "", 1, "no exception stack trace"},
		{"prose", "all good\nnothing to see\n", 1, "no exception stack trace"},
		{"python no frames", "Traceback (most recent call last):\nsomething else entirely\n", 2, "expected stack frames"},
		{"java truncated", "Exception in thread \"main\" java.lang.IllegalStateException: boom\n", 2, "expected stack frames"},
		{"java cut mid-frame", "Exception in thread \"main\" java.lang.IllegalStateException: boom\n\tat com.acme.Main.ma", 2, "expected stack frames"},
		{"junk between frames", "java.lang.IllegalStateException: boom\n\tat A.b(A.java:1)\n#### corrupted ####\n\tat C.d(C.java:2)\n", 3, "expected a stack frame"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := (&Decoder{}).Decode(context.Background(), &evidence.Input{Name: "crash.txt", Data: []byte(c.text)})
			var ee *evidence.Error
			if !errors.As(err, &ee) || !errors.Is(err, evidence.ErrBadInput) {
				t.Fatalf("err = %v, want an *evidence.Error", err)
			}
			if ee.Line != c.line || !strings.Contains(ee.Msg, c.msg) || ee.File != "crash.txt" {
				t.Errorf("err = %v, want line %d and %q", err, c.line, c.msg)
			}
		})
	}
}

func mustDecode(t *testing.T, text string) (*epg.Fragment, string) {
	t.Helper()
	in := &evidence.Input{Name: "crash.txt", Data: []byte(text)}
	f, err := (&Decoder{}).Decode(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return f, "event:" + in.Scope() + ":exception/"
}

// TestGoPanic: forced with --format, a Go panic is one exception.
func TestGoPanic(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "stacktrace", "testdata", "go_panic.txt"))
	if err != nil {
		t.Fatal(err)
	}
	f, ev := mustDecode(t, string(data))
	g := evidencetest.Build(f)
	n := evidencetest.Node(t, g, ev+"0")
	if n.Attrs.Str("exception.lang") != "go" || n.Loc == nil {
		t.Errorf("go panic event %v %+v", n.Attrs, n.Loc)
	}
}

// TestBareAndMixed: a stack with no header is an exception without a
// type; an excerpt mixing runtimes splits per exception.
func TestBareAndMixed(t *testing.T) {
	text := "INFO starting\n" +
		"\tat com.acme.A.run(A.java:3)\n\tat java.lang.Thread.run(Thread.java:840)\n" +
		"INFO retrying later\n\n" +
		"TypeError: x is not a function\n    at f (/srv/a.js:1:2)\n    at async g (/srv/a.js:5:3)\n" +
		"Traceback (most recent call last):\n  File \"b.py\", line 2, in <module>\n    at (1)\nNameError: name 'at' is not defined\n"
	f, ev := mustDecode(t, text)
	g := evidencetest.Build(f)
	if n := events(g); n != 3 {
		t.Fatalf("%d exceptions, want 3", n)
	}
	if n := evidencetest.Node(t, g, ev+"0"); n.Attrs.Str(epg.AttrExceptionType) != "" || n.Loc.Function != "com.acme.A.run" {
		t.Errorf("bare stack %v %+v", n.Attrs, n.Loc)
	}
	exc(t, g, ev+"1", "TypeError", "x is not a function")
	exc(t, g, ev+"2", "NameError", "name 'at'")
}

// TestHostile: limits hold and nothing panics on inputs built to hurt.
func TestHostile(t *testing.T) {
	var b strings.Builder
	b.WriteString("Exception in thread \"main\" java.lang.StackOverflowError: " + strings.Repeat("m", 3*evidence.MaxValueLen) + "\n")
	for i := 0; i < stacktrace.MaxFrames+200; i++ {
		b.WriteString("\tat com.acme.Rec.f(Rec.java:7)\n")
	}
	f, ev := mustDecode(t, b.String())
	g := evidencetest.Build(f)
	n := evidencetest.Node(t, g, ev+"0")
	if len(n.Attrs.Str(epg.AttrExceptionStack)) > evidence.MaxValueLen || len(n.Attrs.Str(epg.AttrExceptionMsg)) > evidence.MaxValueLen {
		t.Error("stack or message not clipped")
	}
	if v, _ := n.Attr(epg.AttrExceptionStack + evidence.TruncatedSuffix); v.IntVal() != int64(b.Len()) {
		t.Errorf("clipped stack should record its length %d, got %v", b.Len(), v)
	}
	if _, ok := g.Lookup(ev + "0/frame/" + "1024"); ok {
		t.Error("more than MaxFrames frames kept")
	}

	// A cause chain far deeper than stacktrace follows.
	b.Reset()
	b.WriteString("java.lang.RuntimeException: top\n\tat A.f(A.java:1)\n")
	for i := 0; i < 3*stacktrace.MaxCauseDepth; i++ {
		b.WriteString("Caused by: java.lang.RuntimeException: deeper\n\tat A.f(A.java:1)\n\t... 1 more\n")
	}
	f, _ = mustDecode(t, b.String())
	if len(f.Nodes) > 4*stacktrace.MaxCauseDepth {
		t.Errorf("%d nodes for a chain stacktrace bounds at %d", len(f.Nodes), stacktrace.MaxCauseDepth)
	}

	for _, s := range []string{
		strings.Repeat("Traceback (most recent call last):\n", 10000),
		strings.Repeat("E: x\n\tat a(b)\n", 5000),
		"\x00\xff\tat (\n\tat )(\nError: \n    at :1\n",
		strings.Repeat("\tat x(y)\n\n", 1000),
		"/a.js:1\n^\n\nError: x\n    at a (b:1:2) {\n  [cause]: [cause]: Error: y\n",
	} {
		_, _ = (&Decoder{}).Decode(context.Background(), &evidence.Input{Name: "h", Data: []byte(s)})
	}
}

package stacktrace

import (
	"errors"
	"strings"
	"testing"
)

const src = "/work/main/internal/evidence/stacktrace/testdata/src/"

// expect is a hand-checked summary of a parse.
type expect struct {
	lang, typ, msg string
	frames         int   // number of frames of the returned trace
	top            Frame // frame 0; Lang is filled in from lang
	causes         int   // length of the Cause chain below the trace
	inApp          []bool
}

func check(t *testing.T, tr *Trace, err error, w expect) {
	t.Helper()
	if err != nil {
		t.Fatalf("err = %v", err)
	}
	if tr.Lang != w.lang || tr.Type != w.typ || tr.Message != w.msg {
		t.Errorf("header = %q %q %q, want %q %q %q", tr.Lang, tr.Type, tr.Message, w.lang, w.typ, w.msg)
	}
	if len(tr.Frames) != w.frames {
		t.Fatalf("frames = %d, want %d: %+v", len(tr.Frames), w.frames, tr.Frames)
	}
	w.top.Lang = w.lang
	if tr.Frames[0] != w.top {
		t.Errorf("frame 0 = %+v\nwant      %+v", tr.Frames[0], w.top)
	}
	n := 0
	for c := tr.Cause; c != nil; c = c.Cause {
		n++
	}
	if n != w.causes {
		t.Errorf("cause chain = %d, want %d", n, w.causes)
	}
	for i, in := range w.inApp {
		if tr.Frames[i].InApp != in {
			t.Errorf("frame %d (%s) InApp = %v, want %v", i, tr.Frames[i].Function, tr.Frames[i].InApp, in)
		}
	}
}

// TestFixtures checks the real-runtime fixtures by hand, beyond the
// golden files, so that a regenerated golden cannot hide a regression.
func TestFixtures(t *testing.T) {
	fx := fixtures(t)
	cases := map[string]expect{
		"go_panic": {lang: "go", typ: "panic", msg: "missing key b", frames: 4,
			top: Frame{Function: "main.(*store).get", Module: "main", File: src + "go_panic.go", Line: 13, InApp: true}},
		"go_nilmap": {lang: "go", typ: "panic", msg: "assignment to entry in nil map", frames: 2,
			top: Frame{Function: "main.counter.add", Module: "main", File: src + "go_nilmap.go", Line: 9, InApp: true}},
		"go_nilderef": {lang: "go", typ: "runtime.Error", msg: "runtime error: invalid memory address or nil pointer dereference", frames: 4,
			top: Frame{Function: "main.depth", Module: "main", File: src + "go_nilderef.go", Line: 9, InApp: true}},
		"go_goroutines": {lang: "go", typ: "runtime.Error", msg: "runtime error: index out of range [5] with length 3", frames: 2,
			top: Frame{Function: "main.pick", Module: "main", File: src + "go_index.go", Line: 13, InApp: true}},
		"go_repanic": {lang: "go", typ: "panic", msg: "second failure", frames: 5, causes: 1,
			top:   Frame{Function: "main.wrapNew.func1", Module: "main", File: src + "go_repanic.go", Line: 14, InApp: true},
			inApp: []bool{true, false, true}},
		"go_repanic_same": {lang: "go", typ: "panic", msg: "first failure", frames: 5,
			top: Frame{Function: "main.wrapSame.func1", Module: "main", File: src + "go_repanic.go", Line: 23, InApp: true}},
		"go_debugstack": {lang: "go", frames: 3,
			top:   Frame{Function: "runtime/debug.Stack", Module: "runtime/debug", File: "/usr/local/go/src/runtime/debug/stack.go", Line: 26},
			inApp: []bool{false, true, true}},
		"go_errstack": {lang: "go", msg: "open config.yaml: no such file", frames: 4,
			top:   Frame{Function: "main.load", Module: "main", File: src + "go_errstack.go", Line: 44, InApp: true},
			inApp: []bool{true, true, false, false}},
		"java_caused_by": {lang: "java", typ: "java.lang.RuntimeException", msg: "startup failed", frames: 2, causes: 2,
			top: Frame{Function: "CausedBy.start", Module: "CausedBy", File: "CausedBy.java", Line: 28, InApp: true}},
		"java_npe": {lang: "java", typ: "java.lang.reflect.InvocationTargetException", frames: 5, causes: 1,
			top:   Frame{Function: "jdk.internal.reflect.NativeMethodAccessorImpl.invoke0", Module: "jdk.internal.reflect.NativeMethodAccessorImpl"},
			inApp: []bool{false, false, false, false, true}},
		"java_thread": {lang: "java", typ: "java.lang.IllegalArgumentException", msg: "need at least 4 items, got 2", frames: 3,
			top:   Frame{Function: "Threads$Checker.<init>", Module: "Threads$Checker", File: "Threads.java", Line: 20, InApp: true},
			inApp: []bool{true, true, false}},
		"python_simple": {lang: "python", typ: "ZeroDivisionError", msg: "division by zero", frames: 4,
			top: Frame{Function: "ratio", File: src + "py_simple.py", Line: 4, InApp: true}},
		"python_chained": {lang: "python", typ: "KeyError", msg: "'config'", frames: 2, causes: 1,
			top: Frame{Function: "read", File: src + "py_chained.py", Line: 10, InApp: true}},
		"python_from": {lang: "python", typ: "ConfigError", msg: "invalid port\nexpected an integer", frames: 2, causes: 1,
			top: Frame{Function: "load", File: src + "py_from.py", Line: 15, InApp: true}},
		"python_nomsg": {lang: "python", typ: "IndexError", frames: 3,
			top: Frame{Function: "pop", File: src + "py_nomsg.py", Line: 9, InApp: true}},
		"node_typeerror": {lang: "javascript", typ: "TypeError", msg: "Cannot read properties of undefined (reading 'port')", frames: 9,
			top:   Frame{Function: "new Loader", File: src + "node_typeerror.js", Line: 7, Column: 28, InApp: true},
			inApp: []bool{true, true, true, false}},
		"node_async": {lang: "javascript", typ: "RangeError", msg: "user 7 out of range", frames: 3,
			top: Frame{Function: "fetchUser", File: "file://" + src + "node_async.mjs", Line: 5, Column: 9, InApp: true}},
		"node_eval": {lang: "javascript", typ: "TypeError", msg: "Cannot read properties of null (reading 'x')", frames: 10,
			top: Frame{Function: "inner", File: src + "node_eval.js", Line: 4, Column: 10, InApp: true}},
		"node_cause": {lang: "javascript", typ: "Error", msg: "database unavailable", frames: 8, causes: 1,
			top: Frame{Function: "start", File: src + "node_cause.js", Line: 11, Column: 11, InApp: true}},
	}
	for name := range fx {
		if _, ok := cases[name]; !ok {
			t.Errorf("fixture %s has no hand-checked case", name)
		}
	}
	for name, w := range cases {
		t.Run(name, func(t *testing.T) {
			tr, err := Parse(fx[name])
			check(t, tr, err, w)
		})
	}
}

// TestFixtureDetails checks the parts of fixtures that the summary in
// TestFixtures does not reach.
func TestFixtureDetails(t *testing.T) {
	fx := fixtures(t)
	t.Run("go created by", func(t *testing.T) {
		tr, _ := Parse(fx["go_goroutines"])
		if tr.Goroutine != 5 || tr.CreatedBy == nil || tr.CreatedBy.Function != "main.main" || tr.CreatedBy.Line != 27 {
			t.Errorf("goroutine %d created by %+v", tr.Goroutine, tr.CreatedBy)
		}
	})
	t.Run("go recovered cause", func(t *testing.T) {
		tr, _ := Parse(fx["go_repanic"])
		if c := tr.Cause; c.Message != "first failure" || len(c.Frames) != 0 {
			t.Errorf("cause = %+v", c)
		}
		if f := tr.Frames[1]; f.Function != "panic" || f.InApp {
			t.Errorf("frame 1 = %+v", f)
		}
	})
	t.Run("go generic", func(t *testing.T) {
		tr, _ := Parse(fx["go_panic"])
		if f := tr.Frames[2]; f.Function != "main.apply[...]" || f.Line != 20 {
			t.Errorf("frame 2 = %+v", f)
		}
	})
	t.Run("java more and suppressed", func(t *testing.T) {
		tr, _ := Parse(fx["java_caused_by"])
		io, nfe := tr.Cause, tr.Cause.Cause
		// "... 1 more" under the IOException is RuntimeException's last frame.
		if len(io.Frames) != 3 || io.Frames[2].Function != "CausedBy.main" {
			t.Errorf("IOException frames = %+v", io.Frames)
		}
		if len(nfe.Frames) != 7 || nfe.Frames[0].InApp || !nfe.Frames[3].InApp {
			t.Errorf("NumberFormatException frames = %+v", nfe.Frames)
		}
		if len(nfe.Suppressed) != 1 || nfe.Suppressed[0].Type != "java.lang.IllegalStateException" ||
			len(nfe.Suppressed[0].Frames) != 4 || nfe.Suppressed[0].Frames[0].Function != "CausedBy$Resource.close" {
			t.Errorf("suppressed = %+v", nfe.Suppressed)
		}
	})
	t.Run("java native method", func(t *testing.T) {
		tr, _ := Parse(fx["java_npe"])
		c := tr.Cause
		if c.Type != "java.lang.NullPointerException" || len(c.Frames) != 15 || c.Frames[14].Function != "Npe.main" {
			t.Errorf("cause = %s with %d frames", c.Type, len(c.Frames))
		}
	})
	t.Run("python cause is stdlib", func(t *testing.T) {
		tr, _ := Parse(fx["python_chained"])
		c := tr.Cause
		if c.Type != "json.decoder.JSONDecodeError" || len(c.Frames) != 4 || c.Frames[0].Function != "raw_decode" ||
			c.Frames[0].InApp || !c.Frames[3].InApp {
			t.Errorf("cause = %+v", c)
		}
	})
	t.Run("node async", func(t *testing.T) {
		tr, _ := Parse(fx["node_async"])
		if tr.Frames[0].Async || !tr.Frames[1].Async || tr.Frames[1].Function != "handler" {
			t.Errorf("frames = %+v", tr.Frames)
		}
	})
	t.Run("node cause elision restored", func(t *testing.T) {
		tr, _ := Parse(fx["node_cause"])
		if f := tr.Frames[2]; f.Function != "Module._compile" || f.File != "node:internal/modules/cjs/loader" || f.InApp {
			t.Errorf("frame 2 = %+v", f)
		}
		if tr.Truncated || tr.Cause.Message != "ECONNREFUSED 127.0.0.1:5432" || len(tr.Cause.Frames) != 9 {
			t.Errorf("cause = %+v", tr.Cause)
		}
	})
	t.Run("node alias", func(t *testing.T) {
		tr, _ := Parse(fx["node_typeerror"])
		if f := tr.Frames[7]; f.Function != "Function.executeUserEntryPoint" || f.Line != 164 {
			t.Errorf("frame 7 = %+v", f)
		}
	})
}

// TestSynthetic covers shapes the fixtures do not: text written by hand
// after the runtimes' formats.
func TestSynthetic(t *testing.T) {
	cases := []struct {
		name, text string
		w          expect
	}{
		{"go wrapped error stacks", "inner\nmain.a\n\t/app/a.go:10\nmain.main\n\t/app/main.go:5\nouter context\nmain.b\n\t/app/b.go:3\n",
			expect{lang: "go", msg: "outer context", frames: 1, causes: 1, top: Frame{Function: "main.b", Module: "main", File: "/app/b.go", Line: 3, InApp: true}}},
		{"go traceback fields and stdlib", "fatal error: concurrent map writes\n\ngoroutine 7 gp=0xc000 m=3 mp=0xc0 [running]:\n" +
			"net/http.(*conn).serve(0xc0001)\n\t/opt/go/src/net/http/server.go:2009 +0x5f4 fp=0xc sp=0xc pc=0x6\n" +
			"example/app/db.(*Pool).Get[go.shape.int](...)\n\t/home/me/app/db/pool.go:12\n" +
			"github.com/x/y.F()\n\t/root/go/pkg/mod/github.com/x/y@v1.0.0/y.go:4 +0x1\n",
			expect{lang: "go", typ: "fatal error", msg: "concurrent map writes", frames: 3,
				top:   Frame{Function: "net/http.(*conn).serve", Module: "net/http", File: "/opt/go/src/net/http/server.go", Line: 2009},
				inApp: []bool{false, true, false}}},
		{"go multi-line panic", "panic: first line\n\tsecond line\n\ngoroutine 1 [running]:\nmain.main()\n\t/a b/main.go:3 +0x1\n",
			expect{lang: "go", typ: "panic", msg: "first line\nsecond line", frames: 1, top: Frame{Function: "main.main", Module: "main", File: "/a b/main.go", Line: 3, InApp: true}}},
		{"java log with loader, lambda and logback", "12:00 ERROR boom\ncom.acme.AppException: bad\n\tat app//com.acme.Svc.lambda$run$0(Svc.kt:7) ~[app.jar:1.0]\n" +
			"\tat com.acme.Svc$$Lambda$14/0x0000000800c03000.apply(Unknown Source)\n\tat kotlin.collections.X.y(X.kt:1)\n",
			expect{lang: "java", typ: "com.acme.AppException", msg: "bad", frames: 3,
				top:   Frame{Function: "com.acme.Svc.lambda$run$0", Module: "com.acme.Svc", File: "Svc.kt", Line: 7, InApp: true},
				inApp: []bool{true, true, false}}},
		{"java multi-line message", "java.lang.IllegalStateException: line one\nline two\n\tat a.B.c(B.java:1)\n",
			expect{lang: "java", typ: "java.lang.IllegalStateException", msg: "line one\nline two", frames: 1, top: Frame{Function: "a.B.c", Module: "a.B", File: "B.java", Line: 1, InApp: true}}},
		{"java more without enclosing", "\tat a.B.c(B.java:1)\n\t... 3 more\n",
			expect{lang: "java", frames: 1, top: Frame{Function: "a.B.c", Module: "a.B", File: "B.java", Line: 1, InApp: true}}},
		{"python syntax error and frozen", "Traceback (most recent call last):\n  File \"<frozen runpy>\", line 198, in _run_module_as_main\n" +
			"  File \"/venv/lib/python3.12/site-packages/pkg/m.py\", line 2, in load\n    exec(code)\n  File \"/app/x.py\", line 3\n    def f(\n         ^\nSyntaxError: '(' was never closed\n",
			expect{lang: "python", typ: "SyntaxError", msg: "'(' was never closed", frames: 3, top: Frame{File: "/app/x.py", Line: 3, InApp: true},
				inApp: []bool{true, false, false}}},
		{"python recursion", "Traceback (most recent call last):\n  File \"/app/r.py\", line 4, in <module>\n    f()\n  File \"/app/r.py\", line 2, in f\n    f()\n  [Previous line repeated 5 more times]\nRecursionError: maximum recursion depth exceeded\n",
			expect{lang: "python", typ: "RecursionError", msg: "maximum recursion depth exceeded", frames: 7, top: Frame{Function: "f", File: "/app/r.py", Line: 2, InApp: true}}},
		{"js bare location, node_modules, eval in eval", "Error [ERR_X]: nope\n    at /app/node_modules/lib/i.js:1:2\n    at file:///app/m.mjs:3:4\n" +
			"    at eval (eval at f (eval at g (/app/e.js:9:8), <anonymous>:1:1), <anonymous>:2:2)\n    at Array.map (<anonymous>)\n    at async Promise.all (index 0)\n",
			expect{lang: "javascript", typ: "Error [ERR_X]", msg: "nope", frames: 5, top: Frame{File: "/app/node_modules/lib/i.js", Line: 1, Column: 2},
				inApp: []bool{false, true, true, false, false}}},
		{"crlf", "ValueError: x\r\n    at f (/a.js:1:2)\r\n",
			expect{lang: "javascript", typ: "ValueError", msg: "x", frames: 1, top: Frame{Function: "f", File: "/a.js", Line: 1, Column: 2, InApp: true}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr, err := Parse(c.text)
			check(t, tr, err, c.w)
		})
	}
}

func TestSyntheticDetails(t *testing.T) {
	tr, _ := Parse("\tat a.B.c(B.java:1)\n\t... 3 more\n")
	if !tr.Truncated {
		t.Error("unreconstructable '... 3 more' should mark the trace truncated")
	}
	tr, _ = Parse("Traceback (most recent call last):\n  File \"/app/r.py\", line 2, in f\n  [Previous line repeated 99999 more times]\nRecursionError: x\n")
	if len(tr.Frames) != MaxFrames || !tr.Truncated {
		t.Errorf("frames = %d, truncated = %v", len(tr.Frames), tr.Truncated)
	}
}

func TestUnreadable(t *testing.T) {
	for _, text := range []string{"", "hello world\nnothing here", "Traceback (most recent call last):\nKeyError: 'x'\n", "panic: x\n"} {
		tr, err := Parse(text)
		if tr == nil || err == nil || len(tr.Frames) != 0 {
			t.Errorf("Parse(%q) = %+v, %v; want no frames and an error", text, tr, err)
		}
	}
	if _, err := Parse("just prose"); !errors.Is(err, ErrUnrecognized) {
		t.Errorf("err = %v, want ErrUnrecognized", err)
	}
	if _, err := Parse("panic: x\n"); !errors.Is(err, ErrNoFrames) {
		t.Errorf("err = %v, want ErrNoFrames", err)
	}
}

func TestParseLang(t *testing.T) {
	if _, err := ParseLang("x", "cobol"); !errors.Is(err, ErrUnknownLang) {
		t.Errorf("err = %v, want ErrUnknownLang", err)
	}
	// Detection would call this Java (tab, no column); the caller knows better.
	tr, err := ParseLang("Error: x\n\tat f (<anonymous>)\n", LangJavaScript)
	if err != nil || tr.Lang != LangJavaScript || tr.Frames[0].Function != "f" || tr.Frames[0].InApp {
		t.Errorf("ParseLang = %+v, %v", tr, err)
	}
}

// TestLimits feeds large hostile texts and checks the caps hold.
func TestLimits(t *testing.T) {
	deep := "Exception: x\n" + strings.Repeat("\tat a.B.c(B.java:1)\n", 5000)
	tr, _ := Parse(deep)
	if len(tr.Frames) != MaxFrames || !tr.Truncated {
		t.Errorf("frames = %d, truncated = %v", len(tr.Frames), tr.Truncated)
	}
	chain := strings.Repeat("Traceback (most recent call last):\n  File \"a.py\", line 1, in f\nE: x\n\n", 1000)
	tr, _ = Parse(chain)
	n := 0
	for c := tr; c != nil; c = c.Cause {
		n++
	}
	if n != MaxCauseDepth {
		t.Errorf("chain = %d, want %d", n, MaxCauseDepth)
	}
	var b strings.Builder
	b.WriteString("java.lang.Exception: x\n\tat a.B.c(B.java:1)\n")
	for i := 1; i < 200; i++ {
		b.WriteString(strings.Repeat("\t", i) + "Suppressed: java.lang.Exception: y\n" + strings.Repeat("\t", i+1) + "at a.B.c(B.java:1)\n")
	}
	tr, _ = Parse(b.String())
	depth := 0
	for s := tr; len(s.Suppressed) > 0; s = s.Suppressed[0] {
		depth++
	}
	if depth >= MaxCauseDepth {
		t.Errorf("suppressed nesting = %d, want < %d", depth, MaxCauseDepth)
	}
}

package stacktrace

import (
	"strings"
	"testing"
	"time"
)

// TestHostileInputs parses megabyte texts built to defeat the parsers:
// deep nesting, repeated markers, long lines. Each must finish quickly
// (the bound is loose so slow machines pass; quadratic behaviour would
// take minutes) and respect the limits.
func TestHostileInputs(t *testing.T) {
	const mb = 1 << 20
	rep := func(s string) string { return strings.Repeat(s, mb/len(s)+1) }
	var nest strings.Builder
	for i := 0; nest.Len() < mb; i++ {
		nest.WriteString(strings.Repeat("\t", i%3000) + "Suppressed: a.E: x\n" + strings.Repeat("\t", i%3000+1) + "at a.B.c(B.java:1)\n\t... 5 more\n")
	}
	ins := map[string]string{
		"parens":      strings.Repeat("(", mb) + ")",
		"atparens":    rep("\tat a" + strings.Repeat("(", 50) + "\n"),
		"java frames": "a.E: x\n" + rep("\tat a.B.c(B.java:1)\n"),
		"causedby":    "a.E: x\n\tat a.B.c(B.java:1)\n" + rep("Caused by: a.E: x\n\tat a.B.c(B.java:1)\n\t... 1 more\n"),
		"suppressed":  "a.E: x\n\tat a.B.c(B.java:1)\n" + rep("\tSuppressed: a.E: x\n\t\tat a.B.c(B.java:1)\n\t\t... 1 more\n"),
		"nest":        "a.E: x\n\tat a.B.c(B.java:1)\n" + nest.String(),
		"jscause":     "Error: x\n" + rep("    at f (a.js:1:1) {\n  [cause]: Error: y\n"),
		"jselide":     "Error: x\n    at f (a.js:1:1)\n" + rep("    ... 5 lines matching cause stack trace ...\n") + "    at g (a.js:1:1) {\n  [cause]: Error: y\n" + strings.Repeat("    at f (a.js:1:1)\n", 1000) + "}\n",
		"pyrepeat":    "Traceback (most recent call last):\n" + rep("  File \"a\", line 1, in f\n  [Previous line repeated 99999 more times]\n"),
		"pytb":        rep("Traceback (most recent call last):\n  File \"a\", line 1, in f\nE: x\n"),
		"gofr":        "goroutine 1 [running]:\n" + rep("a.b(0x1)\n\t/a.go:1 +0x1\n"),
		"goerr":       rep("msg\nmain.a\n\t/a.go:1\n"),
		"gopanic":     rep("panic: x [recovered]\n\t") + "\ngoroutine 1 [x]:\n",
		"newlines":    rep("\n"),
		"pymsg":       "Traceback (most recent call last):\n  File \"a\", line 1, in f\nE: x\n" + rep("y\n"),
		"javamsg":     rep("a.E: x\n"+strings.Repeat("junk\n", 63)) + "\tat a.B.c(B.java:1)\n",
		"spaces":      rep("\t/a b c d e f g h i j k l m n o p q r s t u v w x y z:\n"),
	}
	for name, in := range ins {
		start := time.Now()
		tr, err := Parse(in)
		n := 0
		for c := tr; c != nil; c = c.Cause {
			n++
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: %v", name, d)
		}
		if len(tr.Frames) > MaxFrames || n > MaxCauseDepth || (err == nil) != (len(tr.Frames) > 0) {
			t.Errorf("%s: %d frames, chain %d, err %v", name, len(tr.Frames), n, err)
		}
	}
}

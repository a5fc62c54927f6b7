package stacktrace

import (
	"strings"
	"testing"
)

// FuzzParse checks that no text makes Parse panic or break the
// invariants callers rely on. It is seeded with every fixture, plus each
// fixture parsed as every language, which reaches the parsers detection
// would not choose.
func FuzzParse(f *testing.F) {
	for _, text := range fixtures(f) {
		f.Add(text, "")
		for _, lang := range []string{LangGo, LangJava, LangPython, LangJavaScript} {
			f.Add(text, lang)
		}
	}
	f.Fuzz(func(t *testing.T, text, lang string) {
		var tr *Trace
		var err error
		switch lang {
		case LangGo, LangJava, LangPython, LangJavaScript:
			tr, err = ParseLang(text, lang)
		default:
			tr, err = Parse(text)
		}
		if tr == nil {
			t.Fatal("nil trace")
		}
		if (err == nil) != (len(tr.Frames) > 0) {
			t.Fatalf("err = %v with %d frames", err, len(tr.Frames))
		}
		checkTrace(t, tr, text, 0)
	})
}

func checkTrace(t *testing.T, tr *Trace, text string, depth int) {
	if depth > MaxCauseDepth {
		t.Fatalf("nesting deeper than %d", MaxCauseDepth)
	}
	if len(tr.Frames) > MaxFrames {
		t.Fatalf("%d frames", len(tr.Frames))
	}
	if len(tr.Message) > maxMessage+len(text) {
		t.Fatalf("message of %d bytes from %d bytes of text", len(tr.Message), len(text))
	}
	for _, f := range tr.Frames {
		if f.Lang != tr.Lang || f.Line < 0 || f.Column < 0 {
			t.Fatalf("bad frame %+v in %s trace", f, tr.Lang)
		}
		// Every string comes from the text, never from a bad slice.
		for _, s := range []string{f.Function, f.File, f.Module} {
			if !strings.Contains(text, s) {
				t.Fatalf("%q is not in the text", s)
			}
		}
	}
	if tr.Cause != nil {
		checkTrace(t, tr.Cause, text, depth+1)
	}
	for _, s := range tr.Suppressed {
		checkTrace(t, s, text, depth+1)
	}
}

package stacktrace

import "strings"

// detect returns the language of the first line that only one runtime
// would print, or "" when no line is telling. Lines that several runtimes
// could print (a bare "at f (<anonymous>)", a "panic:" message) only
// decide when nothing stronger follows.
func detect(ls []string) string {
	weak := ""
	for _, l := range ls {
		lang, strong := detectLine(l)
		if strong {
			return lang
		}
		if weak == "" {
			weak = lang
		}
	}
	return weak
}

func detectLine(l string) (lang string, strong bool) {
	ind, rest := indentOf(l)
	switch {
	case strings.HasPrefix(rest, "Traceback (most recent call last):"):
		return LangPython, true
	case ind > 0 && strings.HasPrefix(rest, `File "`) && strings.Contains(rest, `", line `):
		return LangPython, true
	case ind == 0 && strings.HasPrefix(l, "goroutine "):
		if _, ok := goroutineHeader(l); ok {
			return LangGo, true
		}
	case ind > 0 && strings.HasPrefix(rest, "at "):
		return detectAt(l, rest[3:])
	case ind > 0:
		if file, _, ok := goFileLine(l); ok && (strings.HasSuffix(file, ".go") || strings.HasSuffix(file, ".s")) {
			return LangGo, true
		}
	case strings.HasPrefix(rest, "panic: "), strings.HasPrefix(rest, "fatal error: "):
		return LangGo, false
	}
	return "", false
}

// detectAt tells a Java "at" line from a V8 one by its location: V8 ends
// locations with ":line:column", Java with "File.java:line" or a word.
// Without a telling location, the indentation decides weakly: Java
// indents with a tab, V8 with four spaces.
func detectAt(l, rest string) (string, bool) {
	rest = strings.TrimSuffix(strings.TrimRight(rest, " "), " {")
	loc := rest
	if i := MatchingOpen(rest); i >= 0 {
		loc = rest[i+1 : len(rest)-1]
	} else if strings.IndexByte(rest, '(') > 0 && strings.HasSuffix(rest, "]") {
		// Logback appends " ~[app.jar:1.0]" to Java frames.
		return LangJava, true
	}
	if _, _, col := cutLineCol(loc); col > 0 {
		return LangJavaScript, true
	}
	if loc == "Native Method" || loc == "Unknown Source" || strings.Contains(loc, ".java:") ||
		strings.Contains(loc, ".kt:") || strings.Contains(loc, ".scala:") {
		return LangJava, true
	}
	if l[0] == '\t' {
		return LangJava, false
	}
	return LangJavaScript, false
}

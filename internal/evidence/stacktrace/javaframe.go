package stacktrace

import "strings"

// javaFrame reads "\tat [loader/][module[@version]/]pkg.Class.method(Loc)"
// where Loc is "File.java:12", "File.java", "Native Method" or "Unknown
// Source". Text after the closing parenthesis (logback's " ~[app.jar:1.0]")
// is ignored.
func javaFrame(l string) (Frame, bool) {
	ind, rest := indentOf(l)
	rest, ok := strings.CutPrefix(rest, "at ")
	if !ok || ind == 0 {
		return Frame{}, false
	}
	open := strings.IndexByte(rest, '(')
	if open <= 0 {
		return Frame{}, false
	}
	closing := strings.IndexByte(rest[open:], ')')
	if closing < 0 {
		return Frame{}, false
	}
	name, loc := javaStripModule(rest[:open]), rest[open+1:open+closing]
	if strings.IndexByte(name, ' ') >= 0 {
		return Frame{}, false
	}
	f := Frame{Function: name, Lang: LangJava}
	if dot := strings.LastIndexByte(name, '.'); dot > 0 {
		f.Module = name[:dot]
	}
	if loc != "Native Method" && loc != "Unknown Source" {
		f.File, f.Line, _ = cutLineCol(loc)
	}
	f.InApp = javaInApp(f.Module)
	return f, true
}

// javaStripModule drops the class-loader and module prefixes Java 9+
// prints ("app//", "java.base/", "loader/mod@1.0/"). A hidden class name
// such as "Foo$$Lambda$14/0x0000000800c03000" also contains a slash, so
// a slash followed by "0x" is part of the class name.
func javaStripModule(name string) string {
	for range 2 {
		i := strings.IndexByte(name, '/')
		if i < 0 || strings.HasPrefix(name[i+1:], "0x") {
			break
		}
		name = name[i+1:]
	}
	return name
}

// javaInApp treats the JDK and the Kotlin and Scala standard libraries as
// not in-app, by class name prefix.
func javaInApp(class string) bool {
	for _, p := range []string{"java.", "javax.", "jdk.", "sun.", "com.sun.", "kotlin.", "kotlinx.", "scala."} {
		if strings.HasPrefix(class, p) {
			return false
		}
	}
	return true
}

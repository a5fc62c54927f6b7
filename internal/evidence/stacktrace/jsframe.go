package stacktrace

import "strings"

// jsFrame reads one V8 frame line:
//
//	at fn (file:1:2)          at file:1:2
//	at async fn (file:1:2)    at new Foo (file:1:2)
//	at Object.f [as g] (file:1:2)
//	at eval (eval at f (file:1:2), <anonymous>:1:3)
//	at Array.map (<anonymous>)     at async Promise.all (index 0)
//
// A trailing " {" (Node opening the error's property block) is ignored.
func jsFrame(l string) (Frame, bool) {
	ind, rest := indentOf(l)
	rest, ok := strings.CutPrefix(rest, "at ")
	if !ok || ind == 0 {
		return Frame{}, false
	}
	rest = strings.TrimSuffix(rest, " {")
	f := Frame{Lang: LangJavaScript}
	if r, ok := strings.CutPrefix(rest, "async "); ok {
		f.Async, rest = true, r
	}
	loc := rest
	if i := MatchingOpen(rest); i > 0 && rest[i-1] == ' ' {
		f.Function, loc = jsStripAlias(rest[:i-1]), rest[i+1:len(rest)-1]
	} else if _, line, _ := cutLineCol(rest); line == 0 || strings.IndexByte(rest, ' ') >= 0 {
		return Frame{}, false // neither "fn (loc)" nor a bare location
	}
	f.File, f.Line, f.Column = jsLocation(loc)
	f.InApp = jsInApp(f.File)
	return f, true
}

// jsStripAlias drops " [as alias]": the alias is the property the
// function was called through, not its name.
func jsStripAlias(fn string) string {
	if i := strings.LastIndex(fn, " [as "); i > 0 && strings.HasSuffix(fn, "]") {
		return fn[:i]
	}
	return fn
}

// jsLocation splits "file:line:col". For eval'd code V8 prints
// "eval at f (file:1:2), <anonymous>:3:4"; the eval'd source has no file,
// so the innermost origin, the call to eval in a real file, is used.
func jsLocation(loc string) (string, int, int) {
	if strings.HasPrefix(loc, "eval at ") {
		if i := strings.LastIndexByte(loc, '('); i >= 0 {
			if j := strings.IndexByte(loc[i:], ')'); j > 0 {
				loc = loc[i+1 : i+j]
			}
		}
	}
	return cutLineCol(loc)
}

// jsInApp treats Node's built-in modules ("node:", "internal/"),
// installed packages (node_modules) and frames without a file (V8
// builtins print "<anonymous>", "native" or "index N") as not in-app.
func jsInApp(file string) bool {
	switch {
	case file == "", file == "<anonymous>", file == "native", strings.HasPrefix(file, "index "):
		return false
	case strings.HasPrefix(file, "node:"), strings.HasPrefix(file, "internal/"):
		return false
	case strings.Contains(file, "node_modules/"), strings.Contains(file, `node_modules\`):
		return false
	}
	return true
}

package stacktrace

import "strings"

// pyMessageLines bounds the continuation lines of a multi-line exception
// message; text after a traceback is often unrelated log output.
const pyMessageLines = 64

// parsePython reads traceback-module output. Python prints a chain oldest
// first, separated by "During handling of the above exception..." or
// "The above exception was the direct cause...", so the last traceback is
// the exception that escaped and Cause leads back through the earlier
// ones. Within a traceback frames are printed outermost first.
func parsePython(ls []string) *Trace {
	var ts []*Trace
	for i := 0; i < len(ls); {
		_, rest := indentOf(ls[i])
		switch {
		case strings.HasPrefix(rest, "Traceback (most recent call last):"):
			var t *Trace
			t, i = pyBlock(ls, i+1)
			ts = keepNewest(append(ts, t))
		case len(ts) == 0 && isPyFile(ls[i]):
			// A traceback whose first line was cut off.
			var t *Trace
			t, i = pyBlock(ls, i)
			ts = keepNewest(append(ts, t))
		default:
			i++
		}
	}
	return chainOldestFirst(ts)
}

// pyBlock reads the frames and exception line of one traceback starting
// at i, returning the trace and the index after it.
//
// Each traceback has its own frame budget: the chain keeps only the newest
// tracebacks, so a shared budget would be spent on ones that are dropped.
func pyBlock(ls []string, i int) (*Trace, int) {
	var lim limits
	t := &Trace{Lang: LangPython}
	var outer []Frame // outermost first, the newest 2*MaxFrames at most
	repeated := 0     // frames added for "[Previous line repeated ...]"
	for i < len(ls) {
		l := ls[i]
		ind, rest := indentOf(l)
		if f, ok := pyFrame(l); ok {
			outer = pyKeep(append(outer, f), t)
			i++
			continue
		}
		if n, ok := pyRepeated(rest); ok && len(outer) > 0 {
			// Expanding is bounded per traceback, or a hostile text could
			// ask for MaxFrames copies on every line.
			for k := 0; k < n; k++ {
				if repeated >= MaxFrames {
					t.Truncated = true
					break
				}
				repeated++
				outer = pyKeep(append(outer, outer[len(outer)-1]), t)
			}
			i++
			continue
		}
		if ind > 0 || rest == "" && len(outer) == 0 {
			i++ // source and caret lines, or blanks before the frames
			continue
		}
		break
	}
	for k := len(outer) - 1; k >= 0; k-- {
		lim.add(t, outer[k])
	}
	if i < len(ls) && ls[i] != "" && !strings.HasPrefix(ls[i], "Traceback (") {
		i = pyException(ls, i, t)
	}
	return t, i
}

// pyKeep drops the outermost frames once a traceback is far deeper than
// MaxFrames, keeping the innermost ones, which say where it failed.
func pyKeep(fs []Frame, t *Trace) []Frame {
	if len(fs) < 2*MaxFrames {
		return fs
	}
	t.Truncated = true
	return append(fs[:0], fs[len(fs)-MaxFrames:]...)
}

// pyException reads "Type: message" and its continuation lines.
func pyException(ls []string, i int, t *Trace) int {
	typ, msg, ok := splitHeader(ls[i])
	if !ok {
		typ, msg = "", ls[i]
	}
	t.Type = typ
	end := i + 1
	for end < len(ls) && end-i <= pyMessageLines && pyMessageContinues(ls[end]) {
		end++
	}
	t.Message = joinMessage(msg, ls[i+1:end])
	return end
}

func pyMessageContinues(l string) bool {
	return l != "" && !strings.HasPrefix(l, "Traceback (") &&
		!strings.HasPrefix(l, "During handling of the above exception") &&
		!strings.HasPrefix(l, "The above exception was the direct cause")
}

// pyRepeated reads "[Previous line repeated 996 more times]".
func pyRepeated(rest string) (int, bool) {
	rest, ok := strings.CutPrefix(rest, "[Previous line repeated ")
	if !ok {
		return 0, false
	}
	num, _, _ := strings.Cut(rest, " ")
	return atoi(num)
}

func isPyFile(l string) bool {
	_, ok := pyFrame(l)
	return ok
}

// pyFrame reads `  File "path", line 12, in func`. SyntaxError prints the
// location without ", in func"; it is kept as a frame without function.
func pyFrame(l string) (Frame, bool) {
	ind, rest := indentOf(l)
	rest, ok := strings.CutPrefix(rest, `File "`)
	if !ok || ind == 0 {
		return Frame{}, false
	}
	q := strings.Index(rest, `", line `)
	if q < 0 {
		return Frame{}, false
	}
	f := Frame{File: rest[:q], Lang: LangPython}
	num, fn, hasFn := strings.Cut(rest[q+len(`", line `):], ", in ")
	n, ok := atoi(strings.TrimRight(num, " "))
	if !ok {
		return Frame{}, false
	}
	f.Line = n
	if hasFn {
		f.Function = fn
	}
	f.InApp = pyInApp(f.File)
	return f, true
}

// pyInApp treats installed packages (site-packages, dist-packages), the
// standard library (a "lib/python3.X/" directory) and frozen modules as
// not in-app.
func pyInApp(file string) bool {
	if strings.HasPrefix(file, "<frozen ") {
		return false
	}
	norm := strings.ReplaceAll(strings.ToLower(file), `\`, "/")
	if strings.Contains(norm, "/site-packages/") || strings.Contains(norm, "/dist-packages/") {
		return false
	}
	return !pyStdlibDir(norm)
}

// pyStdlibDir finds "/lib/python3.11/" (or "/lib/python311/" on Windows
// embeddable builds) in a lower-cased, slash-separated path.
func pyStdlibDir(p string) bool {
	for {
		i := strings.Index(p, "/lib/python")
		if i < 0 {
			return false
		}
		p = p[i+len("/lib/python"):]
		j := 0
		for j < len(p) && (p[j] == '.' || p[j] >= '0' && p[j] <= '9') {
			j++
		}
		if j > 0 && j < len(p) && p[j] == '/' {
			return true
		}
	}
}

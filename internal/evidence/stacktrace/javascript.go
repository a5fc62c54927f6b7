package stacktrace

import "strings"

// parseJS reads a V8 stack (Error.stack as Node and Chromium print it):
// a "Type: message" header, possibly preceded by Node's source excerpt,
// then "    at ..." lines. Node prints an uncaught error's own properties
// after the frames inside "{ ... }", where "[cause]: " starts the cause.
func parseJS(ls []string) *Trace {
	first := firstFrameLine(ls, 0, isJSAt)
	if first < 0 {
		return nil
	}
	p := &jsParser{ls: ls, i: first}
	t := &Trace{Lang: LangJavaScript}
	if h := headerAbove(ls, first, jsHeader); h >= 0 {
		_, rest := indentOf(ls[h])
		t.Type, t.Message, _ = splitHeader(strings.TrimPrefix(rest, "Uncaught "))
		t.Message = joinMessage(t.Message, ls[h+1:first])
	}
	p.frames(t, 0)
	return t
}

// maxElisions bounds the elided runs restored per trace; Node prints at
// most one, so more than a few means the text is not Node's.
const maxElisions = 4

type jsParser struct {
	ls  []string
	i   int
	lim limits
}

// elision is Node's "... N lines matching cause stack trace ...": N
// frames left out after frame index at because the cause repeats them.
type elision struct {
	at, n int
}

// frames reads "at" lines from p.i, then the property block if the last
// frame opened one.
func (p *jsParser) frames(t *Trace, depth int) {
	var cut []elision
	props := false
	for p.i < len(p.ls) && !props {
		l := strings.TrimRight(p.ls[p.i], " ")
		if f, ok := jsFrame(l); ok {
			p.lim.add(t, f)
			props = strings.HasSuffix(l, " {")
		} else if n, ok := jsElided(l); ok {
			if len(cut) < maxElisions {
				cut = append(cut, elision{at: len(t.Frames), n: n})
			} else {
				t.Truncated = true
			}
		} else {
			break
		}
		p.i++
	}
	if props {
		p.props(t, depth)
	}
	for k := len(cut) - 1; k >= 0; k-- {
		jsRestore(t, cut[k])
	}
}

// props skips the error's own properties up to the closing "}", reading
// a "[cause]: " entry as the cause.
func (p *jsParser) props(t *Trace, depth int) {
	for p.i < len(p.ls) {
		ind, rest := indentOf(strings.TrimRight(p.ls[p.i], " "))
		p.i++
		if rest == "}" && ind == 0 || rest == "}" && depth > 0 {
			return
		}
		head, ok := strings.CutPrefix(rest, "[cause]: ")
		if !ok || t.Cause != nil || depth+1 >= MaxCauseDepth {
			continue
		}
		c := &Trace{Lang: LangJavaScript}
		c.Type, c.Message, _ = splitHeader(head)
		if c.Type == "" {
			c.Message = clip(head)
		}
		t.Cause = c
		p.frames(c, depth+1)
	}
}

// jsRestore puts back frames Node elided because the cause has them:
// they follow, in the cause's frames, the frame printed before the
// marker.
func jsRestore(t *Trace, e elision) {
	if t.Cause == nil || e.at == 0 {
		t.Truncated = true
		return
	}
	prev := t.Frames[e.at-1]
	cf := t.Cause.Frames
	for j := range cf {
		if cf[j] != prev || j+1+e.n > len(cf) {
			continue
		}
		if len(t.Frames)+e.n > MaxFrames {
			break
		}
		restored := make([]Frame, 0, len(t.Frames)+e.n)
		restored = append(restored, t.Frames[:e.at]...)
		restored = append(restored, cf[j+1:j+1+e.n]...)
		t.Frames = append(restored, t.Frames[e.at:]...)
		return
	}
	t.Truncated = true
}

// jsElided reads "    ... 5 lines matching cause stack trace ...".
func jsElided(l string) (int, bool) {
	_, rest := indentOf(l)
	rest, ok := strings.CutPrefix(rest, "... ")
	if !ok || !strings.HasSuffix(rest, " lines matching cause stack trace ...") {
		return 0, false
	}
	num, _, _ := strings.Cut(rest, " ")
	return atoi(num)
}

// jsHeader accepts "TypeError: msg", "Error [ERR_X]: msg" and
// "Uncaught TypeError: msg" (browser consoles).
func jsHeader(l string) bool {
	_, rest := indentOf(l)
	typ, _, ok := splitHeader(strings.TrimPrefix(rest, "Uncaught "))
	return ok && looksLikeExceptionType(typ)
}

func isJSAt(l string) bool {
	_, ok := jsFrame(strings.TrimRight(l, " "))
	return ok
}

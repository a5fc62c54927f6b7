package stacktrace

import "strings"

// parseGo reads a panic or fatal-error dump, debug.Stack output, or an
// error printed with a pkg/errors-style "%+v" stack. Frames come from the
// first goroutine in the text, which for a panic is the panicking one.
func parseGo(ls []string) *Trace {
	g, id := firstGoroutine(ls)
	if g < 0 {
		return parseGoErrorStack(ls)
	}
	t := goPanics(ls[:g])
	t.Goroutine = id
	var lim limits
	goFrames(ls[g+1:], t, &lim)
	return t
}

// firstGoroutine finds the first "goroutine N [...]:" header.
func firstGoroutine(ls []string) (int, int) {
	for i, l := range ls {
		if id, ok := goroutineHeader(l); ok {
			return i, id
		}
	}
	return -1, 0
}

// goroutineHeader matches "goroutine 7 [running]:" and the longer
// GOTRACEBACK=crash form "goroutine 7 gp=0x... m=0 mp=0x... [running]:".
func goroutineHeader(l string) (int, bool) {
	rest, ok := strings.CutPrefix(l, "goroutine ")
	if !ok || !strings.HasSuffix(l, ":") {
		return 0, false
	}
	sp := strings.IndexByte(rest, ' ')
	if sp < 0 {
		return 0, false
	}
	return atoi(rest[:sp])
}

// goPanics reads the "panic:" and "fatal error:" lines above the first
// goroutine. Go prints nested panics oldest first, each later one
// indented by a tab; the last is the one that killed the program.
func goPanics(ls []string) *Trace {
	var ps []*Trace
	for i := 0; i < len(ls); i++ {
		_, rest := indentOf(ls[i])
		typ, msg, ok := goPanicLine(rest)
		if !ok {
			continue
		}
		j := i + 1
		for j < len(ls) && goPanicContinues(ls[j]) {
			j++
		}
		ps = append(ps, &Trace{Lang: LangGo, Type: typ, Message: joinMessage(msg, trimAll(ls[i+1:j]))})
		i = j - 1
	}
	if t := chainOldestFirst(ps); t != nil {
		return t
	}
	return &Trace{Lang: LangGo}
}

// goPanicLine splits a "panic: v" or "fatal error: v" line.
func goPanicLine(l string) (typ, msg string, ok bool) {
	if msg, ok := strings.CutPrefix(l, "fatal error: "); ok {
		return "fatal error", msg, true
	}
	msg, ok = strings.CutPrefix(l, "panic: ")
	if !ok {
		return "", "", false
	}
	// The suffixes say what happened to the panic, not what it was.
	msg = strings.TrimSuffix(msg, " [recovered, repanicked]")
	msg = strings.TrimSuffix(msg, " [recovered]")
	if strings.HasPrefix(msg, "runtime error: ") {
		return "runtime.Error", msg, true
	}
	return "panic", msg, true
}

// goPanicContinues reports whether l continues a multi-line panic value,
// which Go prints indented by a tab.
func goPanicContinues(l string) bool {
	ind, rest := indentOf(l)
	if ind == 0 || rest == "" {
		return false
	}
	_, _, isPanic := goPanicLine(rest)
	return !isPanic
}

func trimAll(ls []string) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = trimBlank(l)
	}
	return out
}

// goFrames reads function/file line pairs until the goroutine ends at a
// blank line or the next goroutine header.
func goFrames(ls []string, t *Trace, lim *limits) {
	for i := 0; i < len(ls); i++ {
		l := ls[i]
		if trimBlank(l) == "" {
			return
		}
		if _, ok := goroutineHeader(l); ok {
			return
		}
		if l[0] == ' ' || l[0] == '\t' {
			continue // a file line without its function line
		}
		if l == "...additional frames elided..." {
			t.Truncated = true
			continue
		}
		f := goFrame(goFuncName(l))
		created := false
		if rest, ok := strings.CutPrefix(l, "created by "); ok {
			if k := strings.Index(rest, " in goroutine "); k >= 0 {
				rest = rest[:k]
			}
			f, created = goFrame(rest), true
		}
		if i+1 >= len(ls) {
			return
		}
		file, line, ok := goFileLine(ls[i+1])
		if !ok {
			return // Go always prints the file line: this is not a frame
		}
		f.File, f.Line = file, line
		i++
		f.InApp = goInApp(f)
		if created {
			t.CreatedBy = &f
			continue
		}
		lim.add(t, f)
	}
}

// parseGoErrorStack reads text without a goroutine header: a message
// followed by function/file line pairs, possibly repeated when wrapped
// errors each carry a stack. pkg/errors prints the innermost error first.
// Each stack has its own frame budget, since only the newest are kept.
func parseGoErrorStack(ls []string) *Trace {
	var ts []*Trace
	var cur *Trace
	var lim limits
	msgFrom, msgTo := -1, -1
	for i := 0; i < len(ls); i++ {
		l := ls[i]
		if fl, ok := goFrameAt(ls, i); ok {
			if cur == nil || (msgFrom >= 0 && len(cur.Frames) > 0) {
				cur, lim = &Trace{Lang: LangGo}, limits{}
				if msgFrom >= 0 {
					cur.Message = joinMessage(ls[msgFrom], ls[msgFrom+1:msgTo])
				}
				ts = keepNewest(append(ts, cur))
			}
			msgFrom = -1
			lim.add(cur, fl)
			i++
			continue
		}
		switch {
		case trimBlank(l) == "" || l[0] == ' ' || l[0] == '\t':
			msgFrom = -1
		case msgFrom < 0 || msgTo != i:
			msgFrom, msgTo = i, i+1
		default:
			msgTo = i + 1
		}
	}
	if t := chainOldestFirst(ts); t != nil {
		return t
	}
	return &Trace{Lang: LangGo}
}

// goFrameAt reads a frame from a function line at i and a file line at
// i+1.
func goFrameAt(ls []string, i int) (Frame, bool) {
	l := ls[i]
	if i+1 >= len(ls) || l == "" || l[0] == ' ' || l[0] == '\t' {
		return Frame{}, false
	}
	file, line, ok := goFileLine(ls[i+1])
	if !ok {
		return Frame{}, false
	}
	f := goFrame(goFuncName(l))
	f.File, f.Line = file, line
	f.InApp = goInApp(f)
	return f, true
}

package jvm

import (
	"strings"

	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/stacktrace"
)

// thread is one thread block of the dump.
type thread struct {
	off  int64
	name string
	// id is what the thread node ID is made from: the Java thread ID,
	// else tid=, else nid=.
	id        string
	num       string // "#12" without the "#"
	tid, nid  string // as printed
	osID      string // decimal OS thread ID
	daemon    bool
	virtual   bool
	prio      *int
	osPrio    *int
	cpuNs     int64 // -1 when not printed
	elapsedNs int64 // -1 when not printed
	status    string
	state     string // the Thread.State line's value, as printed
	carrying  string // the virtual thread a carrier thread runs
	// fromDeadlock marks a thread known only from a deadlock report's
	// stacks, when the thread list lacked it.
	fromDeadlock bool

	frames []stacktrace.Frame
	// pending holds the frame lines, rewritten into the form package
	// stacktrace reads, until the block ends; offs are their offsets.
	pending   strings.Builder
	offs      []int64
	nframes   int // frame lines seen, including ones past MaxFrames
	locks     []lockRef
	frameErr  error
	truncated bool
}

// body reads a line inside t's block.
func (t *thread) body(p *parser, l line) error {
	rest := strings.TrimLeft(l.text, " \t")
	indented := len(rest) < len(l.text)
	switch {
	case !indented:
		return nil // program output interleaved with a SIGQUIT dump
	case strings.HasPrefix(rest, "at "):
		return t.frameLine(p.in, l, rest[3:])
	case strings.HasPrefix(rest, "- "):
		if p.ownable {
			return t.ownableLine(p.in, l, rest[2:])
		}
		return t.lockLine(p.in, l, rest[2:])
	case strings.HasPrefix(rest, "java.lang.Thread.State: "):
		t.state = clip(strings.TrimPrefix(rest, "java.lang.Thread.State: "))
		if _, ok := stateOf(t.state); !ok {
			return evidence.Errorf(p.in, l.off, "unknown thread state %q", clipShort(t.state))
		}
	case rest == "Locked ownable synchronizers:":
		p.ownable = true
	case strings.HasPrefix(rest, "Carrying virtual thread #"):
		t.carrying = clip(strings.TrimPrefix(rest, "Carrying virtual thread #"))
	}
	// Anything else indented ("No compile task", "Compiling: ...") is
	// a detail HotSpot adds for its own threads.
	return nil
}

// frameLine takes "pkg.Class.method(java.base@17/File.java:12)". The
// module prefix inside the parentheses is a thread-dump habit;
// Throwable.printStackTrace, which package stacktrace reads, puts it
// before the class, so it is dropped.
func (t *thread) frameLine(in *evidence.Input, l line, s string) error {
	open := strings.IndexByte(s, '(')
	if open <= 0 || !strings.HasSuffix(s, ")") {
		return evidence.Errorf(in, l.off, "malformed frame: want \"at pkg.Class.method(File.java:N)\"")
	}
	t.nframes++
	if t.nframes > stacktrace.MaxFrames {
		t.truncated = true
		return nil
	}
	loc := s[open+1 : len(s)-1]
	if i := strings.LastIndexByte(loc, '/'); i >= 0 {
		loc = loc[i+1:]
	}
	t.pending.WriteString("\tat ")
	t.pending.WriteString(s[:open])
	t.pending.WriteByte('(')
	t.pending.WriteString(loc)
	t.pending.WriteString(")\n")
	t.offs = append(t.offs, l.off)
	return nil
}

// finishFrames parses the block's frame lines in one go. A line package
// stacktrace rejects stops its parse early; that line is found and
// reported.
func (t *thread) finishFrames(in *evidence.Input) {
	if len(t.offs) == 0 || t.frames != nil {
		return
	}
	text := t.pending.String()
	t.pending.Reset()
	tr, _ := stacktrace.ParseLang(text, stacktrace.LangJava)
	if len(tr.Frames) == len(t.offs) {
		t.frames = tr.Frames
		return
	}
	for i, fl := range strings.SplitN(text, "\n", len(t.offs)) {
		if one, _ := stacktrace.ParseLang(fl, stacktrace.LangJava); len(one.Frames) != 1 {
			t.frameErr = evidence.Errorf(in, t.offs[i], "malformed frame: want \"at pkg.Class.method(File.java:N)\"")
			return
		}
	}
	t.frames = tr.Frames
}

// stateOf maps a Thread.State value ("BLOCKED (on object monitor)") to
// the EPG's thread.state vocabulary.
func stateOf(s string) (string, bool) {
	word, _, _ := strings.Cut(s, " ")
	switch word {
	case "RUNNABLE":
		return "runnable", true
	case "BLOCKED":
		return "blocked", true
	case "WAITING", "TIMED_WAITING":
		return "waiting", true
	case "NEW":
		return "new", true
	case "TERMINATED":
		return "dead", true
	}
	return "", false
}

// statusState maps a header status, for VM threads that print no
// Thread.State line.
func statusState(s string) string {
	switch {
	case s == "runnable":
		return "runnable"
	case strings.HasPrefix(s, "waiting"), s == "sleeping", strings.HasPrefix(s, "in Object.wait"):
		return "waiting"
	case s == "blocked":
		return "blocked"
	}
	return ""
}

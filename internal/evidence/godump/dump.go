package godump

import (
	"strings"

	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/stacktrace"
	"github.com/tagdebug/tag/sdk/go/capsule"
)

// goroutine is one parsed goroutine of a dump.
type goroutine struct {
	header
	key       string // unique within the artifact: id, or id@mN for repeated g0s
	line      int    // line of its header, for errors and ordering
	frames    []frame
	created   []frame // the "created by" frame, when printed
	createdIn string  // the parent goroutine ("created by F in goroutine N")
	elided    bool    // frames were elided by the runtime or dropped by MaxFrames
	goleak    bool    // listed in a goleak report
	panicked  bool    // the goroutine a panic line above it refers to
}

// watchdogType is the panicLine type of a capture-SDK watchdog header.
const watchdogType = "watchdog"

// panicLine is a "panic: ..." or "fatal error: ..." line with its
// tab-indented continuation lines.
type panicLine struct {
	typ, msg string
	line     int
	// before is the number of goroutines parsed before it; the
	// goroutine printed right after a panic is the panicking one.
	before int
}

// dump is everything a Go runtime text artifact says.
type dump struct {
	goroutines []*goroutine
	panics     []panicLine
	goleak     string // goleak's error line, when the artifact has one
	goleakLine int
	slow       string // the capture SDK's slow-request header, without its prefix
}

// parser reads a dump line by line.
type parser struct {
	in   *evidence.Input
	s    lineScanner
	d    dump
	seen map[string]int // goroutine IDs already used, for repeated g0 stacks
}

// parseDump reads every goroutine, panic line and goleak block of text.
func parseDump(in *evidence.Input, text string) (*dump, error) {
	p := &parser{in: in, s: lineScanner{text: text}}
	for p.s.scan() {
		l := p.s.line
		switch {
		case isHeaderStart(l):
			h, ok, bad := parseHeader(l)
			if bad != "" {
				return nil, p.errorf("%s", bad)
			}
			if ok {
				if err := p.goroutine(h, "", false); err != nil {
					return nil, err
				}
			}
		case strings.HasPrefix(strings.TrimLeft(l, " \t"), "[Goroutine "):
			if err := p.goleakBlock(); err != nil {
				return nil, err
			}
		default:
			p.preamble(l)
		}
	}
	return &p.d, nil
}

// preamble records the lines that say why the dump was printed.
func (p *parser) preamble(l string) {
	if i := strings.Index(l, "found unexpected goroutines:"); i >= 0 && p.d.goleak == "" {
		p.d.goleak, p.d.goleakLine = evidence.Clip(strings.TrimSpace(l)), p.s.num
		return
	}
	if msg, ok := strings.CutPrefix(l, capsule.SlowHeader); ok && p.d.slow == "" {
		// The capture SDK's slow-request snapshot: requests were late,
		// nothing declared stuck, so no panic line.
		p.d.slow = evidence.Clip(msg)
		return
	}
	if msg, ok := strings.CutPrefix(l, capsule.WatchdogHeader); ok {
		// The capture SDK's watchdog: requests outlived their deadline.
		p.d.panics = append(p.d.panics, panicLine{typ: watchdogType, msg: evidence.Clip(msg), line: p.s.num, before: len(p.d.goroutines)})
		return
	}
	nested := false
	if len(l) > 1 && l[0] == '\t' && len(p.d.panics) > 0 {
		l, nested = strings.TrimLeft(l, "\t"), true
	}
	typ, msg, ok := panicHeader(l)
	if !ok {
		return
	}
	pl := panicLine{typ: typ, line: p.s.num, before: len(p.d.goroutines)}
	var b strings.Builder
	b.WriteString(msg)
	for {
		next, ok := p.s.peek()
		if !ok || len(next) < 2 || next[0] != '\t' {
			break
		}
		rest := strings.TrimLeft(next, "\t")
		if _, _, isPanic := panicHeader(rest); isPanic || rest == "" {
			break
		}
		p.s.scan()
		if b.Len() < 8<<10 {
			b.WriteByte('\n')
			b.WriteString(rest)
		}
	}
	pl.msg = evidence.Clip(b.String())
	if nested {
		last := &p.d.panics[len(p.d.panics)-1]
		last.typ, last.msg = pl.typ, pl.msg
		return
	}
	p.d.panics = append(p.d.panics, pl)
}

// panicHeader splits "panic: v" and "fatal error: v" the way the
// stacktrace package types them: "runtime.Error" for runtime errors,
// "fatal error" for throws, else "panic". The runtime prints a repanic
// indented under the first; the indent is not stripped here, because an
// indented panic is part of the one above it.
func panicHeader(l string) (typ, msg string, ok bool) {
	if msg, ok := strings.CutPrefix(l, "fatal error: "); ok {
		return "fatal error", msg, true
	}
	if msg, ok = strings.CutPrefix(l, "panic: "); !ok {
		return "", "", false
	}
	msg = strings.TrimSuffix(msg, " [recovered, repanicked]")
	msg = strings.TrimSuffix(msg, " [recovered]")
	if strings.HasPrefix(msg, "runtime error: ") {
		return "runtime.Error", msg, true
	}
	return "panic", msg, true
}

// goleakBlock reads goleak's "[Goroutine N in state S, with F on top of
// the stack:" entries up to the closing "]".
func (p *parser) goleakBlock() error {
	for {
		h, ok := goleakHeader(p.s.line)
		if !ok {
			return p.errorf("malformed goleak goroutine header")
		}
		indent := p.s.line[:len(p.s.line)-len(strings.TrimLeft(p.s.line, " \t"))]
		if err := p.goroutine(h, indent, true); err != nil {
			return err
		}
		next, ok := p.s.peek()
		if !ok {
			return nil
		}
		t := strings.TrimSpace(next)
		if t == "]" {
			p.s.scan()
			return nil
		}
		if !strings.HasPrefix(t, "Goroutine ") {
			return nil
		}
		p.s.scan()
	}
}

// goroutine reads the frames under a header. Lines of a goleak block
// carry the block's indentation (t.Error indents them), which is
// stripped; a line without it ends the goroutine.
func (p *parser) goroutine(h header, indent string, goleak bool) error {
	g := &goroutine{header: h, line: p.s.num, goleak: goleak}
	g.key = p.key(h)
	p.d.goroutines = append(p.d.goroutines, g)
	for {
		l, ok := p.s.peek()
		if !ok {
			return nil
		}
		if indent != "" {
			if !strings.HasPrefix(l, indent) {
				return nil
			}
			l = l[len(indent):]
		}
		switch {
		case l == "" || isHeaderStart(l):
			return nil
		case goleak && (l == "]" || strings.HasPrefix(l, " Goroutine ") || strings.HasPrefix(l, "Goroutine ")):
			return nil
		case l == "goroutine running on other thread; stack unavailable":
			p.s.scan()
		case strings.HasPrefix(l, "...") && strings.HasSuffix(l, "elided..."):
			p.s.scan()
			g.elided = true
		case strings.HasPrefix(l, "[originating from goroutine "):
			p.s.scan()
		case strings.HasPrefix(l, "created by "):
			p.s.scan()
			fn := l[len("created by "):]
			if i := strings.Index(fn, " in goroutine "); i >= 0 {
				fn, g.createdIn = fn[:i], fn[i+len(" in goroutine "):]
			}
			f, err := p.location(fn, "", indent)
			if err != nil {
				return err
			}
			g.created = append(g.created[:0], f)
		case l[0] == '\t':
			p.s.scan()
			return p.errorf("location line without a function line")
		default:
			fn, args, ok := splitCall(l)
			if !ok {
				return nil // the dump is over: registers, test output, ...
			}
			p.s.scan()
			f, err := p.location(fn, args, indent)
			if err != nil {
				return err
			}
			if len(g.frames) >= stacktrace.MaxFrames {
				g.elided = true
				continue
			}
			g.frames = append(g.frames, f)
		}
	}
}

// location reads the file line that must follow a function line.
func (p *parser) location(fn, args, indent string) (frame, error) {
	fnLine := p.s.num
	l, ok := p.s.peek()
	if ok && indent != "" {
		l, ok = strings.CutPrefix(l, indent)
	}
	if !ok {
		return frame{}, p.errorf("frame %.100q without a file line (truncated dump?)", fn)
	}
	file, line, ok := fileLine(l)
	if !ok {
		p.s.scan()
		return frame{}, p.errorf("frame %.100q (line %d) without a file line", fn, fnLine)
	}
	p.s.scan()
	return newFrame(fn, args, file, line), nil
}

// key returns a goroutine's unique name. GOTRACEBACK=crash prints
// "goroutine 0" once per thread (each M's g0); those, and any other
// repeated ID, are told apart by the M or by occurrence.
func (p *parser) key(h header) string {
	if p.seen == nil {
		p.seen = map[string]int{}
	}
	n := p.seen[h.id]
	p.seen[h.id] = n + 1
	if n == 0 {
		return h.id
	}
	if h.m != "" && h.m != "nil" {
		k := h.id + "@m" + h.m
		if _, dup := p.seen[k]; !dup {
			p.seen[k] = 1
			return k
		}
	}
	return h.id + "#" + itoa(n+1)
}

// errorf positions an error at the current line.
func (p *parser) errorf(format string, args ...any) error {
	e := evidence.Errorf(p.in, int64(p.s.start), format, args...)
	e.Line, e.Column = p.s.num, 1
	return e
}

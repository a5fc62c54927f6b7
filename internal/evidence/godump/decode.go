package godump

import (
	"context"
	"strings"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
)

// Format names of the two decoders.
const (
	FormatDump = "go-dump"
	FormatRace = "go-race"
)

// DumpDecoder decodes Go panic output, goroutine dumps, goleak reports
// and the goroutine leak profile ("go-dump"). The zero value is ready to
// use.
type DumpDecoder struct{}

// RaceDecoder decodes Go race-detector reports ("go-race"). The zero
// value is ready to use.
type RaceDecoder struct{}

// Decoders returns both decoders, race first: a file with race reports
// may also hold goroutine headers (a race in a test that then timed
// out), and the race reports are what it is about.
func Decoders() []evidence.Decoder { return []evidence.Decoder{&RaceDecoder{}, &DumpDecoder{}} }

// Format returns "go-dump".
func (*DumpDecoder) Format() string { return FormatDump }

// Format returns "go-race".
func (*RaceDecoder) Format() string { return FormatRace }

// Sniff recognises a goroutine header, a goleak report or a panic line
// in the first sniffHead bytes (see sniff).
func (*DumpDecoder) Sniff(in *evidence.Input) evidence.Confidence {
	h := sniff(in.Data)
	switch {
	case h.notGo:
		return evidence.No
	case h.race:
		return min(h.dump, evidence.Maybe)
	}
	return h.dump
}

// Sniff recognises "WARNING: DATA RACE" followed by an access line in
// the first sniffHead bytes.
func (*RaceDecoder) Sniff(in *evidence.Input) evidence.Confidence {
	h := sniff(in.Data)
	switch {
	case h.notGo || !h.race:
		return evidence.No
	case h.raceAccess:
		return evidence.Certain
	}
	return evidence.Likely
}

// Decode maps the goroutines of in to a fragment.
func (*DumpDecoder) Decode(ctx context.Context, in *evidence.Input) (*epg.Fragment, error) {
	text := string(in.Data) // one copy, so nothing retains in.Data
	d, err := parseDump(in, text)
	if err != nil {
		return nil, err
	}
	if len(d.goroutines) == 0 {
		return nil, evidence.Errorf(in, 0, "no goroutine dump found (want \"goroutine N [state]:\" headers)")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e := &emitter{in: in, scope: in.Scope(), f: &epg.Fragment{Source: in.Name, Format: FormatDump}}
	e.f.Nodes = make([]epg.Node, 0, estimateNodes(text, len(d.goroutines)))
	e.f.Edges = make([]epg.Edge, 0, 2*cap(e.f.Nodes))
	waits := make([]wait, len(d.goroutines))
	waiting := make([]bool, len(d.goroutines))
	states := make([]string, len(d.goroutines))
	for i, g := range d.goroutines {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		waits[i], waiting[i] = lockWait(g)
		states[i] = state(g.reason, waiting[i])
		e.goroutine(g, states[i])
	}
	e.locks(d, waits, waiting)
	e.verdicts(d, states)
	return e.f, nil
}

// estimateNodes guesses the node count (a thread per goroutine, a frame
// per two lines) so the fragment's slices grow once.
func estimateNodes(text string, goroutines int) int {
	return strings.Count(text, "\n")/2 + goroutines + 16
}

// sniffHead is how much of an artifact Sniff reads.
const sniffHead = 16 << 10

// sniffed is what the head of an artifact says.
type sniffed struct {
	dump       evidence.Confidence
	race       bool // "WARNING: DATA RACE"
	raceAccess bool // and an access line after it
	notGo      bool // JSON, a JVM thread dump, a Python or Node traceback
}

// sniff reads the head's lines once. A goroutine header is certain; a
// goleak report likely (its goroutines may lie past the head); a panic
// line alone maybe. JSON and other runtimes' dumps are refused outright,
// since their text can quote a Go panic.
func sniff(data []byte) (s sniffed) {
	head := data
	if len(head) > sniffHead {
		head = head[:sniffHead]
	}
	if c := evidence.FirstJSONByte(head); c == '{' || (c == '[' && jsonArray(head)) {
		s.notGo = true
		return s
	}
	text := string(head)
	for text != "" {
		var l string
		l, text, _ = strings.Cut(text, "\n")
		l = strings.TrimSuffix(l, "\r")
		switch {
		case isHeaderStart(l):
			if _, ok, _ := parseHeader(l); ok {
				s.dump = evidence.Certain
			}
		case s.race && !s.raceAccess && isAccessHeader(l):
			s.raceAccess = true
		case l == "WARNING: DATA RACE":
			s.race = true
		case strings.Contains(l, "found unexpected goroutines:"), strings.HasPrefix(l, "[Goroutine "):
			s.dump = max(s.dump, evidence.Likely)
		case strings.HasPrefix(l, "panic: "), strings.HasPrefix(l, "fatal error: "):
			s.dump = max(s.dump, evidence.Maybe)
		case strings.HasPrefix(l, "Full thread dump "), strings.HasPrefix(l, "Traceback (most recent call last)"),
			strings.HasPrefix(l, "    at "):
			if s.dump < evidence.Certain && !s.race {
				s.notGo = true
				return s
			}
		}
	}
	return s
}

// jsonArray reports whether data, which starts with '[', is a JSON array
// rather than goleak's "[Goroutine".
func jsonArray(data []byte) bool {
	t := strings.TrimLeft(string(data[:min(len(data), 64)]), " \t\r\n\ufeff")
	t = strings.TrimLeft(t[1:], " \t\r\n")
	return t == "" || strings.ContainsRune("{[\"]-0123456789tfn", rune(t[0]))
}

var (
	_ evidence.Decoder = (*DumpDecoder)(nil)
	_ evidence.Decoder = (*RaceDecoder)(nil)
)

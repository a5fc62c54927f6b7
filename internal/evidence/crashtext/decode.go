// Package crashtext decodes a text file holding uncaught exceptions as a
// runtime printed them: Java's Throwable.printStackTrace ("Exception in
// thread", "Caused by:", "... N more", "Suppressed:"), Python tracebacks
// with their chains ("During handling of the above exception..." and
// "The above exception was the direct cause..."), and Node's report of an
// uncaught error (the throw site, "at async" frames, "[cause]:" blocks,
// the "Node.js v20" trailer). There is no specification; package
// stacktrace reads the text the way the runtimes print it, and
// testdata/gen.sh captures real runtimes' output.
//
// A file may hold several exceptions (a stderr excerpt, a log with two
// tracebacks). Each becomes its own event: a Python exception starts at a
// "Traceback" line no chain separator precedes, a Java or V8 one at the
// header above a run of "at" frames unless that header continues a chain
// ("Caused by:", "Suppressed:", "[cause]:"). Lines between exceptions
// (log lines, program output) go with the exception above them and are
// ignored by the parser. Text with no such start (a bare stack, a Go
// panic) is read as one exception. A single line of other text between
// two runs of frames is taken for a corrupted frame and reported as a
// positioned error; more than one, or a blank line, separates a second,
// headerless stack.
//
// Mapping to the EPG, through package exception: an event node (event.type
// exception, exception.type, exception.message, exception.lang, the
// exception's text as exception.stacktrace) with ID
// "event:<scope>:exception/<n>" (scope from evidence.Input.Scope), its
// frames innermost first, and a caused_by edge to each cause. Java's
// `Exception in thread "main"` gives thread.name and, like Node's
// trailer, exception.escaped (nothing caught it); Node's trailer also
// gives process.runtime.name and process.runtime.version. Java's
// suppressed exceptions stay in the exception.stacktrace text only:
// package exception maps causes, and no EPG edge kind says "suppressed".
// Printed
// exceptions carry no time, so events take in.Time (the file's
// modification time) when set.
//
// Go panics and goroutine dumps belong to the go-dump decoder: Sniff
// answers at most Maybe for them, though Decode reads a panic as one
// exception when asked to.
package crashtext

import (
	"bytes"
	"context"
	"strconv"
	"strings"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/exception"
	"github.com/tagdebug/tag/internal/evidence/stacktrace"
)

// Format is the decoder's format name.
const Format = "exception-text"

// Decoder decodes exception text. The zero value is ready to use.
type Decoder struct{}

// Format returns "exception-text".
func (*Decoder) Format() string { return Format }

// sniffHead bounds how much of an input Sniff reads.
const sniffHead = 64 << 10

// Sniff is Certain of text only an uncaught-exception printer writes (a
// Python traceback, Java's `Exception in thread`, Node's throw site or
// trailer), Likely of a Java or V8 header over "at" frames, Maybe of a
// stack package stacktrace reads otherwise and of Go panics (left to the
// go-dump decoder), and No of JSON and of JVM thread dumps.
func (*Decoder) Sniff(in *evidence.Input) evidence.Confidence {
	head := in.Data
	if len(head) > sniffHead {
		head = head[:sniffHead]
	}
	if t := bytes.TrimSpace(head); len(t) == 0 || t[0] == '{' || t[0] == '[' {
		return evidence.No
	}
	if bytes.Contains(head, []byte("Full thread dump ")) || bytes.Contains(head, []byte("java.lang.Thread.State: ")) {
		return evidence.No
	}
	text := string(head)
	if looksGo(text) {
		return evidence.Maybe
	}
	segs, _ := segments(splitLines(text))
	for _, s := range segs {
		if s.strong {
			return evidence.Certain
		}
	}
	if len(segs) > 0 {
		return evidence.Likely
	}
	if tr, err := stacktrace.Parse(text); err == nil && tr.Lang != stacktrace.LangGo {
		return evidence.Maybe
	}
	return evidence.No
}

// looksGo reports text that starts the way Go's runtime starts a panic
// or a goroutine dump.
func looksGo(text string) bool {
	for _, l := range strings.SplitN(strings.TrimLeft(text, " \t\r\n"), "\n", 2)[:1] {
		if strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: ") {
			return true
		}
		if n, ok := strings.CutPrefix(l, "goroutine "); ok {
			num, rest, _ := strings.Cut(n, " ")
			return isDigits(num) && strings.HasPrefix(rest, "[")
		}
	}
	return false
}

// Decode turns each exception in in into an event with its frames and
// causes.
func (*Decoder) Decode(ctx context.Context, in *evidence.Input) (*epg.Fragment, error) {
	text := string(in.Data)
	ls := splitLines(text)
	segs, junk := segments(ls)
	if junk != nil {
		l := ls[junk.line]
		return nil, evidence.Errorf(in, l.off, "expected a stack frame between two frames, found %q", clipShort(l.text))
	}
	if len(segs) == 0 {
		segs = []segment{{start: 0, end: len(ls)}}
	}
	scope := in.Scope()
	f := &epg.Fragment{Source: in.Name, Format: Format}
	for i, s := range segs {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if err := appendSegment(f, in, ls, text, s, "event:"+scope+":exception/"+strconv.Itoa(i)); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// appendSegment adds the exception in lines [s.start, s.end) as event id.
func appendSegment(f *epg.Fragment, in *evidence.Input, ls []line, text string, s segment, id string) error {
	if s.start >= len(ls) {
		return noFrames(in, ls, s)
	}
	end := int64(len(text))
	if s.end < len(ls) {
		end = ls[s.end].off
	}
	seg := text[ls[s.start].off:end]
	r := exception.Record{ID: id, Stacktrace: seg, Escaped: s.uncaught, Time: in.Time, Service: in.Service}
	if s.thread != "" {
		r.Attrs = r.Attrs.Set("thread.name", epg.String(evidence.Clip(s.thread)))
	}
	if s.runtime != "" {
		r.Attrs = r.Attrs.Set("process.runtime.name", epg.String("nodejs"))
		r.Attrs = r.Attrs.Set("process.runtime.version", epg.String(evidence.Clip(s.runtime)))
	}
	nodes, edges := len(f.Nodes), len(f.Edges)
	exception.Append(f, r)
	if !hasFrame(f.Nodes[nodes:]) {
		// No frame was read: roll the event back and say where frames
		// were expected.
		f.Nodes, f.Edges = f.Nodes[:nodes], f.Edges[:edges]
		return noFrames(in, ls, s)
	}
	clipStack(&f.Nodes[nodes])
	return nil
}

func hasFrame(ns []epg.Node) bool {
	for i := range ns {
		if ns[i].Kind == epg.KindFrame {
			return true
		}
	}
	return false
}

// clipStack bounds the exception.stacktrace attribute exception.Append
// stores whole, marking the original length the evidence way.
func clipStack(n *epg.Node) {
	st := n.Attrs.Str(epg.AttrExceptionStack)
	if c, cut := evidence.ClipString(st); cut {
		n.Attrs = n.Attrs.Set(epg.AttrExceptionStack, epg.String(c))
		n.Attrs = n.Attrs.Set(epg.AttrExceptionStack+evidence.TruncatedSuffix, epg.Int(int64(len(st))))
	}
}

// noFrames reports an exception without frames at the line below its
// header, where they should start; with no header, at the first line.
func noFrames(in *evidence.Input, ls []line, s segment) error {
	for i := s.start; i < s.end && i < len(ls); i++ {
		_, rest := indentOf(ls[i].text)
		if strings.HasPrefix(rest, "Traceback (") || strings.HasPrefix(rest, `Exception in thread "`) || isHeader(rest) ||
			strings.HasPrefix(rest, "panic: ") {
			off := int64(len(in.Data))
			if i+1 < len(ls) {
				off = ls[i+1].off
			}
			return evidence.Errorf(in, off, "expected stack frames below the exception header %q", clipShort(ls[i].text))
		}
	}
	return evidence.Errorf(in, 0, "no exception stack trace found")
}

// clipShort bounds text quoted in an error message.
func clipShort(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

var _ evidence.Decoder = (*Decoder)(nil)

package logs

import (
	"bytes"
	"context"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
)

// Format names.
const (
	FormatJSON   = "json-log"
	FormatLogfmt = "logfmt"
)

// MaxLine bounds one record. Real log lines, stacks included, are well
// under it; a longer one is a runaway or hostile writer, and bounding it
// keeps the per-line buffers small.
const MaxLine = 4 << 20

// JSONDecoder decodes JSON-lines logs. The zero value is ready to use.
type JSONDecoder struct{}

// LogfmtDecoder decodes logfmt logs. The zero value is ready to use.
type LogfmtDecoder struct{}

// Format returns "json-log".
func (*JSONDecoder) Format() string { return FormatJSON }

// Format returns "logfmt".
func (*LogfmtDecoder) Format() string { return FormatLogfmt }

// lineParser is what the two formats differ in: how one line becomes
// fields.
type lineParser interface {
	parse(line []byte) error
	result() []field
}

func (p *jsonParser) result() []field   { return p.fields }
func (p *logfmtParser) result() []field { return p.fields }

// Decode maps every record of in to an event node.
func (*JSONDecoder) Decode(ctx context.Context, in *evidence.Input) (*epg.Fragment, error) {
	p := &jsonParser{}
	return decode(ctx, in, FormatJSON, p, func(c *converter) { c.elems, c.mems = p.elems, p.mems })
}

// Decode maps every record of in to an event node.
func (*LogfmtDecoder) Decode(ctx context.Context, in *evidence.Input) (*epg.Fragment, error) {
	return decode(ctx, in, FormatLogfmt, &logfmtParser{}, nil)
}

// decode runs p over every non-blank line. The first bad line fails the
// whole artifact: ingest is all or nothing, and a file that is only
// partly a log is more likely the wrong format (or a panic written into
// the log stream) than a log worth half-reading.
func decode(ctx context.Context, in *evidence.Input, format string, p lineParser, arenas func(*converter)) (*epg.Fragment, error) {
	c := newConverter(in, format)
	var err error
	n := 0
	eachLine(in.Data, func(lineNo int, start int, line []byte) bool {
		if n++; n%1024 == 0 {
			if err = ctx.Err(); err != nil {
				return false
			}
		}
		if len(line) > MaxLine {
			err = &evidence.Error{File: in.Name, Offset: int64(start), Line: lineNo, Column: 1,
				Msg: "line longer than 4 MiB", Err: evidence.ErrBadInput}
			return false
		}
		if perr := p.parse(line); perr != nil {
			se := perr.(*syntaxError)
			err = &evidence.Error{File: in.Name, Offset: int64(start + se.off), Line: lineNo, Column: se.off + 1,
				Msg: se.msg, Err: evidence.ErrBadInput}
			return false
		}
		if arenas != nil {
			arenas(c)
		}
		c.add(p.result(), lineNo, line)
		return true
	})
	if err != nil {
		return nil, err
	}
	return c.f, nil
}

// eachLine calls fn for every line of data that is not blank, with its
// 1-based number, its offset, and its bytes without the line ending (and
// without a leading byte-order mark on the first line). It stops when fn
// returns false.
func eachLine(data []byte, fn func(lineNo, start int, line []byte) bool) {
	off := 0
	if bytes.HasPrefix(data, []byte("\ufeff")) {
		off = 3
	}
	for lineNo := 1; off < len(data); lineNo++ {
		end := bytes.IndexByte(data[off:], '\n')
		next := len(data)
		if end < 0 {
			end = len(data)
		} else {
			end += off
			next = end + 1
		}
		line := data[off:end]
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		if !blank(line) && !fn(lineNo, off, line) {
			return
		}
		off = next
	}
}

func blank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

// Sniffing reads at most sniffLines non-blank lines from the first
// sniffHead bytes (the first line is read whole, up to MaxLine).
const (
	sniffLines = 4
	sniffHead  = 64 << 10
)

// Sniff recognises JSON lines whose first records are objects with a
// message key and a level or time key. Whole-file JSON documents (OTLP,
// Jaeger, Zipkin exports) fail that test: their first line is not a
// complete object, or its keys are resourceSpans, data, traceId and the
// like rather than a message.
func (*JSONDecoder) Sniff(in *evidence.Input) evidence.Confidence {
	if evidence.FirstJSONByte(in.Data) != '{' {
		return evidence.No
	}
	return sniff(in.Data, &jsonParser{}, func(fields []field, c *converter) bool {
		return c.slot[rMsg] >= 0 && (c.slot[rLevel] >= 0 || c.slot[rTime] >= 0)
	})
}

// Sniff recognises logfmt lines with at least two key=value pairs, one
// of them a message or a level. Stack dumps, tracebacks and thread dumps
// fail it: they have no pairs, or quotes inside keys.
func (*LogfmtDecoder) Sniff(in *evidence.Input) evidence.Confidence {
	switch evidence.FirstJSONByte(in.Data) {
	case '{', '[', 0:
		return evidence.No
	}
	p := &logfmtParser{}
	return sniff(in.Data, p, func(fields []field, c *converter) bool {
		return p.pairs >= 2 && (c.slot[rMsg] >= 0 || c.slot[rLevel] >= 0)
	})
}

func sniff(data []byte, p lineParser, ok func([]field, *converter) bool) evidence.Confidence {
	c := &converter{}
	seen, good := 0, true
	eachLine(data, func(_, start int, line []byte) bool {
		if seen > 0 && start+len(line) > sniffHead {
			return false
		}
		seen++
		if len(line) > MaxLine || p.parse(line) != nil {
			good = false
			return false
		}
		c.classify(p.result())
		if !ok(p.result(), c) {
			good = false
			return false
		}
		return seen < sniffLines
	})
	switch {
	case !good || seen == 0:
		return evidence.No
	case seen == 1:
		return evidence.Likely
	}
	return evidence.Certain
}

// Interface guards.
var (
	_ evidence.Decoder = (*JSONDecoder)(nil)
	_ evidence.Decoder = (*LogfmtDecoder)(nil)
)

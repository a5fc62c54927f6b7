package logs

import (
	"hash/crc64"
	"strconv"
	"unicode/utf8"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/exception"
)

// Limits that keep one hostile record cheap to store and analyse.
const (
	// MaxAttrs is the most attributes kept per record; the number of
	// dropped ones is recorded under AttrDropped.
	MaxAttrs = 512
	// maxNameLen bounds a node name taken from a message, as the otlp
	// package does.
	maxNameLen = 200
	// maxValueDepth bounds arrays and maps nested inside a value.
	maxValueDepth = 32
)

// AttrDropped records how many attributes of a record were dropped at
// MaxAttrs (OpenTelemetry's dropped_attributes_count).
const AttrDropped = "log.dropped_attributes_count"

var crcTable = crc64.MakeTable(crc64.ECMA)

// converter turns parsed records into nodes of one fragment.
type converter struct {
	in      *evidence.Input
	f       *epg.Fragment
	nameCRC uint64
	slot    [nRoles]int32
	rank    [nRoles]uint8
	used    []bool
	// Arenas of the JSON parser for the current line (nil for logfmt).
	elems []val
	mems  []member
}

func newConverter(in *evidence.Input, format string) *converter {
	return &converter{in: in, f: &epg.Fragment{Source: in.Name, Format: format},
		nameCRC: crc64.Checksum([]byte(in.Name), crcTable)}
}

// classify finds, for each role, the best-ranked field that has it.
func (c *converter) classify(fields []field) {
	for i := range c.slot {
		c.slot[i] = -1
	}
	if cap(c.used) < len(fields) {
		c.used = make([]bool, len(fields))
	}
	c.used = c.used[:len(fields)]
	clear(c.used)
	for i := range fields {
		kr, ok := keyRoles[fields[i].key]
		if !ok {
			continue
		}
		if s := c.slot[kr.role]; s < 0 || kr.rank < c.rank[kr.role] {
			c.slot[kr.role], c.rank[kr.role] = int32(i), kr.rank
		}
	}
}

// get returns the field of role r, if any.
func (c *converter) get(fields []field, r role) (*field, int) {
	if i := c.slot[r]; i >= 0 {
		return &fields[i], int(i)
	}
	return nil, -1
}

// hasKey reports whether role r was found under key.
func (c *converter) hasKey(fields []field, r role, key string) bool {
	f, _ := c.get(fields, r)
	return f != nil && f.key == key
}

// record is what add learns from a line before emitting nodes.
type record struct {
	id       string
	time     int64
	msg      string
	hasMsg   bool
	sevText  string
	sevNum   int
	service  string
	trace    epg.TraceRef
	loc      *epg.Location
	stack    string
	errType  string
	errMsg   string
	numLevel bool
}

// add converts the fields of line number lineNo (raw bytes line) into a
// log event, or an exception event when it carries a stack at warn or
// above.
func (c *converter) add(fields []field, lineNo int, line []byte) {
	c.classify(fields)
	r := record{id: c.nodeID(lineNo, line), time: c.in.Time}
	c.level(fields, &r)
	c.timestamp(fields, &r)
	if f, i := c.get(fields, rMsg); f != nil {
		if s, ok := scalarText(f.v); ok {
			r.msg, r.hasMsg = s, true
			c.used[i] = true
		}
	}
	c.service(fields, &r)
	c.traceRef(fields, &r)
	c.location(fields, &r)
	if c.exceptional(fields, &r) {
		c.emitException(fields, &r)
		return
	}
	attrs := c.attrs(fields, &r)
	attrs = append(attrs, epg.Attr{Key: epg.AttrEventType, Value: epg.String(epg.EventLog)})
	c.f.Nodes = append(c.f.Nodes, epg.Node{ID: r.id, Kind: epg.KindEvent, Name: nodeName(r.msg),
		Attrs: epg.SortAttrs(attrs), Start: r.time, End: r.time, Loc: r.loc, Trace: r.trace, Service: r.service})
}

// nodeID is stable for the same evidence and unique within it: the
// artifact's name and the line's bytes hashed, then the line number.
// Two files that share a name (app.log of two pods) do not collide
// unless their lines are identical too, and then they are one record.
func (c *converter) nodeID(lineNo int, line []byte) string {
	h := crc64.Update(c.nameCRC, crcTable, line)
	var b [48]byte
	out := append(b[:0], "log:"...)
	for shift := 60; shift >= 0; shift -= 4 {
		out = append(out, "0123456789abcdef"[h>>uint(shift)&0xf])
	}
	out = append(out, ':')
	out = strconv.AppendInt(out, int64(lineNo), 10)
	return string(out)
}

func (c *converter) level(fields []field, r *record) {
	f, i := c.get(fields, rLevel)
	if f == nil {
		return
	}
	r.sevText, r.sevNum = severity(f.v, c.isZap(fields))
	if r.sevText != "" {
		c.used[i] = true
		r.numLevel = f.v.kind == kNum || f.v.kind == kBare && r.sevNum != 0 && allDigits(f.v.s)
	}
}

// isZap tells zap's records from logrus's, which spell panic and fatal
// alike: zap's production encoder writes "ts" and "caller".
func (c *converter) isZap(fields []field) bool {
	if f, _ := c.get(fields, rTime); f != nil && f.key == "ts" {
		return true
	}
	f, _ := c.get(fields, rCaller)
	return f != nil && f.key == "caller"
}

func (c *converter) timestamp(fields []field, r *record) {
	if f, i := c.get(fields, rTime); f != nil {
		if t, ok := parseTime(f.v); ok {
			r.time = t
			c.used[i] = true
		}
	}
}

// service picks the record's service: an explicit service field, else
// what the user said at ingest, else a logger or application name
// (bunyan's and pino's "name" only, since elsewhere "name" is as likely a
// user's name).
func (c *converter) service(fields []field, r *record) {
	if f, i := c.get(fields, rService); f != nil {
		if s, ok := scalarText(f.v); ok && s != "" {
			r.service, c.used[i] = s, true
			return
		}
	}
	if c.in.Service != "" {
		r.service = c.in.Service
		return
	}
	f, i := c.get(fields, rLogger)
	if f == nil || (f.key == "name" && !r.numLevel && !c.hasKey(fields, rLevel, "levelname")) {
		return
	}
	if s, ok := scalarText(f.v); ok && s != "" {
		r.service, c.used[i] = s, true
	}
}

func (c *converter) traceRef(fields []field, r *record) {
	// A hex ID outranks Datadog's: it is the full W3C ID.
	var tid string
	if f, i := c.get(fields, rTrace); f != nil {
		if id, ok := hexID(f.v, evidence.TraceIDHex); ok {
			tid, c.used[i] = id, true
		}
	}
	if f, i := c.get(fields, rDDTrace); f != nil {
		if id, ok := ddID(f.v, evidence.TraceIDHex); ok {
			c.used[i] = true
			if tid == "" {
				tid = id
			}
		}
	}
	var sid string
	if f, i := c.get(fields, rSpan); f != nil {
		if id, ok := hexID(f.v, evidence.SpanIDHex); ok {
			sid, c.used[i] = id, true
		}
	}
	if f, i := c.get(fields, rDDSpan); f != nil {
		if id, ok := ddID(f.v, evidence.SpanIDHex); ok {
			c.used[i] = true
			if sid == "" {
				sid = id
			}
		}
	}
	if tid == "" {
		// A span ID means nothing without its trace (as in OTLP).
		return
	}
	r.trace = epg.TraceRef{TraceID: tid, SpanID: sid}
}

// location reads the logging call's place from whichever caller fields
// the logger wrote.
func (c *converter) location(fields []field, r *record) {
	var file, fn string
	var line int
	used := make([]int, 0, 3)
	if f, i := c.get(fields, rCaller); f != nil {
		if s, ok := scalarText(f.v); ok {
			if fl, n := splitFileLine(s); n > 0 {
				file, line = fl, n
				used = append(used, i)
			}
		}
	}
	if f, i := c.get(fields, rFile); f != nil && file == "" {
		if s, ok := scalarText(f.v); ok && s != "" {
			fl, n := splitFileLine(s)
			j := -1
			if lf, k := c.get(fields, rLine); n == 0 && lf != nil {
				if v, ok := scalarText(lf.v); ok {
					if m, err := strconv.Atoi(v); err == nil && m > 0 {
						n, j = m, k
					}
				}
			}
			// "file" alone is a common field name for other things (an
			// upload); take it as code only with a line or a source suffix.
			if n > 0 || langOf(fl) != "" {
				file, line = fl, n
				used = append(used, i)
				if j >= 0 {
					used = append(used, j)
				}
			}
		}
	}
	if f, i := c.get(fields, rFunc); f != nil && (f.v.kind == kStr || f.v.kind == kBare) && f.v.s != "" {
		fn = f.v.s
		used = append(used, i)
	}
	if file == "" && fn == "" {
		return
	}
	for _, i := range used {
		c.used[i] = true
	}
	r.loc = callerLoc(file, line, fn)
}

// exceptional reports whether the record is an exception: it carries a
// stack and its level is warn or above (or not stated). The error fields
// are taken only then; a debug record's stack stays an attribute.
func (c *converter) exceptional(fields []field, r *record) bool {
	f, i := c.get(fields, rStack)
	if f == nil || f.v.kind != kStr || f.v.s == "" || (r.sevNum != 0 && r.sevNum < sevWarn) {
		return false
	}
	r.stack = f.v.s
	c.used[i] = true
	if f, i := c.get(fields, rErrType); f != nil && f.v.kind == kStr {
		r.errType, c.used[i] = f.v.s, true
	}
	if f, i := c.get(fields, rErrMsg); f != nil && f.v.kind == kStr {
		r.errMsg, c.used[i] = f.v.s, true
	}
	return true
}

// emitException records the line through package exception, as the otlp
// package does for log records with exception.* attributes: the event
// keeps the log's attributes and gains frames and causes.
func (c *converter) emitException(fields []field, r *record) {
	msg := r.errMsg
	if msg == "" {
		msg = r.msg
	}
	msg, _ = evidence.ClipString(msg)
	stack, _ := evidence.ClipString(r.stack)
	at := len(c.f.Nodes)
	exception.Append(c.f, exception.Record{ID: r.id, Type: r.errType, Message: msg, Stacktrace: stack,
		Time: r.time, Service: r.service, Trace: r.trace, Attrs: epg.SortAttrs(c.attrs(fields, r))})
	if n := &c.f.Nodes[at]; n.Loc == nil {
		// No frame could be read from the stack: the log call is the best
		// place known.
		n.Loc = r.loc
	}
}

// attrs builds the record's attributes: the severity and body as the
// otlp package writes them, then the fields no role consumed. The
// record's own keys come first so that a field spelled like one of them
// ("log.severity" in the payload) cannot override it.
func (c *converter) attrs(fields []field, r *record) []epg.Attr {
	n := 4
	for _, u := range c.used {
		if !u {
			n++
		}
	}
	attrs := make([]epg.Attr, 0, min(n, MaxAttrs+6))
	if r.sevText != "" {
		attrs = append(attrs, epg.Attr{Key: epg.AttrSeverity, Value: epg.String(r.sevText)})
	}
	if r.sevNum != 0 {
		attrs = append(attrs, epg.Attr{Key: epg.AttrSeverityNumber, Value: epg.Int(int64(r.sevNum))})
	}
	if r.hasMsg {
		attrs = evidence.AppendClipped(attrs, "log.body", r.msg)
	}
	kept, dropped := 0, 0
	for i := range fields {
		if c.used[i] || fields[i].key == "" {
			continue
		}
		if kept >= MaxAttrs {
			dropped++
			continue
		}
		kept++
		attrs = c.appendField(attrs, &fields[i], r)
	}
	if dropped > 0 {
		attrs = append(attrs, epg.Attr{Key: AttrDropped, Value: epg.Int(int64(dropped))})
	}
	return attrs
}

func (c *converter) appendField(attrs []epg.Attr, f *field, r *record) []epg.Attr {
	switch f.v.kind {
	case kStr:
		return evidence.AppendClipped(attrs, f.key, f.v.s)
	}
	if f.key == "v" && r.numLevel {
		// bunyan's log format version.
		return attrs
	}
	return append(attrs, epg.Attr{Key: f.key, Value: c.value(f.v, 0)})
}

// value converts a non-top-level or non-string value.
func (c *converter) value(v val, depth int) epg.Value {
	switch v.kind {
	case kStr:
		s, cut := evidence.ClipString(v.s)
		if cut {
			s += "…[clipped]"
		}
		return epg.String(s)
	case kBool:
		return epg.Bool(v.b)
	case kNum:
		return number(v.s)
	case kBare:
		return bareValue(v.s)
	case kArr, kObj:
		if depth >= maxValueDepth {
			return epg.String("<nested too deep>")
		}
		if v.kind == kArr {
			vs := make([]epg.Value, 0, v.hi-v.lo)
			for _, e := range c.elems[v.lo:v.hi] {
				vs = append(vs, c.value(e, depth+1))
			}
			return epg.Array(vs...)
		}
		as := make([]epg.Attr, 0, v.hi-v.lo)
		for _, m := range c.mems[v.lo:v.hi] {
			as = append(as, epg.Attr{Key: m.key, Value: c.value(m.v, depth+1)})
		}
		return epg.Map(as...)
	}
	return epg.Value{}
}

// number types a JSON number: an int when it is one, a float otherwise;
// an integer too big for int64 stays text so no digit is lost.
func number(s string) epg.Value {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return epg.Int(n)
	}
	if allDigits(s) || (len(s) > 1 && s[0] == '-' && allDigits(s[1:])) {
		return epg.String(s)
	}
	f, _ := strconv.ParseFloat(s, 64)
	return epg.Float(f)
}

// bareValue types an unquoted logfmt value by its look, but only when the
// text is the canonical form of the typed value, so "007" or "1.50"
// stay text and nothing is lost.
func bareValue(s string) epg.Value {
	switch s {
	case "true":
		return epg.Bool(true)
	case "false":
		return epg.Bool(false)
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && strconv.FormatInt(n, 10) == s {
		return epg.Int(n)
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && looksDecimal(s) && strconv.FormatFloat(f, 'f', -1, 64) == s {
		return epg.Float(f)
	}
	v, _ := evidence.ClipString(s)
	return epg.String(v)
}

func looksDecimal(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

// nodeName clips a message to a node name on a rune boundary.
func nodeName(msg string) string {
	if len(msg) <= maxNameLen {
		return msg
	}
	cut := maxNameLen
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut]
}

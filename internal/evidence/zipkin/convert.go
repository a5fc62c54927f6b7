package zipkin

import (
	"math"
	"strings"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
)

// ServerHalfID is the node ID of the server half of a span whose ID the
// client and server of one RPC share.
func ServerHalfID(traceID, spanID string) string { return epg.SpanNodeID(traceID, spanID) + "/server" }

// rec is one validated span.
type rec struct {
	s        *span
	pos      evidence.ObjPos
	traceID  string
	id       string
	parentID string // "" for a root
	node     string
	server   bool   // the server half of a shared span ID
	kind     string // lower-case span kind, "" when unset
	service  string
	domain   string // the clock the span was timed by: its service, else its IP
	start    int64  // ns; 0 when unknown
	dur      int64  // ns; -1 when unknown
	parent   int    // index of the parent rec, -1 when none in the file
	offset   int64  // clock correction, ns
}

// converter carries the state of one Decode call.
type converter struct {
	in     *evidence.Input
	f      *epg.Fragment
	pos    []evidence.ObjPos
	recs   []rec
	byNode map[string]int
	skews  map[string]epg.Skew
}

func newConverter(in *evidence.Input, n int) *converter {
	c := &converter{in: in, f: &epg.Fragment{Source: in.Name, Format: Format}, recs: make([]rec, 0, n),
		byNode: make(map[string]int, n), skews: map[string]epg.Skew{}}
	pos := evidence.ObjectsAt(in.Data, func(st []evidence.Level) bool {
		for _, l := range st {
			if l.Obj {
				return false
			}
		}
		return len(st) > 0
	})
	// Keys matched case-insensitively or duplicated by hostile input can
	// desynchronise the scan from encoding/json; positions are then
	// approximated by searching for the offending text.
	if len(pos) == n {
		c.pos = pos
	}
	return c
}

func quoted(s string) []byte { return []byte(`"` + s + `"`) }

// micros converts microseconds to nanoseconds.
func micros(us int64) (int64, bool) {
	if us < 0 || us > math.MaxInt64/1000 {
		return 0, false
	}
	return us * 1000, true
}

// add validates span i and records it.
func (c *converter) add(s *span, i int) error {
	r := rec{s: s, pos: evidence.ObjPos{Start: -1}, parent: -1, dur: -1, kind: strings.ToLower(s.Kind), service: s.LocalEndpoint.service()}
	if c.pos != nil {
		r.pos = c.pos[i]
	}
	p := &r.pos
	var zero, ok bool
	if r.traceID, zero, ok = evidence.NormHex(s.TraceID, evidence.TraceIDHex); !ok || zero {
		return evidence.Errorf(c.in, p.Offset(c.in, "traceId", quoted(s.TraceID)), "span %d: invalid traceId %q (want 16 or 32 hex digits, not all zero)", i, s.TraceID)
	}
	if r.id, zero, ok = evidence.NormHex(s.ID, evidence.SpanIDHex); !ok || zero {
		return evidence.Errorf(c.in, p.Offset(c.in, "id", quoted(s.ID)), "span %d: invalid id %q (want 16 hex digits, not all zero)", i, s.ID)
	}
	if s.ParentID != "" {
		pid, zero, ok := evidence.NormHex(s.ParentID, evidence.SpanIDHex)
		if !ok {
			return evidence.Errorf(c.in, p.Offset(c.in, "parentId", quoted(s.ParentID)), "span %s: invalid parentId %q", s.ID, s.ParentID)
		}
		if !zero { // some tracers write zeros for "no parent"
			r.parentID = pid
		}
	}
	if s.Timestamp != nil && *s.Timestamp != 0 {
		if r.start, ok = micros(*s.Timestamp); !ok {
			return evidence.Errorf(c.in, p.Offset(c.in, "timestamp", nil), "span %s: timestamp %d out of range", s.ID, *s.Timestamp)
		}
	}
	if s.Duration != nil {
		if r.dur, ok = micros(*s.Duration); !ok {
			return evidence.Errorf(c.in, p.Offset(c.in, "duration", nil), "span %s: invalid duration %d", s.ID, *s.Duration)
		}
	}
	r.domain = r.service
	if r.domain == "" {
		r.domain = s.LocalEndpoint.ip()
	}
	c.recs = append(c.recs, r)
	return nil
}

type idKey struct{ trace, id string }

// link assigns node IDs, finds each span's parent in the file and rejects
// parent cycles.
func (c *converter) link() error {
	clients := map[idKey]bool{}
	for i := range c.recs {
		if r := &c.recs[i]; !r.s.Shared && r.kind != "server" {
			clients[idKey{r.traceID, r.id}] = true
		}
	}
	for i := range c.recs {
		r := &c.recs[i]
		r.server = r.s.Shared || (r.kind == "server" && clients[idKey{r.traceID, r.id}])
		r.node = epg.SpanNodeID(r.traceID, r.id)
		if r.server {
			r.node = ServerHalfID(r.traceID, r.id)
		}
		if _, dup := c.byNode[r.node]; !dup {
			c.byNode[r.node] = i
		}
	}
	for i := range c.recs {
		r := &c.recs[i]
		if r.server {
			if ci, ok := c.byNode[epg.SpanNodeID(r.traceID, r.id)]; ok {
				r.parent = ci
				continue
			}
		}
		if r.parentID != "" {
			r.parent = c.resolve(r.traceID, r.parentID, r.service)
		}
	}
	return c.checkCycles()
}

// resolve finds the rec a child of service names as parent: when both
// halves of a shared ID are present, the one running in the child's own
// service, else the server half (the callee does the nested work).
func (c *converter) resolve(traceID, parentID, service string) int {
	ci, hasC := c.byNode[epg.SpanNodeID(traceID, parentID)]
	si, hasS := c.byNode[ServerHalfID(traceID, parentID)]
	switch {
	case hasC && hasS:
		if service != "" && service == c.recs[ci].service && service != c.recs[si].service {
			return ci
		}
		return si
	case hasS:
		return si
	case hasC:
		return ci
	}
	return -1
}

func (c *converter) checkCycles() error {
	const (
		unseen = iota
		onPath
		done
	)
	state := make([]uint8, len(c.recs))
	var path []int
	for i := range c.recs {
		path = path[:0]
		for j := i; j >= 0 && state[j] != done; j = c.recs[j].parent {
			if state[j] == onPath {
				r := &c.recs[j]
				return evidence.Errorf(c.in, r.pos.Offset(c.in, "id", quoted(r.s.ID)), "span %s: its parentId chain forms a cycle", r.s.ID)
			}
			state[j] = onPath
			path = append(path, j)
		}
		for _, j := range path {
			state[j] = done
		}
	}
	return nil
}

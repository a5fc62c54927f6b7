package pprof

import (
	"context"
	"strconv"
	"strings"

	"github.com/google/pprof/profile"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
)

// mapper turns one parsed profile into a fragment.
type mapper struct {
	in         *evidence.Input
	p          *profile.Profile
	kind       string
	topN       int
	id         string // "pprof-<digest>", the artifact part of node IDs
	start, end int64
	typeNames  []string // attribute-safe sample type names
	// flatKeys and cumKeys are "profile.<type>.flat" and ".cum", built
	// once rather than per node.
	flatKeys, cumKeys []string
	ft                *frameTable
	f                 *epg.Fragment
	event             epg.Attrs // the profile event's attributes, added to as we go
}

func newMapper(in *evidence.Input, p *profile.Profile, topN int) *mapper {
	m := &mapper{in: in, p: p, kind: profileKind(p), topN: topN, id: "pprof-" + digest(in.Data),
		ft: newFrameTable(p), f: &epg.Fragment{Source: in.Name, Format: Format}}
	m.start = p.TimeNanos
	if m.start == 0 {
		m.start = in.Time
	}
	m.end = m.start
	if m.start != 0 && p.DurationNanos > 0 {
		m.end = m.start + p.DurationNanos
	}
	for i, st := range p.SampleType[:min(len(p.SampleType), MaxSampleTypes)] {
		name := attrName(st.Type, i)
		m.typeNames = append(m.typeNames, name)
		m.flatKeys = append(m.flatKeys, "profile."+name+".flat")
		m.cumKeys = append(m.cumKeys, "profile."+name+".cum")
	}
	return m
}

// attrName makes a sample type name usable inside an attribute key.
func attrName(s string, i int) string {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '.' || r == '/' {
			return '_'
		}
		return r
	}, s)
	if s == "" {
		return "value" + strconv.Itoa(i)
	}
	return s
}

func (m *mapper) run(ctx context.Context) error {
	m.profileAttrs()
	var err error
	switch m.kind {
	case KindGoroutine, KindGoroutineLeak:
		err = m.goroutines(ctx)
	default:
		err = m.sampled(ctx)
	}
	if err != nil {
		return err
	}
	m.appendEvent()
	return nil
}

// profileAttrs describes the profile as a whole.
func (m *mapper) profileAttrs() {
	p := m.p
	a := epg.Attrs{
		{Key: "profile.kind", Value: epg.String(m.kind)},
		{Key: "profile.samples", Value: epg.Int(int64(len(p.Sample)))},
		{Key: "profile.period", Value: epg.Int(p.Period)},
	}
	var types []epg.Value
	for _, st := range p.SampleType[:len(m.typeNames)] {
		types = append(types, epg.String(evidence.Clip(st.Type+"/"+st.Unit)))
	}
	a = append(a, epg.Attr{Key: "profile.sample_types", Value: epg.Array(types...)})
	if n := len(p.SampleType) - len(m.typeNames); n > 0 {
		a = append(a, epg.Attr{Key: "profile.sample_types_dropped", Value: epg.Int(int64(n))})
	}
	if pt := p.PeriodType; pt != nil && (pt.Type != "" || pt.Unit != "") {
		a = append(a, epg.Attr{Key: "profile.period_type", Value: epg.String(pt.Type + "/" + pt.Unit)})
	}
	if p.DurationNanos > 0 {
		a = append(a, epg.Attr{Key: "profile.duration_ns", Value: epg.Int(p.DurationNanos)})
	}
	if p.DefaultSampleType != "" {
		a = evidence.AppendClipped(a, "profile.default_sample_type", p.DefaultSampleType)
	}
	if p.DropFrames != "" {
		a = evidence.AppendClipped(a, "profile.drop_frames", p.DropFrames)
	}
	if p.KeepFrames != "" {
		a = evidence.AppendClipped(a, "profile.keep_frames", p.KeepFrames)
	}
	if len(p.Comments) > 0 {
		a = evidence.AppendClipped(a, "profile.comments", strings.Join(p.Comments, "\n"))
	}
	m.event = epg.Attrs(epg.SortAttrs(a))
}

// appendEvent adds the profile event last, once the mapping has added its
// counts to it.
func (m *mapper) appendEvent() {
	m.f.Nodes = append(m.f.Nodes, epg.Node{ID: "event:" + m.id, Kind: epg.KindEvent,
		Name: "pprof " + m.kind + " profile", Attrs: m.event.Set(epg.AttrEventType, epg.String("profile")),
		Start: m.start, End: m.end, Service: m.in.Service})
}

// node fills the fields every node of the profile shares.
func (m *mapper) node(n epg.Node) epg.Node {
	n.Start, n.End, n.Service = m.start, m.end, m.in.Service
	return n
}

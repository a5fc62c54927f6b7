// Package capsule decodes replay capsules recorded by TAG's capture SDK
// (sdk/go/capsule) into EPG fragments: an input node for the recorded
// request (route, method, status, digests, build and the redacted capsule
// itself, which `tag repro` turns back into a replay), tied to the
// request's span; the panic as an exception with its frames when no
// traced span carries it; and the attachments decoded by their own
// decoders — a goroutine dump into threads and locks, a heap profile, a
// flight-recorder execution trace. A slow-request snapshot's note belongs
// to the request: it is emitted by the input node and carries its trace.
package capsule

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/exception"
	"github.com/tagdebug/tag/internal/evidence/godump"
	"github.com/tagdebug/tag/internal/evidence/gotrace"
	"github.com/tagdebug/tag/internal/evidence/pprof"
	sdkcapsule "github.com/tagdebug/tag/sdk/go/capsule"
)

// Format is the decoder's name.
const Format = "tag-capsule"

// Attribute keys of capsule input nodes.
const (
	AttrID       = "capsule.id"
	AttrPromoted = "capsule.promoted"
	// AttrCapsule holds the capsule (without attachments and peers) as a
	// structured value; FromNode reads it back.
	AttrCapsule  = "capsule"
	AttrFactory  = "capsule.factory"
	AttrOutbound = "capsule.outbound_calls"
	AttrBuildSHA = "build.sha"
	AttrGo       = "process.runtime.version"
)

// InputNodeID is the ID of a capsule's input node.
func InputNodeID(id string) string { return "input:capsule:" + id }

// Decoder decodes capsule documents.
type Decoder struct{}

// Format returns "tag-capsule".
func (Decoder) Format() string { return Format }

// Sniff recognises a capsule by its leading "tag_capsule" member.
func (Decoder) Sniff(in *evidence.Input) evidence.Confidence {
	if sdkcapsule.Sniff(in.Data) {
		return evidence.Certain
	}
	return evidence.No
}

// Decode turns one capsule into a fragment.
func (Decoder) Decode(ctx context.Context, in *evidence.Input) (*epg.Fragment, error) {
	c, err := sdkcapsule.Decode(in.Data)
	if err != nil {
		var se *sdkcapsule.SyntaxError
		if errors.As(err, &se) {
			return nil, &evidence.Error{File: in.Name, Offset: se.Offset, Msg: se.Msg, Err: evidence.ErrBadInput}
		}
		return nil, &evidence.Error{File: in.Name, Msg: err.Error(), Err: evidence.ErrBadInput}
	}
	return fragment(ctx, in, c)
}

func fragment(ctx context.Context, in *evidence.Input, c *sdkcapsule.Capsule) (*epg.Fragment, error) {
	f := &epg.Fragment{Source: in.Name, Format: Format}
	id, err := inputNode(f, c, "")
	if err != nil {
		return nil, err
	}
	for _, p := range c.Peers {
		if p == nil || p.ID == "" {
			continue
		}
		pid, err := inputNode(f, p, c.Service)
		if err != nil {
			return nil, err
		}
		f.Edges = append(f.Edges, epg.Edge{From: id, To: pid, Kind: epg.EdgeFollowsFrom,
			Attrs: epg.Attrs{{Key: "capsule.relation", Value: epg.String("peer")}}})
	}
	ref := epg.TraceRef{TraceID: c.TraceID, SpanID: c.SpanID}
	traced := c.TraceID != "" && c.SpanID != ""
	if c.Promoted == sdkcapsule.PromotedHang {
		hid := id + "/hang"
		f.Nodes = append(f.Nodes, epg.Node{ID: hid, Kind: epg.KindEvent, Name: "hang",
			Attrs: epg.Attrs{{Key: epg.AttrEventType, Value: epg.String(epg.EventTimeout)},
				{Key: "timeout.ns", Value: epg.Int(c.Duration)}},
			Start: c.Start + c.Duration, End: c.Start + c.Duration, Trace: ref, Service: c.Service})
		f.Edges = append(f.Edges, epg.Edge{From: id, To: hid, Kind: epg.EdgeEmits})
	}
	if c.Panic != nil && !traced {
		// A traced request's span carries the exception event (the SDK
		// adds it); adding it again would count the failure twice.
		eid := exception.Append(f, exception.Record{ID: id + "/panic", Type: c.Panic.Type, Message: c.Panic.Value,
			Stacktrace: "panic: " + c.Panic.Value + "\n\n" + c.Panic.Stack, Escaped: true,
			Time: c.Start + c.Duration, Service: c.Service, Trace: ref})
		f.Edges = append(f.Edges, epg.Edge{From: id, To: eid, Kind: epg.EdgeEmits})
	}
	for i, a := range c.Attachments {
		if err := attach(ctx, f, in, c, i, a); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// inputNode adds the input node of one capsule (or peer) and, when it
// is traced, the io edge from its span; it returns the node's ID.
func inputNode(f *epg.Fragment, c *sdkcapsule.Capsule, service string) (string, error) {
	// The capsule as replay needs it: everything but the attachments,
	// which become graph nodes of their own, and the peers, which get
	// nodes of their own.
	bare := *c
	bare.Attachments, bare.Peers = nil, nil
	if bare.Service == "" {
		bare.Service = service
	}
	cv, err := toValue(&bare)
	if err != nil {
		return "", err
	}
	id := InputNodeID(c.ID)
	ref := epg.TraceRef{TraceID: c.TraceID, SpanID: c.SpanID}
	var attrs epg.Attrs
	attrs = append(attrs,
		epg.Attr{Key: AttrID, Value: epg.String(c.ID)},
		epg.Attr{Key: AttrPromoted, Value: epg.String(c.Promoted)},
		epg.Attr{Key: epg.AttrHTTPRoute, Value: epg.String(c.Route)},
		epg.Attr{Key: "http.request.method", Value: epg.String(c.Request.Method)},
		epg.Attr{Key: "url.path", Value: epg.String(c.Request.Path)},
		epg.Attr{Key: epg.AttrHTTPStatus, Value: epg.Int(int64(c.Response.Status))},
		epg.Attr{Key: AttrOutbound, Value: epg.Int(int64(len(c.Outbound)))},
		epg.Attr{Key: AttrCapsule, Value: cv},
	)
	if c.Env.GoVersion != "" {
		attrs = append(attrs, epg.Attr{Key: AttrGo, Value: epg.String(c.Env.GoVersion)})
	}
	if c.Factory != "" {
		attrs = append(attrs, epg.Attr{Key: AttrFactory, Value: epg.String(c.Factory)})
	}
	if c.Handler != "" {
		// OpenTelemetry's name for the function that served the request.
		attrs = append(attrs, epg.Attr{Key: "code.function.name", Value: epg.String(c.Handler)})
	}
	if c.Env.BuildSHA != "" {
		attrs = append(attrs, epg.Attr{Key: AttrBuildSHA, Value: epg.String(c.Env.BuildSHA)})
	}
	if c.Request.BodyDigest != "" {
		attrs = append(attrs, epg.Attr{Key: "http.request.body.sha256", Value: epg.String(c.Request.BodyDigest)})
	}
	for _, k := range slices.Sorted(maps.Keys(c.Flags)) {
		attrs = append(attrs, epg.Attr{Key: "feature_flag." + k, Value: epg.String(c.Flags[k])})
	}
	attrs = epg.SortAttrs(attrs)
	f.Nodes = append(f.Nodes, epg.Node{ID: id, Kind: epg.KindInput, Name: c.Route, Attrs: attrs,
		Start: c.Start, End: c.Start + c.Duration, Trace: ref, Service: bare.Service})
	if c.TraceID != "" && c.SpanID != "" {
		f.Edges = append(f.Edges, epg.Edge{From: epg.SpanNodeID(c.TraceID, c.SpanID), To: id, Kind: epg.EdgeIO,
			Attrs: epg.Attrs{{Key: "request.sha256", Value: epg.String(c.Request.BodyDigest)}}})
	}
	return id, nil
}

// attachmentDecoders are the decoders an attachment may need.
func attachmentDecoders() []evidence.Decoder {
	ds := append([]evidence.Decoder{}, godump.Decoders()...)
	return append(ds, &pprof.Decoder{}, &gotrace.Decoder{})
}

// attach decodes one attachment with its own decoder and adds its nodes,
// tied to the capsule's input node.
func attach(ctx context.Context, f *epg.Fragment, in *evidence.Input, c *sdkcapsule.Capsule, i int, a sdkcapsule.Attachment) error {
	sub := &evidence.Input{Name: in.Name + " attachment " + strconv.Itoa(i) + " (" + a.Kind + ")", Data: a.Data,
		Service: c.Service, Process: "capsule-" + c.ID, SourceRoots: in.SourceRoots, Time: a.Taken}
	if in.Service != "" {
		sub.Service = in.Service
	}
	d, err := evidence.Detect(sub, attachmentDecoders())
	if err != nil {
		return fmt.Errorf("capsule %s: attachment %d (%s): %w", c.ID, i, a.Kind, err)
	}
	af, err := d.Decode(ctx, sub)
	if err != nil {
		return err
	}
	for j := range af.Nodes {
		n := &af.Nodes[j]
		if n.Service == "" {
			n.Service = c.Service
		}
		if n.Kind == epg.KindEvent && n.EventType() == epg.EventSlow {
			// The snapshot was taken while this request ran late: it
			// belongs to the request (and its trace), so an analysis of
			// the request's failure finds the threads behind it, rather
			// than to whichever span was open when it was taken.
			n.Trace = epg.TraceRef{TraceID: c.TraceID, SpanID: c.SpanID}
			f.Edges = append(f.Edges, epg.Edge{From: InputNodeID(c.ID), To: n.ID, Kind: epg.EdgeEmits})
		}
	}
	f.Nodes = append(f.Nodes, af.Nodes...)
	f.Edges = append(f.Edges, af.Edges...)
	f.Skews = append(f.Skews, af.Skews...)
	return nil
}

// Package zipkin decodes traces in the Zipkin v2 JSON model: an array of
// spans (one trace, as POSTed to /api/v2/spans or returned by
// /api/v2/trace/{id}) or an array of such arrays (the /api/v2/traces
// response). The model is specified by zipkin2-api.yaml in
// https://github.com/openzipkin/zipkin-api.
//
// Mapping to the EPG:
//   - each span becomes a span node with ID epg.SpanNodeID(traceId, id);
//     trace IDs are normalised to 32 lower-case hex digits (left-padded, so
//     64-bit IDs join with OTLP's), span IDs to 16;
//   - Zipkin lets the client and server halves of one RPC share a span ID
//     (the server half is marked "shared"). The server half gets the node
//     ID epg.SpanNodeID(traceId, id)+"/server" (see [ServerHalfID]) and a
//     call edge from the client half, so neither overwrites the other. A
//     SERVER span that shares its ID with a CLIENT span in the file is
//     treated as shared even without the flag. A child naming a shared ID
//     as parent hangs under the half running in its own service, else under
//     the server half;
//   - parentId gives a call edge parent→child and the parent_span_id
//     attribute even when the parent is not in the file;
//   - CLIENT and PRODUCER spans with a remote service name or IP get an io
//     edge to a resource node epg.ResourceNodeID(remote service, else
//     ip[:port]); the remote endpoint is also recorded as peer.* attributes
//     and the local one as local_endpoint.*;
//   - annotations become log events emitted by the span; an annotation in
//     the OpenTelemetry exporter's form {"<event>": {attributes}} becomes an
//     event of that name, or an exception (through package exception) when
//     the event is "exception";
//   - tags are string attributes; an "error" tag gives status.code "error"
//     with the tag's value as status.message. Unknown status and kind are
//     left out rather than written as "unset", so that when the builder
//     merges parts of one span reported separately the known values win.
//
// Timestamps and durations are microseconds in the model and nanoseconds
// in the EPG; either may be missing (zero in the EPG). String values
// longer than evidence.MaxValueLen are clipped and "<key>.truncated" records
// the original length in bytes.
//
// Clock skew: node times stay as recorded. Where an RPC's server half does
// not fit inside its client half and the two run in different services,
// the server's clock is taken to be off by the amount that centres the
// server interval in the client interval, the way the Zipkin UI corrects
// skew; the correction carries down to the server's descendants in the
// same service. Corrected spans and their annotations carry
// "time.skew_corrected_start_unix_nano", and the fragment records one
// epg.Skew per service (the estimate with the smallest error bar; method
// "zipkin-rpc-midpoint").
package zipkin

import (
	"context"
	"encoding/json"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
)

// Format is the decoder's format name.
const Format = "zipkin-json"

// Decoder decodes Zipkin v2 JSON traces. The zero value is ready to use.
type Decoder struct{}

// Format returns "zipkin-json".
func (*Decoder) Format() string { return Format }

const sniffHead = 8 << 10

// Sniff recognises a JSON array whose head names "traceId" (lower-case d;
// Jaeger writes "traceID") and "id".
func (*Decoder) Sniff(in *evidence.Input) evidence.Confidence {
	if evidence.FirstJSONByte(in.Data) != '[' || !evidence.HeadContains(in.Data, sniffHead, "traceId") {
		return evidence.No
	}
	if evidence.HeadContains(in.Data, sniffHead, "resourceSpans", "binaryAnnotations") {
		// OTLP, or the Zipkin v1 model, which this decoder does not read.
		return evidence.Maybe
	}
	if !evidence.HeadContains(in.Data, sniffHead, "id") {
		return evidence.Maybe
	}
	if evidence.HeadContains(in.Data, sniffHead, "localEndpoint", "timestamp", "kind") {
		return evidence.Certain
	}
	return evidence.Likely
}

// Decode maps the spans in in to a fragment.
func (*Decoder) Decode(ctx context.Context, in *evidence.Input) (*epg.Fragment, error) {
	if err := evidence.CheckJSON(in); err != nil {
		return nil, err
	}
	i := firstByteOffset(in.Data, 0)
	if i >= len(in.Data) || in.Data[i] != '[' {
		return nil, evidence.Errorf(in, int64(i), "expected a JSON array of Zipkin v2 spans")
	}
	var spans []span
	if j := firstByteOffset(in.Data, i+1); j < len(in.Data) && in.Data[j] == '[' {
		var traces [][]span
		if err := json.Unmarshal(in.Data, &traces); err != nil {
			return nil, evidence.JSONError(in, err)
		}
		for _, t := range traces {
			spans = append(spans, t...)
		}
	} else if err := json.Unmarshal(in.Data, &spans); err != nil {
		return nil, evidence.JSONError(in, err)
	}
	c := newConverter(in, len(spans))
	for i := range spans {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if err := c.add(&spans[i], i); err != nil {
			return nil, err
		}
	}
	if err := c.link(); err != nil {
		return nil, err
	}
	c.estimateSkew()
	if err := c.emit(); err != nil {
		return nil, err
	}
	return c.f, nil
}

func firstByteOffset(data []byte, from int) int {
	for i := from; i < len(data); i++ {
		switch data[i] {
		case ' ', '\t', '\r', '\n':
		default:
			return i
		}
	}
	return len(data)
}

var _ evidence.Decoder = (*Decoder)(nil)

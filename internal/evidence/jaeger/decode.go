// Package jaeger decodes traces in the Jaeger JSON model — what the Jaeger
// query API (/api/traces, /api/traces/{id}) returns and the Jaeger UI
// downloads: {"data": [trace...], "total", "errors"}, or one bare trace
// {"traceID", "spans", "processes"}. The model is specified by Jaeger's
// model/json package (https://github.com/jaegertracing/jaeger, model/json
// and internal/uimodel) and described at
// https://www.jaegertracing.io/docs/latest/apis/.
//
// Mapping to the EPG:
//   - each span becomes a span node with ID epg.SpanNodeID(traceID,
//     spanID); trace IDs are normalised to 32 lower-case hex digits (left-
//     padded, so 64-bit IDs join with OTLP's), span IDs to 16;
//   - CHILD_OF references become call edges parent→child, FOLLOWS_FROM
//     references follows_from edges; the first CHILD_OF reference in the
//     span's own trace is recorded as parent_span_id even when that span is
//     not in the file (the builder then drops the dangling edge);
//   - typed tags become typed attributes; the process's service name is
//     Node.Service and its tags become "resource.<key>" attributes, as the
//     OTLP decoder names resource attributes;
//   - tag error=true or otel.status_code=ERROR gives status.code "error"
//     (status.message from otel.status_description), otel.status_code=OK
//     gives "ok"; span.kind is copied. Unknown status and kind are left out
//     rather than written as "unset", so that when the builder merges two
//     spans sharing an ID (as Zipkin-instrumented services report RPCs)
//     the known values win;
//   - each log becomes an event node emitted by the span: an exception
//     (through package exception) when it is event=exception, carries
//     exception.* fields, or follows the OpenTracing error convention
//     (event=error, error.kind, error.object, message, stack); otherwise a
//     log event named by its "event" field.
//
// Start times and durations are microseconds in the model and nanoseconds in
// the EPG. String values longer than evidence.MaxValueLen are clipped and
// "<key>.truncated" records the original length in bytes.
package jaeger

import (
	"context"
	"encoding/json"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
)

// Format is the decoder's format name.
const Format = "jaeger-json"

// Decoder decodes Jaeger JSON traces. The zero value is ready to use.
type Decoder struct{}

// Format returns "jaeger-json".
func (*Decoder) Format() string { return Format }

// sniffHead is how much of an input Sniff looks at.
const sniffHead = 8 << 10

// Sniff recognises a JSON object whose head names "traceID" (Zipkin writes
// "traceId", OTLP "traceId" under "resourceSpans") next to "spans" or
// "processes".
func (*Decoder) Sniff(in *evidence.Input) evidence.Confidence {
	if evidence.FirstJSONByte(in.Data) != '{' {
		return evidence.No
	}
	if evidence.HeadContains(in.Data, sniffHead, "resourceSpans", "resourceLogs") {
		return evidence.No
	}
	if !evidence.HeadContains(in.Data, sniffHead, "traceID") {
		if evidence.HeadContains(in.Data, sniffHead, "data") && evidence.HeadContains(in.Data, sniffHead, "errors") &&
			evidence.HeadContains(in.Data, sniffHead, "total") {
			return evidence.Maybe // an empty query API response
		}
		return evidence.No
	}
	if !evidence.HeadContains(in.Data, sniffHead, "spans", "processes") {
		return evidence.Maybe
	}
	if evidence.HeadContains(in.Data, sniffHead, "spanID") && evidence.HeadContains(in.Data, sniffHead, "operationName") {
		return evidence.Certain
	}
	return evidence.Likely
}

// Decode maps the traces in in to a fragment.
func (*Decoder) Decode(ctx context.Context, in *evidence.Input) (*epg.Fragment, error) {
	if err := evidence.CheckJSON(in); err != nil {
		return nil, err
	}
	if evidence.FirstJSONByte(in.Data) != '{' {
		return nil, evidence.Errorf(in, firstByteOffset(in.Data), "expected a Jaeger JSON object ({\"data\": [...]} or a trace)")
	}
	var doc document
	if err := json.Unmarshal(in.Data, &doc); err != nil {
		return nil, evidence.JSONError(in, err)
	}
	traces, wrapped := doc.traces()
	if len(traces) == 0 && len(doc.Errors) > 0 {
		return nil, evidence.Errorf(in, evidence.OffsetOf(in, []byte(`"errors"`)),
			"the Jaeger query returned an error: %d %s", doc.Errors[0].Code, doc.Errors[0].Msg)
	}
	c := newConverter(in, traces, wrapped)
	for ti := range traces {
		t := &traces[ti]
		for si := range t.Spans {
			if c.n%256 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			if err := c.addSpan(t, &t.Spans[si]); err != nil {
				return nil, err
			}
		}
	}
	if err := c.checkCycles(); err != nil {
		return nil, err
	}
	return c.f, nil
}

func firstByteOffset(data []byte) int64 {
	for i, b := range data {
		switch b {
		case ' ', '\t', '\r', '\n':
		default:
			return int64(i)
		}
	}
	return int64(len(data))
}

var _ evidence.Decoder = (*Decoder)(nil)

package otlp

import (
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"

	logsv1 "go.opentelemetry.io/proto/otlp/logs/v1"
	tracev1 "go.opentelemetry.io/proto/otlp/trace/v1"
)

// protoSignal tells traces from logs by wire shape alone. Both requests
// nest field 1 (ResourceSpans/ResourceLogs) → field 2 (ScopeSpans/
// ScopeLogs) → field 2 (Span/LogRecord), so the schema walk decides: a
// payload valid as only one of them is that one. When both fit, the first
// record's fields break the tie: a Span's fields 1 and 2 are IDs (bytes),
// a LogRecord's are time_unix_nano (fixed64) and severity (varint). An
// empty request counts as traces.
func protoSignal(data []byte) Signal {
	// Fast path: the first record's own fields usually decide, and a
	// malformed rest is reported (with its position) by the decode itself.
	if sig := recordShape(firstRecord(data)); sig != SignalUnknown {
		return sig
	}
	tOff, _ := locateProtoError(data, SignalTraces)
	lOff, _ := locateProtoError(data, SignalLogs)
	switch {
	case tOff >= 0 && lOff >= 0:
		return SignalUnknown
	case tOff >= 0:
		return SignalLogs
	}
	return SignalTraces
}

// recordShape tells a Span from a LogRecord by its fields 1 and 2: IDs
// (bytes) in a Span; time_unix_nano (fixed64) and severity (varint) in a
// LogRecord.
func recordShape(rec []byte) Signal {
	for len(rec) > 0 {
		num, typ, n := protowire.ConsumeTag(rec)
		if n < 0 {
			return SignalUnknown
		}
		switch {
		case (num == 1 || num == 2) && typ == protowire.BytesType:
			return SignalTraces
		case num == 1 && typ == protowire.Fixed64Type, num == 2 && typ == protowire.VarintType:
			return SignalLogs
		}
		m := protowire.ConsumeFieldValue(num, typ, rec[n:])
		if m < 0 {
			return SignalUnknown
		}
		rec = rec[n+m:]
	}
	return SignalUnknown
}

// firstRecord returns the bytes of the first Span/LogRecord, or nil.
func firstRecord(data []byte) []byte {
	b := data
	for _, want := range []protowire.Number{1, 2, 2} {
		sub := findField(b, want)
		if sub == nil {
			return nil
		}
		b = sub
	}
	return b
}

func findField(b []byte, want protowire.Number) []byte {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil
		}
		b = b[n:]
		if num == want && typ == protowire.BytesType {
			v, m := protowire.ConsumeBytes(b)
			if m < 0 {
				return nil
			}
			return v
		}
		m := protowire.ConsumeFieldValue(num, typ, b)
		if m < 0 {
			return nil
		}
		b = b[m:]
	}
	return nil
}

// locateProtoError walks data against the OTLP schema and returns the byte
// offset and a description of the first structural problem: a truncated
// field, a wire type that does not match the schema, or an ID of the wrong
// length. It returns -1 when the structure is sound.
func locateProtoError(data []byte, sig Signal) (int64, string) {
	var md protoreflect.MessageDescriptor
	if sig == SignalLogs {
		// LogsData is wire-identical to ExportLogsServiceRequest, without
		// pulling the gRPC service code into a decoder.
		md = (&logsv1.LogsData{}).ProtoReflect().Descriptor()
	} else {
		md = (&tracev1.TracesData{}).ProtoReflect().Descriptor()
	}
	return walkMessage(data, 0, md, 0)
}

const maxProtoDepth = 64

func walkMessage(b []byte, base int64, md protoreflect.MessageDescriptor, depth int) (int64, string) {
	if depth > maxProtoDepth {
		return base, "messages nested too deep"
	}
	pos := 0
	for pos < len(b) {
		num, typ, n := protowire.ConsumeTag(b[pos:])
		if n < 0 {
			return base + int64(pos), "malformed field tag"
		}
		fieldAt := pos
		pos += n
		m := protowire.ConsumeFieldValue(num, typ, b[pos:])
		if m < 0 {
			return base + int64(fieldAt), fmt.Sprintf("truncated or malformed field %d of %s", num, md.Name())
		}
		fd := md.Fields().ByNumber(num)
		if fd != nil {
			if want := wireType(fd); want >= 0 && protowire.Type(want) != typ && !(fd.IsList() && typ == protowire.BytesType) {
				return base + int64(fieldAt), fmt.Sprintf("field %s of %s has wire type %d, want %d", fd.Name(), md.Name(), typ, want)
			}
			if typ == protowire.BytesType {
				v, hdr := protowire.ConsumeBytes(b[pos:])
				start := base + int64(pos+hdr-len(v))
				switch {
				case fd.Kind() == protoreflect.MessageKind:
					if off, msg := walkMessage(v, start, fd.Message(), depth+1); off >= 0 {
						return off, msg
					}
				case fd.Kind() == protoreflect.BytesKind && isID(fd.Name()):
					if len(v) != 0 && len(v) != idLen(fd.Name()) {
						return base + int64(fieldAt), fmt.Sprintf("%s of %s is %d bytes, want %d", fd.Name(), md.Name(), len(v), idLen(fd.Name()))
					}
				}
			}
		}
		pos += m
	}
	return -1, ""
}

func isID(name protoreflect.Name) bool {
	return name == "trace_id" || name == "span_id" || name == "parent_span_id"
}

func idLen(name protoreflect.Name) int {
	if name == "trace_id" {
		return 16
	}
	return 8
}

func wireType(fd protoreflect.FieldDescriptor) int {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.StringKind, protoreflect.BytesKind, protoreflect.GroupKind:
		return int(protowire.BytesType)
	case protoreflect.Fixed64Kind, protoreflect.Sfixed64Kind, protoreflect.DoubleKind:
		return int(protowire.Fixed64Type)
	case protoreflect.Fixed32Kind, protoreflect.Sfixed32Kind, protoreflect.FloatKind:
		return int(protowire.Fixed32Type)
	}
	return int(protowire.VarintType)
}

// ProtoSignal says which signal an OTLP/protobuf payload carries, by the
// same schema walk the decoder uses; SignalUnknown when it is neither.
func ProtoSignal(data []byte) Signal { return protoSignal(data) }

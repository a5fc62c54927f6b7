package otlp

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strconv"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
)

// Signal is the OTLP signal a payload carries.
type Signal uint8

// Signals TAG ingests.
const (
	SignalUnknown Signal = iota
	SignalTraces
	SignalLogs
)

// JSONDecoder decodes OTLP/JSON files and request bodies.
type JSONDecoder struct{}

// ProtoDecoder decodes OTLP/protobuf files and request bodies.
type ProtoDecoder struct{}

// Format implements evidence.Decoder.
func (JSONDecoder) Format() string { return "otlp-json" }

// Format implements evidence.Decoder.
func (ProtoDecoder) Format() string { return "otlp-proto" }

// Sniff implements evidence.Decoder: an object whose head names
// resourceSpans or resourceLogs (either JSON spelling).
func (JSONDecoder) Sniff(in *evidence.Input) evidence.Confidence {
	if evidence.FirstJSONByte(in.Data) != '{' {
		return evidence.No
	}
	if jsonSignal(in.Data) != SignalUnknown {
		return evidence.Certain
	}
	return evidence.No
}

// Sniff implements evidence.Decoder: binary data whose wire structure is
// that of an export request.
func (ProtoDecoder) Sniff(in *evidence.Input) evidence.Confidence {
	if len(in.Data) == 0 || in.Data[0] != 0x0a { // field 1, length-delimited
		return evidence.No
	}
	if protoSignal(in.Data) != SignalUnknown {
		return evidence.Likely
	}
	return evidence.No
}

func jsonSignal(data []byte) Signal {
	switch {
	case evidence.HeadContains(data, 1<<16, "resourceSpans", "resource_spans"):
		return SignalTraces
	case evidence.HeadContains(data, 1<<16, "resourceLogs", "resource_logs"):
		return SignalLogs
	}
	return SignalUnknown
}

// Decode implements evidence.Decoder.
func (JSONDecoder) Decode(_ context.Context, in *evidence.Input) (*epg.Fragment, error) {
	f, _, err := DecodeJSON(in, jsonSignal(in.Data))
	return f, err
}

// Decode implements evidence.Decoder.
func (ProtoDecoder) Decode(_ context.Context, in *evidence.Input) (*epg.Fragment, error) {
	f, _, err := DecodeProto(in, protoSignal(in.Data))
	return f, err
}

// DecodeJSON decodes an OTLP/JSON export request of the given signal.
func DecodeJSON(in *evidence.Input, sig Signal) (*epg.Fragment, Rejected, error) {
	if err := evidence.CheckJSON(in); err != nil {
		return nil, Rejected{}, err
	}
	switch sig {
	case SignalTraces:
		td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(in.Data)
		if err != nil {
			return nil, Rejected{}, jsonModelError(in, err)
		}
		f, rej := FromTraces(td, in.Name)
		f.Format = "otlp-json"
		return f, rej, nil
	case SignalLogs:
		ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(in.Data)
		if err != nil {
			return nil, Rejected{}, jsonModelError(in, err)
		}
		f, rej := FromLogs(ld, in.Name)
		f.Format = "otlp-json"
		return f, rej, nil
	}
	return nil, Rejected{}, evidence.Errorf(in, 0, "not an OTLP export request: no resourceSpans or resourceLogs")
}

// DecodeProto decodes an OTLP/protobuf export request of the given signal.
func DecodeProto(in *evidence.Input, sig Signal) (*epg.Fragment, Rejected, error) {
	switch sig {
	case SignalTraces:
		// TracesData and ExportTraceServiceRequest share one wire format.
		if f, rej, ok := tracesFromWire(in.Data, in.Name); ok {
			f.Format = "otlp-proto"
			return f, rej, nil
		}
		td, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(in.Data)
		if err != nil {
			return nil, Rejected{}, protoError(in, SignalTraces, err)
		}
		f, rej := FromTraces(td, in.Name)
		f.Format = "otlp-proto"
		return f, rej, nil
	case SignalLogs:
		ld, err := (&plog.ProtoUnmarshaler{}).UnmarshalLogs(in.Data)
		if err != nil {
			return nil, Rejected{}, protoError(in, SignalLogs, err)
		}
		f, rej := FromLogs(ld, in.Name)
		f.Format = "otlp-proto"
		return f, rej, nil
	}
	if len(in.Data) == 0 {
		return &epg.Fragment{Source: in.Name, Format: "otlp-proto"}, Rejected{}, nil
	}
	off, msg := locateProtoError(in.Data, SignalTraces)
	if off < 0 {
		off, msg = 0, "not an OTLP export request"
	}
	return nil, Rejected{}, evidence.Errorf(in, off, "%s", msg)
}

// jsoniter (inside pdata) reports errors as "..., error found in #N byte
// of ...|near|..., bigger context ...|wider|...". Recover the offset by
// finding that context in the input.
var jsoniterPos = regexp.MustCompile(`^(.*?), error found in #(\d+) byte of \.\.\.\|(.*?)\|\.\.\., bigger context \.\.\.\|(.*)\|\.\.\.$`)

func jsonModelError(in *evidence.Input, err error) error {
	m := jsoniterPos.FindStringSubmatch(err.Error())
	if m == nil {
		return evidence.Errorf(in, -1, "invalid OTLP JSON: %v", err)
	}
	msg, n := m[1], m[2]
	near, wider := []byte(m[3]), []byte(m[4])
	off := int64(-1)
	if w := bytes.Index(in.Data, wider); w >= 0 {
		if i := bytes.Index(wider, near); i >= 0 {
			k, _ := strconv.Atoi(n)
			off = int64(w + i + k)
			if off > int64(len(in.Data)) {
				off = int64(len(in.Data))
			}
		}
	}
	return evidence.Errorf(in, off, "invalid OTLP JSON: %s", msg)
}

func protoError(in *evidence.Input, sig Signal, err error) error {
	off, msg := locateProtoError(in.Data, sig)
	if off < 0 {
		return evidence.Errorf(in, -1, "invalid OTLP protobuf: %v", err)
	}
	return evidence.Errorf(in, off, "invalid OTLP protobuf: %s (%v)", msg, err)
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

var (
	_ evidence.Decoder = JSONDecoder{}
	_ evidence.Decoder = ProtoDecoder{}
)

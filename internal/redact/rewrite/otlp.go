package rewrite

import (
	"errors"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tagdebug/tag/internal/evidence/otlp"
	"github.com/tagdebug/tag/internal/redact"
)

// rewriteOTLPProto goes through OTLP/JSON: protobuf → pdata → JSON, the
// JSON rewrite, and back, so both encodings share one set of rules.
func rewriteOTLPProto(e *redact.Engine, data []byte) (out, scan []byte, err error) {
	switch otlp.ProtoSignal(data) {
	case otlp.SignalTraces:
		td, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(data)
		if err != nil {
			return nil, nil, err
		}
		js, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
		if err != nil {
			return nil, nil, err
		}
		if js, err = rewriteJSON(e, js); err != nil {
			return nil, nil, err
		}
		if td, err = (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(js); err != nil {
			return nil, nil, err
		}
		out, err = (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
		return out, js, err
	case otlp.SignalLogs:
		ld, err := (&plog.ProtoUnmarshaler{}).UnmarshalLogs(data)
		if err != nil {
			return nil, nil, err
		}
		js, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
		if err != nil {
			return nil, nil, err
		}
		if js, err = rewriteJSON(e, js); err != nil {
			return nil, nil, err
		}
		if ld, err = (&plog.JSONUnmarshaler{}).UnmarshalLogs(js); err != nil {
			return nil, nil, err
		}
		out, err = (&plog.ProtoMarshaler{}).MarshalLogs(ld)
		return out, js, err
	}
	return nil, nil, errors.New("rewrite: not an OTLP traces or logs export request")
}

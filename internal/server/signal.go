package server

import (
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/tagdebug/tag/internal/evidence/otlp"
)

// otlpMessage is an OTLP message in either of its HTTP encodings.
type otlpMessage interface {
	MarshalProto() ([]byte, error)
	MarshalJSON() ([]byte, error)
}

// signal is what differs between the traces and the logs service.
type signal struct {
	kind otlp.Signal
	name string // "traces" or "logs", for artifact names and logs
	path string // the OTLP/HTTP path
	// response is the Export*ServiceResponse for a stored request.
	response func(otlp.Rejected) otlpMessage
}

var (
	tracesSignal = &signal{kind: otlp.SignalTraces, name: "traces", path: "/v1/traces",
		response: func(rej otlp.Rejected) otlpMessage { return tracesResponse(rej) }}
	logsSignal = &signal{kind: otlp.SignalLogs, name: "logs", path: "/v1/logs",
		response: func(rej otlp.Rejected) otlpMessage { return logsResponse(rej) }}
	// capsuleSignal names the capture SDK's uploads in logs; it is not an
	// OTLP signal and has no OTLP response.
	capsuleSignal = &signal{name: "capsules", path: "/v1/tag/capsules"}
)

// tracesResponse reports rejected spans as OTLP partial success.
func tracesResponse(rej otlp.Rejected) ptraceotlp.ExportResponse {
	r := ptraceotlp.NewExportResponse()
	if rej.Count > 0 {
		ps := r.PartialSuccess()
		ps.SetRejectedSpans(int64(rej.Count))
		ps.SetErrorMessage(rej.Reason)
	}
	return r
}

// logsResponse reports rejected log records as OTLP partial success.
func logsResponse(rej otlp.Rejected) plogotlp.ExportResponse {
	r := plogotlp.NewExportResponse()
	if rej.Count > 0 {
		ps := r.PartialSuccess()
		ps.SetRejectedLogRecords(int64(rej.Count))
		ps.SetErrorMessage(rej.Reason)
	}
	return r
}

var (
	_ otlpMessage = ptraceotlp.ExportResponse{}
	_ otlpMessage = plogotlp.ExportResponse{}
)

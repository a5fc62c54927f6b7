package jaeger

import "encoding/json"

// document is either the query API response {"data": [trace...]} or a
// bare trace; the embedded trace catches the second shape.
type document struct {
	Data   []trace    `json:"data"`
	Errors []apiError `json:"errors"`
	trace
}

type apiError struct {
	Code int    `json:"code"`
	Msg  string `json:"msg"`
}

type trace struct {
	TraceID   string             `json:"traceID"`
	Spans     []span             `json:"spans"`
	Processes map[string]process `json:"processes"`
	Warnings  []string           `json:"warnings"`
}

type span struct {
	TraceID       string      `json:"traceID"`
	SpanID        string      `json:"spanID"`
	ParentSpanID  string      `json:"parentSpanID"` // older exports, before references
	OperationName string      `json:"operationName"`
	References    []reference `json:"references"`
	StartTime     int64       `json:"startTime"` // microseconds since the epoch
	Duration      int64       `json:"duration"`  // microseconds
	Tags          []keyValue  `json:"tags"`
	Logs          []logRecord `json:"logs"`
	ProcessID     string      `json:"processID"`
	Process       *process    `json:"process"` // inlined by some exporters
	Warnings      []string    `json:"warnings"`
}

type reference struct {
	RefType string `json:"refType"`
	TraceID string `json:"traceID"`
	SpanID  string `json:"spanID"`
}

type process struct {
	ServiceName string     `json:"serviceName"`
	Tags        []keyValue `json:"tags"`
}

type logRecord struct {
	Timestamp int64      `json:"timestamp"` // microseconds since the epoch
	Fields    []keyValue `json:"fields"`
}

// keyValue is a typed tag or log field. Value stays raw because its JSON
// type depends on Type (an int64 beyond 2^53 travels as a string).
type keyValue struct {
	Key   string          `json:"key"`
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
}

// traces returns the document's traces and whether they came wrapped in a
// query API response.
func (d *document) traces() ([]trace, bool) {
	if d.Data != nil {
		return d.Data, true
	}
	if d.Spans == nil && d.TraceID == "" {
		return nil, false
	}
	return []trace{d.trace}, false
}

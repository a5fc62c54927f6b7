package zipkin

import "encoding/json"

// span is one Zipkin v2 span (zipkin2-api.yaml, definitions/Span).
type span struct {
	TraceID        string                     `json:"traceId"`
	ID             string                     `json:"id"`
	ParentID       string                     `json:"parentId"`
	Name           string                     `json:"name"`
	Kind           string                     `json:"kind"`
	Timestamp      *int64                     `json:"timestamp"` // microseconds since the epoch
	Duration       *int64                     `json:"duration"`  // microseconds
	LocalEndpoint  *endpoint                  `json:"localEndpoint"`
	RemoteEndpoint *endpoint                  `json:"remoteEndpoint"`
	Annotations    []annotation               `json:"annotations"`
	Tags           map[string]json.RawMessage `json:"tags"`
	Shared         bool                       `json:"shared"`
	Debug          bool                       `json:"debug"`
}

type endpoint struct {
	ServiceName string `json:"serviceName"`
	IPv4        string `json:"ipv4"`
	IPv6        string `json:"ipv6"`
	Port        int32  `json:"port"`
}

type annotation struct {
	Timestamp int64  `json:"timestamp"`
	Value     string `json:"value"`
}

func (e *endpoint) service() string {
	if e == nil {
		return ""
	}
	return e.ServiceName
}

func (e *endpoint) ip() string {
	switch {
	case e == nil:
		return ""
	case e.IPv4 != "":
		return e.IPv4
	}
	return e.IPv6
}

package server

import (
	"mime"
	"net/http"
	"strings"

	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// encoding is an OTLP/HTTP payload encoding.
type encoding uint8

const (
	encUnknown encoding = iota
	encProto
	encJSON
)

// encodingOf reads the request's Content-Type.
func encodingOf(r *http.Request) encoding {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return encUnknown
	}
	switch strings.ToLower(mt) {
	case "application/x-protobuf", "application/protobuf":
		return encProto
	case "application/json":
		return encJSON
	}
	return encUnknown
}

// contentType is what a response in this encoding is labelled.
func (e encoding) contentType() string {
	switch e {
	case encProto:
		return "application/x-protobuf"
	case encJSON:
		return "application/json"
	}
	return "text/plain; charset=utf-8"
}

// marshal encodes m; an unknown encoding falls back to protobuf.
func (e encoding) marshal(m otlpMessage) ([]byte, error) {
	if e == encJSON {
		return m.MarshalJSON()
	}
	return m.MarshalProto()
}

// statusMessage gives a google.rpc.Status the OTLP message methods.
type statusMessage struct{ st *spb.Status }

// MarshalProto encodes the status in binary protobuf.
func (m statusMessage) MarshalProto() ([]byte, error) { return proto.Marshal(m.st) }

// MarshalJSON encodes the status in the protobuf JSON mapping.
func (m statusMessage) MarshalJSON() ([]byte, error) { return protojson.Marshal(m.st) }

var _ otlpMessage = statusMessage{}

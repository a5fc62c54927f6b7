package server

import (
	"context"
	"errors"
	"net/http"

	"google.golang.org/grpc/codes"

	"github.com/tagdebug/tag/internal/evidence"
)

// requestError is a refusal decided by a receiver before decoding: a
// wrong method, content type or size.
type requestError struct {
	status int // HTTP status
	msg    string
}

func (e *requestError) Error() string { return e.msg }

// refusal is how a failed export request is answered, on either
// protocol.
type refusal struct {
	status int        // HTTP status
	code   codes.Code // gRPC code, also the google.rpc.Status code
	msg    string
	// retry marks throttling: the answer carries a retry delay and OTLP
	// exporters send the request again.
	retry bool
	// internal marks a failure of TAG rather than of the request; its
	// detail goes to the log, not to the client.
	internal bool
}

// refuse classifies err. Bad input, throttling and shutdown are the
// expected cases; anything else is an internal error.
func refuse(err error) refusal {
	var re *requestError
	switch {
	case errors.As(err, &re):
		return refusal{status: re.status, code: codeOf(re.status), msg: re.msg}
	case errors.Is(err, errQueueFull):
		return refusal{status: http.StatusTooManyRequests, code: codes.ResourceExhausted, msg: err.Error() + ", retry later", retry: true}
	case errors.Is(err, errStopped):
		return refusal{status: http.StatusServiceUnavailable, code: codes.Unavailable, msg: err.Error(), retry: true}
	case errors.Is(err, evidence.ErrBadInput):
		return refusal{status: http.StatusBadRequest, code: codes.InvalidArgument, msg: err.Error()}
	case errors.Is(err, context.Canceled):
		return refusal{status: 499, code: codes.Canceled, msg: "request canceled"}
	case errors.Is(err, context.DeadlineExceeded):
		return refusal{status: http.StatusGatewayTimeout, code: codes.DeadlineExceeded, msg: "deadline exceeded before the request was stored"}
	}
	return refusal{status: http.StatusInternalServerError, code: codes.Internal, msg: "internal error while storing the request", internal: true}
}

// codeOf maps a receiver's HTTP refusal to the google.rpc.Status code of
// its body.
func codeOf(status int) codes.Code {
	switch status {
	case http.StatusMethodNotAllowed, http.StatusUnsupportedMediaType:
		return codes.Unimplemented
	case http.StatusRequestEntityTooLarge:
		return codes.ResourceExhausted
	}
	return codes.InvalidArgument
}

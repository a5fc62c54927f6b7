package server

import (
	"net/http"
	"strconv"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/otlp"
)

// httpHandler routes the OTLP/HTTP paths; anything else is 404.
func (s *Server) httpHandler() http.Handler {
	mux := http.NewServeMux()
	for _, sig := range []*signal{tracesSignal, logsSignal} {
		mux.Handle(sig.path, &httpReceiver{s: s, sig: sig})
	}
	mux.Handle(capsuleSignal.path, &capsuleReceiver{s: s})
	return mux
}

// httpReceiver serves one OTLP/HTTP path.
type httpReceiver struct {
	s   *Server
	sig *signal
}

// ServeHTTP answers one export request.
func (h *httpReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	enc := encodingOf(r)
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.fail(w, r, enc, &requestError{status: http.StatusMethodNotAllowed, msg: "method " + r.Method + " not allowed, use POST"})
		return
	}
	if enc == encUnknown {
		h.fail(w, r, enc, &requestError{status: http.StatusUnsupportedMediaType,
			msg: "unsupported Content-Type " + strconv.Quote(r.Header.Get("Content-Type")) + " (want application/x-protobuf or application/json)"})
		return
	}
	rej, err := h.s.export(r.Context(), func() (*batch, error) {
		name := "otlp-http " + h.sig.path
		data, err := readBody(w, r, name, h.s.cfg.MaxBodyBytes)
		if err != nil {
			return nil, err
		}
		return decodeHTTP(name, h.sig, enc, data)
	})
	if err != nil {
		h.fail(w, r, enc, err)
		return
	}
	h.s.logPartial("http", h.sig, r.RemoteAddr, rej)
	writeMessage(w, enc, http.StatusOK, h.sig.response(rej))
}

// decodeHTTP decodes a request body of the path's signal.
func decodeHTTP(name string, sig *signal, enc encoding, data []byte) (*batch, error) {
	in := &evidence.Input{Name: name, Data: data}
	decode := otlp.DecodeProto
	if enc == encJSON {
		decode = otlp.DecodeJSON
	}
	f, rej, err := decode(in, sig.kind)
	if err != nil {
		return nil, err
	}
	return &batch{in: in, frag: f, rejected: rej}, nil
}

// fail answers a refused request with a google.rpc.Status body in the
// request's encoding (plain text when that is unknown).
func (h *httpReceiver) fail(w http.ResponseWriter, r *http.Request, enc encoding, err error) {
	ref := refuse(err)
	ref.msg = h.s.scrub(ref.msg)
	h.s.logRefusal(r.Context(), "http", h.sig, r.RemoteAddr, ref, err)
	if ref.status == 499 {
		return // nobody is listening
	}
	if ref.retry {
		w.Header().Set("Retry-After", strconv.FormatInt(retrySeconds(h.s.cfg.RetryAfter), 10))
	}
	if enc == encUnknown {
		w.Header().Set("Content-Type", enc.contentType())
		w.WriteHeader(ref.status)
		_, _ = w.Write([]byte(ref.msg + "\n"))
		return
	}
	writeMessage(w, enc, ref.status, statusMessage{httpStatus(ref, h.s.cfg.RetryAfter)})
}

// httpStatus is the google.rpc.Status body of a refusal.
func httpStatus(ref refusal, retryAfter time.Duration) *spb.Status {
	st := &spb.Status{Code: int32(ref.code), Message: ref.msg}
	if ref.retry {
		if d, err := anypb.New(&errdetails.RetryInfo{RetryDelay: durationpb.New(retryAfter)}); err == nil {
			st.Details = append(st.Details, d)
		}
	}
	return st
}

// writeMessage writes m as the whole response.
func writeMessage(w http.ResponseWriter, enc encoding, status int, m otlpMessage) {
	body, err := enc.marshal(m)
	if err != nil {
		http.Error(w, "encoding the response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", enc.contentType())
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// retrySeconds renders a delay for Retry-After, which counts whole
// seconds: round up, and never tell a client to retry at once.
func retrySeconds(d time.Duration) int64 {
	s := int64((d + time.Second - 1) / time.Second)
	return max(s, 1)
}

var _ http.Handler = (*httpReceiver)(nil)

package server

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/tagdebug/tag/internal/evidence"
	capdec "github.com/tagdebug/tag/internal/evidence/capsule"
	"github.com/tagdebug/tag/sdk/go/capsule"
)

// capsuleReceiver serves the capture SDK's upload endpoint,
// POST /v1/tag/capsules on the OTLP/HTTP address (package capsule
// documents it). A capsule takes the same path as an OTLP request: a
// queue slot, decode in the caller's goroutine, one transaction; it is
// answered in JSON, {"id": …} or {"error": …}.
type capsuleReceiver struct{ s *Server }

// ServeHTTP answers one upload.
func (c *capsuleReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		c.fail(w, r, &requestError{status: http.StatusMethodNotAllowed, msg: "method " + r.Method + " not allowed, use POST"})
		return
	}
	var id string
	_, err := c.s.export(r.Context(), func() (*batch, error) {
		name := "capsule-upload " + capsule.UploadPath
		data, err := readBody(w, r, name, c.s.cfg.MaxBodyBytes)
		if err != nil {
			return nil, err
		}
		in := &evidence.Input{Name: name, Data: data}
		f, err := capdec.Decoder{}.Decode(r.Context(), in)
		if err != nil {
			return nil, err
		}
		for _, n := range f.Nodes {
			if v, ok := n.Attr(capdec.AttrID); ok {
				id = v.AsString()
				break
			}
		}
		return &batch{in: in, frag: f}, nil
	})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": id})
}

func (c *capsuleReceiver) fail(w http.ResponseWriter, r *http.Request, err error) {
	ref := refuse(err)
	ref.msg = c.s.scrub(ref.msg)
	c.s.logRefusal(r.Context(), "http", capsuleSignal, r.RemoteAddr, ref, err)
	if ref.status == 499 {
		return
	}
	if ref.retry {
		w.Header().Set("Retry-After", strconv.FormatInt(retrySeconds(c.s.cfg.RetryAfter), 10))
	}
	writeJSON(w, ref.status, map[string]string{"error": ref.msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

package capture

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/tagdebug/tag/sdk/go/capsule"
)

// Transport wraps base (nil: http.DefaultTransport) so that outbound calls
// made with a captured request's context are recorded in its capsule:
// the request's digest always, the response (redacted like the inbound
// request) when the host is in the recorder's ResponseHosts. Under replay
// the call is answered from the capsule instead. Calls made with any other
// context pass straight through, so one client serves every path.
func Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{base: base}
}

// Transport is the package-level Transport; the recorder is found through
// the request's context.
func (r *Recorder) Transport(base http.RoundTripper) http.RoundTripper { return Transport(base) }

type transport struct {
	base http.RoundTripper
}

// RoundTrip records or replays one call.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if rp := replayFrom(ctx); rp != nil {
		return rp.RoundTrip(req)
	}
	st := stateFrom(ctx)
	if st == nil {
		return t.base.RoundTrip(req)
	}
	rec := st.rec
	var body []byte
	if req.Body != nil && req.Body != http.NoBody && req.GetBody != nil {
		// Read a copy through GetBody so the request's own body is
		// untouched.
		if rc, err := req.GetBody(); err == nil {
			body, _ = io.ReadAll(io.LimitReader(rc, int64(rec.opts.MaxBody)))
			rc.Close()
		}
	}
	e := rec.edge()
	u := *req.URL
	u.RawQuery = e.query(u.RawQuery)
	u.User = nil
	call := capsule.Call{Method: req.Method, URL: u.String(),
		RequestDigest: capsule.CallDigest(req.Method, req.URL.String(), body), Start: time.Now().UnixNano()}
	resp, err := t.base.RoundTrip(req)
	call.Duration = time.Now().UnixNano() - call.Start
	if err != nil {
		call.Error = rec.eng.RedactText(err.Error())
	} else {
		call.Status = resp.StatusCode
		if rec.hosts[strings.ToLower(req.URL.Hostname())] {
			data, rerr := io.ReadAll(io.LimitReader(resp.Body, int64(rec.opts.MaxBody)+1))
			rest := resp.Body
			resp.Body = struct {
				io.Reader
				io.Closer
			}{io.MultiReader(bytes.NewReader(data), rest), rest}
			if rerr == nil && len(data) <= rec.opts.MaxBody {
				call.Header = e.headers("outbound.header.", resp.Header)
				call.Body, call.BodyKept = e.body("", resp.Header.Get("Content-Type"), data, true)
			}
		}
	}
	st.mu.Lock()
	st.outbound = append(st.outbound, call)
	st.mu.Unlock()
	return resp, err
}

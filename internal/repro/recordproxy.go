package repro

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

// maxRecordedBody bounds one recorded response body.
const maxRecordedBody = 1 << 20

// droppedHeaders are never recorded: credentials and hop-by-hop state.
var droppedHeaders = map[string]bool{"Set-Cookie": true, "Authorization": true, "Www-Authenticate": true,
	"Proxy-Authenticate": true, "Date": true, "Connection": true, "Transfer-Encoding": true, "Content-Length": true}

// recordingProxy forwards a process's requests for one base-URL variable
// to the real upstream and keeps the answers.
type recordingProxy struct {
	name     string   // the variable, e.g. API_URL
	upstream *url.URL // its value, without userinfo in what is stored
	scrub    Scrubber
	mu       sync.Mutex
	got      []Response
	srv      *http.Server
	addr     string
}

// startRecordingProxies starts one loopback proxy per variable named in
// names whose value is an http(s) URL.
func startRecordingProxies(names []string, scrub Scrubber) ([]*recordingProxy, error) {
	var ps []*recordingProxy
	for _, name := range names {
		u, err := url.Parse(os.Getenv(name))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			stopProxies(ps)
			return nil, fmt.Errorf("record: $%s is not an http(s) URL", name)
		}
		p := &recordingProxy{name: name, upstream: u, scrub: scrub}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			stopProxies(ps)
			return nil, err
		}
		rp := &httputil.ReverseProxy{
			Rewrite: func(r *httputil.ProxyRequest) {
				r.Out.URL.Scheme, r.Out.URL.Host, r.Out.Host = u.Scheme, u.Host, u.Host
				if u.User != nil {
					pw, _ := u.User.Password()
					r.Out.SetBasicAuth(u.User.Username(), pw)
				}
			},
			ModifyResponse: p.keep,
		}
		p.srv, p.addr = &http.Server{Handler: rp, ReadHeaderTimeout: 10 * time.Second}, ln.Addr().String()
		go p.srv.Serve(ln)
		ps = append(ps, p)
	}
	return ps, nil
}

// keep records a response, passing its body on unchanged.
func (p *recordingProxy) keep(resp *http.Response) error {
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxRecordedBody+1))
	resp.Body.Close()
	if err != nil {
		return err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if len(body) > maxRecordedBody {
		body = body[:maxRecordedBody]
	}
	rec := Response{Method: resp.Request.Method, URL: resp.Request.URL.RequestURI(), Status: resp.StatusCode, Headers: map[string]string{}}
	for k, v := range resp.Header {
		if !droppedHeaders[k] {
			rec.Headers[k] = p.scrub.apply(strings.Join(v, ", "))
		}
	}
	if isText(body) {
		rec.Body = p.scrub.apply(string(body))
	} else {
		rec.Body, rec.BodyEncoding = encodeContent(body)
	}
	p.mu.Lock()
	p.got = append(p.got, rec)
	p.mu.Unlock()
	return nil
}

// processURL is the variable's value as the recorded process sees it:
// the proxy's address with the upstream's path.
func (p *recordingProxy) processURL() string {
	u := *p.upstream
	u.Scheme, u.Host, u.User = "http", p.addr, nil
	return u.String()
}

// storedURL is the upstream without credentials, kept in the capsule.
func (p *recordingProxy) storedURL() string {
	u := *p.upstream
	u.User = nil
	return u.String()
}

func stopProxies(ps []*recordingProxy) {
	for _, p := range ps {
		p.srv.Close()
	}
}

// recordedNetwork folds what the proxies kept into the capsule.
func recordedNetwork(c *ProcessCapsule, ps []*recordingProxy) {
	if len(ps) == 0 {
		return
	}
	if c.Network == nil {
		c.Network = &Mock{}
	}
	for _, p := range ps {
		c.Network.URLEnv = append(c.Network.URLEnv, p.name)
		p.mu.Lock()
		c.Network.Responses = append(c.Network.Responses, p.got...)
		p.mu.Unlock()
	}
}

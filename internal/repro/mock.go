package repro

import (
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// DefaultAddrEnv is the variable that tells a replayed process where its
// recorded responses are served, as host:port.
const DefaultAddrEnv = "TAG_REPLAY_ADDR"

// Mock is the recorded network of a process: responses served on
// loopback, inside the process's network namespace, during replay.
type Mock struct {
	// AddrEnv names the variable set to the server's host:port
	// (default TAG_REPLAY_ADDR).
	AddrEnv string `json:"addr_env,omitempty"`
	// URLEnv names variables holding base URLs (e.g. API_URL) whose scheme
	// and host are rewritten to the server's, keeping their path.
	URLEnv []string `json:"url_env,omitempty"`
	// Responses are matched by method and URL (path and query; a recorded
	// URL without a query also matches any query). Several responses for
	// one request are served in order, the last repeating.
	Responses []Response `json:"responses"`

	mu   sync.Mutex
	next map[int]int
}

// Response is one recorded HTTP exchange, seen from the client.
type Response struct {
	Method       string            `json:"method"`
	URL          string            `json:"url"` // path and query, e.g. /v1/users?id=3
	Status       int               `json:"status"`
	Headers      map[string]string `json:"headers,omitempty"`
	Body         string            `json:"body,omitempty"`
	BodyEncoding string            `json:"body_encoding,omitempty"` // "" (UTF-8 text) or "base64"
}

func (m *Mock) addrEnv() string {
	if m.AddrEnv != "" {
		return m.AddrEnv
	}
	return DefaultAddrEnv
}

// inject returns env with the server address set and URL variables
// pointed at it.
func (m *Mock) inject(env []string, addr string) []string {
	out := setEnv(append([]string{}, env...), m.addrEnv(), addr)
	for _, name := range m.URLEnv {
		u, err := url.Parse(envValue(env, name))
		if err != nil || envValue(env, name) == "" {
			u = &url.URL{}
		}
		u.Scheme, u.Host = "http", addr
		out = setEnv(out, name, u.String())
	}
	return out
}

// serve answers on ln until it is closed.
func (m *Mock) serve(ln net.Listener) error {
	srv := &http.Server{Handler: m, ReadHeaderTimeout: 10 * time.Second}
	return srv.Serve(ln)
}

// ServeHTTP answers with the recorded response for the request, or 502
// with a header naming the miss.
func (m *Mock) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i := m.match(r.Method, r.URL)
	if i < 0 {
		w.Header().Set("X-Tag-Replay", "miss")
		http.Error(w, fmt.Sprintf("tag replay: no recorded response for %s %s", r.Method, r.URL.RequestURI()), http.StatusBadGateway)
		return
	}
	resp := m.Responses[i]
	body := []byte(resp.Body)
	if resp.BodyEncoding == "base64" {
		body, _ = base64.StdEncoding.DecodeString(resp.Body)
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	w.Header().Set("X-Tag-Replay", "hit")
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	w.Write(body)
}

// match picks the response index for a request, advancing through
// repeated recordings of the same request.
func (m *Mock) match(method string, u *url.URL) int {
	var exact, loose []int
	for i, r := range m.Responses {
		if !strings.EqualFold(r.Method, method) && r.Method != "" {
			continue
		}
		switch ru, _ := url.Parse(r.URL); {
		case ru == nil:
		case ru.RequestURI() == u.RequestURI():
			exact = append(exact, i)
		case ru.RawQuery == "" && ru.Path == u.Path:
			loose = append(loose, i)
		}
	}
	cands := exact
	if len(cands) == 0 {
		cands = loose
	}
	if len(cands) == 0 {
		return -1
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.next == nil {
		m.next = map[int]int{}
	}
	key := cands[0]
	n := m.next[key]
	m.next[key] = n + 1
	return cands[min(n, len(cands)-1)]
}

// setEnv replaces or appends name=value in env.
func setEnv(env []string, name, value string) []string {
	out := env[:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return append(out, name+"="+value)
}

// startMock serves m on a loopback port of TAG's own network namespace,
// for when commands cannot be isolated.
func startMock(m *Mock) (addr string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("mock: %w", err)
	}
	// A fresh copy per run: repeated requests start from the first
	// recorded answer each time, as they do in the helper.
	fresh := &Mock{AddrEnv: m.AddrEnv, URLEnv: m.URLEnv, Responses: m.Responses}
	srv := &http.Server{Handler: fresh, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return ln.Addr().String(), func() { srv.Close() }, nil
}

package diff_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/otlp"
)

// receiver is a loopback OTLP/HTTP traces endpoint that decodes every
// export request with TAG's own OTLP decoders.
type receiver struct {
	t     *testing.T
	mu    sync.Mutex
	frags []*epg.Fragment
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil || r.URL.Path != "/v1/traces" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	var d evidence.Decoder = otlp.ProtoDecoder{}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		d = otlp.JSONDecoder{}
	}
	f, err := d.Decode(r.Context(), &evidence.Input{Name: "otlp-http", Data: body})
	if err != nil {
		rc.t.Errorf("decode export request: %v", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	rc.frags = append(rc.frags, f)
	rc.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.WriteHeader(http.StatusOK) // an empty ExportTraceServiceResponse
}

func (rc *receiver) graph() *epg.Graph {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	b := epg.NewBuilder()
	for _, f := range rc.frags {
		b.Add(f)
	}
	return b.Build()
}

// shop is the running testdata/service program.
type shop struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	url   string
}

// startShop builds testdata/service and runs it exporting to otlpURL.
func startShop(t *testing.T, otlpURL string) *shop {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not on PATH")
	}
	bin := filepath.Join(t.TempDir(), "shop")
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/service").CombinedOutput(); err != nil {
		t.Fatalf("go build testdata/service: %v\n%s", err, out)
	}
	s := &shop{cmd: exec.Command(bin, "-otlp", otlpURL)}
	var err error
	if s.stdin, err = s.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s.cmd.Stderr = &testWriter{t}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.cmd.Process.Kill(); s.cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if !strings.HasPrefix(line, "frontend ") {
		t.Fatalf("service said %q (%v)", line, err)
	}
	s.url = strings.TrimSpace(strings.TrimPrefix(line, "frontend "))
	return s
}

// checkout sends one request and returns the trace ID and status.
func (s *shop) checkout(t *testing.T, region, tier string, customer, items int) (string, int) {
	url := fmt.Sprintf("%s/checkout?region=%s&tier=%s&customer=c-%d&items=%d", s.url, region, tier, customer, items)
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.Header.Get("X-Trace-Id"), resp.StatusCode
}

// stop closes the service's stdin and waits for it to flush and exit.
func (s *shop) stop(t *testing.T) {
	s.stdin.Close()
	if err := s.cmd.Wait(); err != nil {
		t.Fatalf("service exit: %v", err)
	}
}

type testWriter struct{ t *testing.T }

func (w *testWriter) Write(p []byte) (int, error) {
	w.t.Logf("service: %s", strings.TrimSpace(string(p)))
	return len(p), nil
}

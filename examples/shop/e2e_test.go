package shop

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/tagdebug/tag/internal/redact/redacttest"
	"github.com/tagdebug/tag/sdk/go/capture"
)

// tagServe builds the real tag binary and starts `tag serve` on a
// scratch store; it returns the binary, the store and the OTLP/HTTP
// address.
func tagServe(t *testing.T) (bin, store, otlpHTTP string) {
	t.Helper()
	dir := t.TempDir()
	bin = filepath.Join(dir, "tag")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/tagdebug/tag/cmd/tag").CombinedOutput(); err != nil {
		t.Fatalf("build tag: %v\n%s", err, out)
	}
	store = filepath.Join(dir, "store")
	serve := exec.Command(bin, "--store", store, "serve", "--json", "--otlp-http", "127.0.0.1:0", "--otlp-grpc", "", "--http", "")
	stdout, _ := serve.StdoutPipe()
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	var info struct {
		OTLPHTTP string `json:"otlp_http"`
	}
	if err := json.NewDecoder(bufio.NewReader(stdout)).Decode(&info); err != nil {
		serve.Process.Kill()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		serve.Process.Signal(interrupt)
		serve.Wait()
	})
	return bin, store, info.OTLPHTTP
}

// egressRecorder is a reverse proxy in front of `tag serve` that keeps
// every byte the shop process sends (gunzipped), so the test can prove
// what left the process.
type egressRecorder struct {
	mu   sync.Mutex
	sent bytes.Buffer
	n    int
}

func (e *egressRecorder) proxy(t *testing.T, target string) *httptest.Server {
	u, _ := url.Parse("http://" + target)
	rp := httputil.NewSingleHostReverseProxy(u)
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		plain := body
		if r.Header.Get("Content-Encoding") == "gzip" {
			if zr, err := gzip.NewReader(bytes.NewReader(body)); err == nil {
				plain, _ = io.ReadAll(zr)
			}
		}
		e.mu.Lock()
		e.sent.Write(plain)
		e.sent.WriteByte('\n')
		e.n++
		e.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		rp.ServeHTTP(w, r)
	}))
}

// TestShopIncidentsInTag runs the real `tag serve`, drives the shop —
// instrumented with the OpenTelemetry SDK and TAG's capture SDK, both
// exporting over OTLP/HTTP — with healthy and failing requests that carry
// planted secrets, and expects: the panic, the checkout timeouts and the
// transfer deadlock become incidents; the capsules, the goroutine dumps
// and the flight-recorder snapshots are stored with them; the /pay
// panic's evidence points at the buggy code, and so does the checkout
// timeout's, from the capsules' snapshot of the late requests queued on
// the inventory's lock; `tag fix` turns both into verified patches; and
// no planted secret left the process.
func TestShopIncidentsInTag(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs tag")
	}
	bin, store, otlpHTTP := tagServe(t)
	if keep := os.Getenv("SHOP_E2E_KEEP"); keep != "" {
		// For debugging: keep the store and the binary.
		t.Cleanup(func() { exec.Command("cp", "-r", store, bin, keep).Run() })
	}
	var egress egressRecorder
	proxy := egress.proxy(t, otlpHTTP)
	defer proxy.Close()

	exp, err := otlptracehttp.New(context.Background(), otlptracehttp.WithEndpointURL(proxy.URL+"/v1/traces"), otlptracehttp.WithCompression(otlptracehttp.GzipCompression))
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp), sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", "shop"))))
	opts := CaptureOptions(proxy.URL)
	opts.Deadline = 3 * time.Second // above the checkout's 2.5 s, below a test's patience
	opts.ErrorLog = func(err error) { t.Log(err) }
	rec, err := capture.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	fraud := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"ok":true}`)
	}))
	defer fraud.Close()

	s := New(300 * time.Millisecond)
	s.FraudURL = fraud.URL + "/check"
	s.Bank.between = func() { time.Sleep(100 * time.Millisecond) } // make the AB-BA interleaving certain
	s.Configure(rec)
	// Not httptest.Server: its Close waits for the deadlocked requests.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: s.Handler(Wrap(tp.Tracer("shop"), rec)), ErrorLog: log.New(io.Discard, "", 0)}
	go srv.Serve(l)
	defer l.Close()
	base := "http://" + l.Addr().String()

	gen := redacttest.NewGen(7)
	secrets := gen.Secrets()
	plant := func(i int) string { return secrets[i%len(secrets)].Secret }
	client := &http.Client{Timeout: 6 * time.Second}
	post := func(path, body string, hdr map[string]string) int {
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0 // the panicking handler drops the connection; a deadlocked one never answers
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	var planted []string
	secretHdr := func(i int) map[string]string {
		h := map[string]string{"Authorization": "Bearer " + plant(i), "X-Api-Key": plant(i + 1), "Cookie": "session=" + plant(i+2)}
		planted = append(planted, plant(i), plant(i+1), plant(i+2))
		return h
	}
	for i := range 5 {
		post("/pay", `{"amount":40,"discount_code":"WELCOME10"}`, secretHdr(3*i))
	}
	// The failing payment: an unknown code, a card number outside the
	// allowlist and a secret inside an allowlisted field.
	card := gen.PII()[0].Secret
	planted = append(planted, card, plant(20))
	body, _ := json.Marshal(map[string]any{"amount": 40, "discount_code": "SPRING", "card_number": card, "note": plant(20)})
	if code := post("/pay", string(body), secretHdr(21)); code != 0 && code < 500 {
		t.Fatalf("the failing payment answered %d", code)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	timeouts := 0
	for i := range 10 {
		wg.Go(func() {
			if post("/v1/checkout", `{"sku":"sku-`+string(rune('1'+i%8))+`","qty":1}`, nil) == http.StatusGatewayTimeout {
				mu.Lock()
				timeouts++
				mu.Unlock()
			}
		})
	}
	wg.Go(func() { post("/transfer", `{"from":"alice","to":"bob","amount":5}`, nil) })
	wg.Go(func() { post("/transfer", `{"from":"bob","to":"alice","amount":5}`, nil) })
	wg.Wait()
	if timeouts == 0 {
		t.Fatal("no checkout timed out: the global lock should serialise 10 × 300 ms past the 2.5 s deadline")
	}
	if err := rec.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if kept, dropped := rec.Stats(); kept == 0 || dropped != 0 {
		t.Fatalf("capsules kept %d, dropped %d", kept, dropped)
	}

	// Nothing the policy forbids left the process.
	egress.mu.Lock()
	sent := egress.sent.String()
	egress.mu.Unlock()
	for _, p := range planted {
		if strings.Contains(sent, p) {
			t.Errorf("a planted value left the process: %.6s…", p)
		}
	}
	if !strings.Contains(sent, `\"discount_code\":\"SPRING\"`) {
		t.Errorf("the capsule of the failing payment did not keep its allowlisted field")
	}

	incidents := func() map[string]string {
		out, err := exec.Command(bin, "--store", store, "incidents", "--json").Output()
		if err != nil {
			t.Fatal(err)
		}
		var ins []struct{ ID, Kind, Endpoint, Title string }
		if err := json.Unmarshal(out, &ins); err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, in := range ins {
			switch {
			case strings.Contains(in.Endpoint, "/pay"):
				m["pay"] = in.ID
			case strings.Contains(in.Endpoint, "/v1/checkout"):
				m["checkout"] = in.ID
			case in.Kind == "deadlock" || strings.Contains(in.Title, "Transfer"):
				m["transfer"] = in.ID
			}
		}
		if len(m) < 3 {
			t.Logf("incidents so far: %+v", ins)
		}
		return m
	}
	ids := incidents()
	for _, k := range []string{"pay", "checkout", "transfer"} {
		if ids[k] == "" {
			t.Errorf("no incident for %s", k)
		}
	}
	show := func(id string) string {
		out, err := exec.Command(bin, "--store", store, "show", id, "--json").Output()
		if err != nil {
			t.Fatalf("show %s: %v", id, err)
		}
		return string(out)
	}
	if id := ids["pay"]; id != "" {
		v := show(id)
		if !strings.Contains(v, `"input"`) || !strings.Contains(v, "capsule.id") {
			t.Errorf("the /pay incident has no capsule")
		}
		if !strings.Contains(v, "goroutine") {
			t.Errorf("the /pay incident has no goroutine dump")
		}
		if !strings.Contains(v, "block.sites") {
			t.Errorf("the /pay incident has no flight-recorder evidence")
		}
		rep, err := exec.Command(bin, "--store", store, "analyze", id, "--json").Output()
		if err != nil {
			t.Fatal(err)
		}
		var r struct {
			Candidates []struct{ Function string } `json:"candidates"`
		}
		if err := json.Unmarshal(rep, &r); err != nil {
			t.Fatal(err)
		}
		if len(r.Candidates) == 0 || !strings.Contains(r.Candidates[0].Function, "shop.Price") {
			t.Errorf("the /pay panic's top candidate is %+v, want shop.Price", r.Candidates)
		}
	}
	// Each failure reproduces from its capsules, and the fixed code does
	// not.
	root, _ := filepath.Abs("../..")
	for _, k := range []string{"pay", "checkout", "transfer"} {
		if ids[k] == "" {
			continue
		}
		r, code := reproJSON(t, bin, store, ids[k], root)
		t.Logf("repro %s: driver %v, %v of %v runs, signature %v", k, r["driver"], r["failures"], r["runs"], r["signature"])
		if code != 0 || r["reproduced"] != true || r["driver"] != "capsule" {
			t.Errorf("repro %s: exit %d, %v", k, code, r)
		}
	}
	if id := ids["pay"]; id != "" {
		r, code := reproJSON(t, bin, store, id, fixedCopy(t, root))
		if code != 1 || r["reproduced"] != false {
			t.Errorf("repro on the fixed code: exit %d, %v", code, r)
		}
	}
	// The checkout timeout's spans blame only the handler's own time; the
	// capsules of the late requests carry the watchdog's snapshot of them
	// queued on the inventory's lock, which the analysis names.
	if id := ids["checkout"]; id != "" {
		rep, err := exec.Command(bin, "--store", store, "analyze", id, "--json").Output()
		if err != nil {
			t.Fatal(err)
		}
		var r struct {
			Candidates []struct{ Function, Why string } `json:"candidates"`
		}
		if err := json.Unmarshal(rep, &r); err != nil {
			t.Fatal(err)
		}
		if len(r.Candidates) == 0 || !strings.Contains(r.Candidates[0].Function, "(*Inventory).Reserve") || !strings.Contains(r.Candidates[0].Why, "wait") {
			t.Errorf("the checkout timeout's top candidate is %+v, want where the checkouts wait in (*Inventory).Reserve", r.Candidates)
		}
	}
	// The whole loop on the panic and on the timeout, at once: a verified
	// template patch each, bundled and committed on a new branch of its
	// (scratch) repository.
	var fixes sync.WaitGroup
	for _, f := range []struct{ incident, flip, template string }{
		{"pay", "TestPayPanicsOnUnknownDiscount", "nil-guard"},
		{"checkout", "TestCheckoutSerialisesDifferentSKUs", "per-key-lock"},
	} {
		id := ids[f.incident]
		if id == "" {
			continue
		}
		repo := shopCopy(t, root, false)
		out := filepath.Join(t.TempDir(), "bundle")
		fixes.Go(func() {
			r, err := tagFix(bin, store, id, repo, f.flip, out)
			if err != nil || r.Verdict != "verified" || r.Template != f.template {
				t.Errorf("tag fix %s: %v, verdict %s by %q, want verified by %s\n%s", f.incident, err, r.Verdict, r.Template, f.template, r.raw)
				return
			}
			t.Logf("tag fix %s: %s verified in %.1fs (%.1fs building and testing), bundle %s, branch %s",
				f.incident, r.Template, r.Seconds, r.BuildTestSeconds, r.Bundle, r.Branch)
			if _, err := os.Stat(filepath.Join(r.Bundle, "PR.md")); err != nil || r.Branch == "" {
				t.Errorf("tag fix %s: bundle %q branch %q: %v", f.incident, r.Bundle, r.Branch, err)
			}
		})
	}
	fixes.Wait()
	if id := ids["transfer"]; id != "" {
		v := show(id)
		if !strings.Contains(v, "tag watchdog") && !strings.Contains(v, "watchdog") {
			t.Errorf("the transfer incident does not come from the watchdog's dump")
		}
		if !strings.Contains(v, "Transfer") {
			t.Errorf("the deadlock incident does not name Transfer")
		}
	}
}

// fixResult is what the test reads of `tag fix --json`.
type fixResult struct {
	Verdict, Template, Bundle, Branch string
	Seconds                           float64
	BuildTestSeconds                  float64 `json:"build_test_seconds"`
	raw                               string  // stdout and stderr, for a failure's message
}

// tagFix runs `tag fix` on a scratch repository with the shop's
// bug-proving test expected to flip.
func tagFix(bin, store, id, repo, flip, out string) (*fixResult, error) {
	cmd := exec.Command(bin, "--store", store, "fix", id, "--repo", repo, "--json", "--test-flag", "-short",
		"--expect-flip", flip, "--out", out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	r := &fixResult{raw: string(stdout) + "\n" + stderr.String()}
	if jerr := json.Unmarshal(stdout, r); jerr != nil && err == nil {
		err = jerr
	}
	return r, err
}

// reproJSON runs `tag repro` and returns its result and exit code.
func reproJSON(t *testing.T, bin, store, id, repo string) (map[string]any, int) {
	t.Helper()
	cmd := exec.Command(bin, "--store", store, "repro", id, "--repo", repo, "--json")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var r map[string]any
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("tag repro %s: exit %d, %v\n%s\n%s", id, code, err, out, stderr.String())
	}
	return r, code
}

// fixedCopy lays out the packages the shop's replay needs, with Price
// fixed, as a repository that no longer has the bug.
func fixedCopy(t *testing.T, root string) string {
	return shopCopy(t, root, true)
}

// shopCopy lays out the packages the shop needs as a git repository,
// with Price fixed or not.
func shopCopy(t *testing.T, root string, fix bool) string {
	t.Helper()
	dst := t.TempDir()
	// The shop and what it imports of this module, as git sees them
	// (tracked and new, not ignored) — a small service repository.
	cp := exec.Command("sh", "-c", "git ls-files -z -co --exclude-standard go.mod go.sum epg sdk examples/shop ':(glob)internal/redact/*.go' internal/redact/default_policy.yaml internal/redact/redacttest | xargs -0 tar cf - 2>/dev/null | tar xf - -C "+dst)
	cp.Dir = root
	if out, err := cp.CombinedOutput(); err != nil {
		t.Fatalf("copy the module: %v %s", err, out)
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qm", "shop"}} {
		if out, err := exec.Command("git", append([]string{"-C", dst}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	if !fix {
		return dst
	}
	pay := filepath.Join(dst, "examples/shop/pay.go")
	src, err := os.ReadFile(pay)
	if err != nil {
		t.Fatal(err)
	}
	fixed := strings.Replace(string(src), "\treturn o.Amount * (1 - d.Percent/100)", "\tif d == nil {\n\t\treturn o.Amount\n\t}\n\treturn o.Amount * (1 - d.Percent/100)", 1)
	if fixed == string(src) {
		t.Fatal("Price not found to fix")
	}
	if err := os.WriteFile(pay, []byte(fixed), 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

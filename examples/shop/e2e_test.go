package shop

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
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
)

// TestShopIncidentsInTag runs the real `tag serve`, drives the shop
// (instrumented with the OpenTelemetry SDK, exporting over OTLP/HTTP)
// with healthy and failing requests, and expects the panic and the
// checkout timeouts to become incidents whose evidence points at the
// buggy code.
func TestShopIncidentsInTag(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs tag")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "tag")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/tagdebug/tag/cmd/tag").CombinedOutput(); err != nil {
		t.Fatalf("build tag: %v\n%s", err, out)
	}
	store := filepath.Join(dir, "store")
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
	defer func() {
		serve.Process.Signal(interrupt)
		serve.Wait()
	}()

	exp, err := otlptracehttp.New(context.Background(), otlptracehttp.WithEndpoint(info.OTLPHTTP), otlptracehttp.WithInsecure())
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp), sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", "shop"))))
	s := New(300 * time.Millisecond)
	srv := httptest.NewServer(s.Handler(Instrument(tp.Tracer("shop"))))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the /pay panic is expected
	post := func(path, body string) int {
		resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			return 0 // the panicking handler drops the connection
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	for range 5 {
		post("/pay", `{"amount":40,"discount_code":"WELCOME10"}`)
	}
	post("/pay", `{"amount":40,"discount_code":"SPRING"}`)
	var wg sync.WaitGroup
	timeouts := 0
	var mu sync.Mutex
	for i := range 10 {
		wg.Go(func() {
			if post("/v1/checkout", `{"sku":"sku-`+string(rune('1'+i%8))+`","qty":1}`) == http.StatusGatewayTimeout {
				mu.Lock()
				timeouts++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	srv.Close()
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if timeouts == 0 {
		t.Fatal("no checkout timed out: the global lock should serialise 10 × 300 ms past the 2.5 s deadline")
	}

	out, err := exec.Command(bin, "--store", store, "incidents", "--json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var ins []struct{ ID, Kind, Endpoint, Title string }
	if err := json.Unmarshal(out, &ins); err != nil {
		t.Fatal(err)
	}
	var pay, checkout string
	for _, in := range ins {
		switch {
		case strings.Contains(in.Endpoint, "/pay"):
			pay = in.ID
		case strings.Contains(in.Endpoint, "/v1/checkout"):
			checkout = in.ID
		}
	}
	if pay == "" || checkout == "" {
		t.Fatalf("incidents %+v: want one for /pay and one for /v1/checkout", ins)
	}
	rep, err := exec.Command(bin, "--store", store, "analyze", pay, "--json").Output()
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

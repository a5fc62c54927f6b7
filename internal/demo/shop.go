package demo

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tagdebug/tag/sdk/go/capture"
)

// Healthy traffic per endpoint. Capsules of healthy requests are sampled
// (10% in shop.CaptureOptions); enough /top-users requests make it all
// but certain that a race in that handler has requests to replay
// (0.9^120 ≈ 3·10⁻⁶ that none is kept).
const (
	shopHealthyTopUsers  = 120
	shopHealthyPays      = 30
	shopHealthyCheckout  = 10
	shopHealthyTransfers = 20
)

// shopAskCapture is how often a healthy request asks for its capsule
// (capture.DebugHeader), on top of the sampling: tag fix replays healthy
// requests of the failing endpoint on the patched tree, and ten sampled
// checkouts may well keep none.
const shopAskCapture = 4

// shopClientTimeout is how long a client waits for the shop: past the
// watchdog's 4 s deadline (plus one look), so the deadlocked transfers
// are captured before the clients give up.
const shopClientTimeout = 6 * time.Second

// Shop builds the example shop with the race detector (the way a canary
// build runs), starts it exporting OpenTelemetry and capsules to the
// embedded receiver, and drives it: healthy requests to every endpoint,
// and the four failures: a burst of concurrent /top-users on the fresh
// instance (data race), a discount code with no discount (panic), a burst
// of checkouts of different SKUs (timeouts) and opposite transfers
// (deadlock). The race
// detector prints its reports on stderr rather than exporting them;
// they are handed to env.Ingest, as an operator would pipe a canary's
// log into `tag ingest`.
func Shop(ctx context.Context, env *Env) ([]Target, error) {
	if err := os.MkdirAll(env.Work, 0o755); err != nil {
		return nil, err
	}
	bin := filepath.Join(env.Work, "shop")
	env.logf("shop: building examples/shop/cmd/shop with -race")
	build := exec.CommandContext(ctx, "go", "build", "-race", "-o", bin, "./examples/shop/cmd/shop")
	build.Dir = env.Repo
	build.Env = append(os.Environ(), "CGO_ENABLED=1", "GOWORK=off", "GOTOOLCHAIN=local", "GOFLAGS=-mod=readonly")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("shop: go build: %v\n%s", err, out)
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(env.Work, "shop.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd := exec.Command(bin, "-addr", addr)
	cmd.Env = append(os.Environ(), "OTEL_EXPORTER_OTLP_ENDPOINT="+env.OTLP, "OTEL_BSP_SCHEDULE_DELAY=200",
		"OTEL_SERVICE_NAME=shop", "GORACE=halt_on_error=0")
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("shop: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	defer func() {
		if !stopped {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	}()
	base := "http://" + addr
	env.logf("shop: pid %d on %s, exporting to %s", cmd.Process.Pid, base, env.OTLP)
	if err := waitListening(ctx, addr, exited); err != nil {
		return nil, fmt.Errorf("shop: %w (log in %s)", err, logPath)
	}
	d := &driver{base: base, client: &http.Client{Timeout: shopClientTimeout}}
	counts := d.traffic(ctx)
	env.logf("shop: responses by status (0 = no answer): %v", counts)

	// Stop it the way an orchestrator does, so the SDKs flush what they
	// hold; the deadlocked transfers never finish, so do not wait on them.
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		return nil, err
	}
	select {
	case <-exited:
	case <-time.After(20 * time.Second):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	}
	stopped = true
	races, n, err := raceReports(logPath, filepath.Join(env.Work, "shop-races.txt"))
	if err != nil {
		return nil, err
	}
	if n == 0 {
		// Timing, not TAG: the other failures still go through, and the
		// race's row says it has no incident.
		env.logf("shop: the race detector reported nothing this time (log in %s)", logPath)
	} else {
		env.logf("shop: %d race report(s) from the canary's stderr", n)
		host, _ := os.Hostname()
		if err := env.Ingest(ctx, Artifacts{Service: "shop", Process: fmt.Sprintf("%s/%d", host, cmd.Process.Pid),
			Src: []string{filepath.Join(env.Repo, "examples", "shop")}, Files: []string{races}}); err != nil {
			return nil, fmt.Errorf("shop: ingest the race reports: %w", err)
		}
	}
	// The transfers' hang is "blocked" from the watchdog's dump, or
	// "deadlock" when the same evidence closes a lock cycle.
	// -short skips the shop's end-to-end test, which needs TAG's own tree.
	short := []string{"-short"}
	return []Target{
		{Example: "shop", Name: "pay", Service: "shop", Kind: "exception", Hint: "/pay",
			ExpectFlip: []string{"TestPayPanicsOnUnknownDiscount"}, TestFlags: short},
		{Example: "shop", Name: "checkout", Service: "shop", Kind: "timeout", Hint: "/v1/checkout",
			ExpectFlip: []string{"TestCheckoutSerialisesDifferentSKUs"}, TestFlags: short},
		{Example: "shop", Name: "transfer", Service: "shop", Kind: "blocked|deadlock", Hint: "/transfer",
			ExpectFlip: []string{"TestTransferDeadlocks"}, TestFlags: short},
		{Example: "shop", Name: "top-users", Service: "shop", Kind: "race", Hint: "TopUsers",
			ExpectFlip: []string{"TestTopUsersRace"}, TestFlags: short},
	}, nil
}

// driver sends the shop its traffic.
type driver struct {
	base   string
	client *http.Client // one connection, reused, for requests one at a time
	mu     sync.Mutex
	counts map[int]int
}

// traffic sends healthy requests, then the failing ones, and returns the
// responses by status.
func (d *driver) traffic(ctx context.Context) map[int]int {
	d.counts = map[int]int{}
	// First the morning rush on a freshly started instance: concurrent
	// /top-users find the user cache as loaded, unsorted, and sort it in
	// place together — the data race. (Once sorted, a sort only reads.)
	var rush []rushed
	for i := range 16 {
		rush = append(rush, rushed{"GET", fmt.Sprintf("/top-users?k=%d", 1+i%5), ""})
	}
	d.rush(ctx, rush)
	// Healthy requests come one at a time over one connection, as a
	// quiet client would send them.
	for i := range shopHealthyTopUsers {
		ask := i%shopAskCapture == 0
		d.do(ctx, "GET", fmt.Sprintf("/top-users?k=%d", 1+i%5), "", ask)
		if i < shopHealthyPays {
			d.do(ctx, "POST", "/pay", fmt.Sprintf(`{"amount":%d,"discount_code":"WELCOME10"}`, 20+i), ask)
		}
		if i < shopHealthyCheckout {
			d.do(ctx, "POST", "/v1/checkout", fmt.Sprintf(`{"sku":"sku-%d","qty":1}`, 1+rand.IntN(8)), ask)
		}
		if i < shopHealthyTransfers {
			// One at a time, so opposite transfers never overlap.
			from, to := "alice", "bob"
			if i%2 == 1 {
				from, to = to, from
			}
			d.do(ctx, "POST", "/transfer", fmt.Sprintf(`{"from":%q,"to":%q,"amount":%d}`, from, to, 1+i%3), ask)
		}
	}
	d.do(ctx, "POST", "/pay", `{"amount":40,"discount_code":"SPRING"}`, false)
	// Then two opposite transfers, and just after them the checkouts of
	// a sale, all at once.
	var wg sync.WaitGroup
	wg.Go(func() { d.oppositeTransfers(ctx) })
	time.Sleep(20 * time.Millisecond) // the transfers' rush goes alone
	rush = nil
	for i := range 12 {
		rush = append(rush, rushed{"POST", "/v1/checkout", fmt.Sprintf(`{"sku":"sku-%d","qty":1}`, 1+i%8)})
	}
	d.rush(ctx, rush)
	wg.Wait()
	return d.counts
}

// shopTransferTries bounds the pairs of opposite transfers sent.
const shopTransferTries = 3

// oppositeTransfers rushes a pair of opposite transfers until a pair
// hangs. They deadlock only when each takes its first lock within the
// other's journal write (2 ms); on a machine busy with the other
// examples a pair can miss that window and both simply finish, as they
// would in production until the day they meet.
func (d *driver) oppositeTransfers(ctx context.Context) {
	pair := []rushed{{"POST", "/transfer", `{"from":"alice","to":"bob","amount":5}`},
		{"POST", "/transfer", `{"from":"bob","to":"alice","amount":5}`}}
	for range shopTransferTries {
		t0 := time.Now()
		d.rush(ctx, pair)
		if time.Since(t0) > time.Second || ctx.Err() != nil {
			return // stuck: the watchdog has seen them
		}
	}
}

// rushed is one request of a rush.
type rushed struct{ method, path, body string }

// rush sends the requests so that the server sees them at the same
// instant: each goes out on its own connection without the blank line
// that ends its header, and the blank lines (and bodies) follow back to
// back once every connection holds its part. Sent the ordinary way, on a
// loaded machine the first request can be done before the next arrives:
// a sort finished before the other starts (the requests then meet only
// through the SDK's locks, which hide the race from the detector), a
// transfer through both locks before the opposite one takes its first.
func (d *driver) rush(ctx context.Context, reqs []rushed) {
	host := strings.TrimPrefix(d.base, "http://")
	conns := make([]net.Conn, len(reqs))
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	}()
	var dialer net.Dialer
	for i, r := range reqs {
		c, err := dialer.DialContext(ctx, "tcp", host)
		if err != nil {
			continue
		}
		conns[i] = c
		fmt.Fprintf(c, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", r.method, r.path, host)
		if r.body != "" {
			fmt.Fprintf(c, "Content-Type: application/json\r\nContent-Length: %d\r\n", len(r.body))
		}
	}
	for i, c := range conns {
		if c != nil {
			c.Write([]byte("\r\n" + reqs[i].body))
		}
	}
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Go(func() {
			if c == nil {
				d.count(nil, errors.New("not connected"))
				return
			}
			c.SetReadDeadline(time.Now().Add(shopClientTimeout))
			d.count(http.ReadResponse(bufio.NewReader(c), nil))
		})
	}
	wg.Wait()
}

func (d *driver) do(ctx context.Context, method, path, body string, askCapture bool) {
	req, err := http.NewRequestWithContext(ctx, method, d.base+path, strings.NewReader(body))
	if err != nil {
		return
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if askCapture {
		req.Header.Set(capture.DebugHeader, "capture")
	}
	d.count(d.client.Do(req))
}

// count reads a response to its end and counts it by status (0 when
// there was no answer).
func (d *driver) count(resp *http.Response, err error) {
	code := 0
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		code = resp.StatusCode
	}
	d.mu.Lock()
	d.counts[code]++
	d.mu.Unlock()
}

// freeAddr picks a free loopback port.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// waitListening waits until addr accepts connections, the process exits,
// or 30 s pass.
func waitListening(ctx context.Context, addr string, exited <-chan error) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return nil
		}
		select {
		case err := <-exited:
			return fmt.Errorf("exited before listening: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return errors.New("not listening after 30s")
		}
	}
}

// maxRaceReports bounds how many race reports are kept: sixteen requests
// sorting one slice together yield hundreds of reports of one race.
const maxRaceReports = 20

// raceSep is the line the race detector prints around each report.
const raceSep = "=================="

// raceReports copies the race detector's reports out of a process log
// (which also holds the service's own lines and net/http's recovered
// panics, evidence TAG already has from the traces) into dst, and says
// how many there were.
func raceReports(log, dst string) (string, int, error) {
	data, err := os.ReadFile(log)
	if err != nil {
		return "", 0, err
	}
	var out bytes.Buffer
	n := 0
	in := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case !in && line == raceSep:
			in = true
			out.WriteString(line + "\n")
		case in && line == raceSep:
			in = false
			n++
			out.WriteString(line + "\n")
			if n == maxRaceReports {
				return dst, n, os.WriteFile(dst, out.Bytes(), 0o644)
			}
		case in:
			out.WriteString(line + "\n")
		}
	}
	if err := sc.Err(); err != nil {
		return "", 0, fmt.Errorf("%s: %w", log, err)
	}
	return dst, n, os.WriteFile(dst, out.Bytes(), 0o644)
}

package repro

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// stressModule is a dependency-free module with one test per outcome.
var stressModule = map[string]string{
	"go.mod": "module example.com/stressme\n\ngo 1.26\n",
	"bank/bank.go": `// Package bank is a fixture for the stress driver.
package bank
`,
	"bank/bank_test.go": `package bank

import (
	"runtime"
	"sync"
	"testing"
	"time"
)

func TestRacy(t *testing.T) {
	var n int
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); for j := 0; j < 100; j++ { n++ } }()
	}
	wg.Wait()
	_ = n
}

func TestDeadlock(t *testing.T) {
	var a, b sync.Mutex
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); a.Lock(); time.Sleep(20 * time.Millisecond); b.Lock(); b.Unlock(); a.Unlock() }()
	go func() { defer wg.Done(); b.Lock(); time.Sleep(20 * time.Millisecond); a.Lock(); a.Unlock(); b.Unlock() }()
	wg.Wait()
}

func TestLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	block := make(chan int)
	go func() { <-block }()
	time.Sleep(10 * time.Millisecond)
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("goroutine leak: %d goroutines, want %d", n, before)
	}
}

func TestClean(t *testing.T) {
	var mu sync.Mutex
	n := 0
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); mu.Lock(); n++; mu.Unlock() }()
	}
	wg.Wait()
}
`,
}

func TestStress(t *testing.T) {
	needTool(t, "go")
	src := t.TempDir()
	writeTree(t, src, stressModule)
	sb, err := NewSandbox(src)
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	ctx := context.Background()
	base := StressOptions{Pkg: "./bank", CPUs: []int{1, 2}, TestTimeout: time.Second, MaxRuns: 3, StopAfter: 2, MaxTime: time.Minute}
	for _, tc := range []struct {
		test       string
		want       Outcome
		reproduced bool
	}{
		{"TestRacy", OutcomeRace, true},
		{"TestDeadlock", OutcomeDeadlock, true},
		{"TestLeak", OutcomeLeak, true},
		{"TestClean", OutcomePass, false},
	} {
		t.Run(tc.test, func(t *testing.T) {
			opts := base
			opts.Test, opts.Incident = tc.test, "inc-"+tc.test
			r, err := Stress(ctx, sb, opts)
			if err != nil {
				t.Fatal(err)
			}
			t.Log(r.Summary(), r.Outcomes)
			if r.Reproduced != tc.reproduced || r.Runs == 0 || r.Driver != "stress" {
				t.Fatalf("got %+v", r)
			}
			if !tc.reproduced {
				if r.Failures != 0 || r.Rate != 0 || r.Dump != "" || r.Outcomes["pass"] != r.Runs {
					t.Errorf("clean test: %+v", r)
				}
				return
			}
			if r.Signature != string(tc.want) || r.Rate <= 0 || r.ReliableN < 1 || r.Outcomes[string(tc.want)] == 0 {
				t.Errorf("want %s reproduced with a rate: %s %v", tc.want, r.Summary(), r.Outcomes)
			}
			marker := map[Outcome]string{OutcomeRace: "WARNING: DATA RACE", OutcomeDeadlock: "panic: test timed out", OutcomeLeak: "goroutine leak"}[tc.want]
			if !strings.Contains(r.Dump, marker) {
				t.Errorf("dump lacks %q:\n%s", marker, tail(r.Dump, 2000))
			}
		})
	}
	t.Run("NoSuchTest", func(t *testing.T) {
		opts := base
		opts.Test = "TestMissing"
		if _, err := Stress(ctx, sb, opts); !errors.Is(err, ErrNoSuchTest) {
			t.Errorf("err = %v, want ErrNoSuchTest", err)
		}
	})
}

func TestReliableRuns(t *testing.T) {
	for _, c := range []struct {
		p    float64
		want int
	}{{0, 0}, {1, 1}, {0.5, 7}, {0.1, 44}} {
		if got := ReliableRuns(c.p, 0.99); got != c.want {
			t.Errorf("ReliableRuns(%v) = %d, want %d", c.p, got, c.want)
		}
	}
}

package verify

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tagdebug/tag/internal/repair"
	"github.com/tagdebug/tag/internal/repro"
)

func TestSameFunction(t *testing.T) {
	for _, c := range []struct {
		slice, decl string
		want        bool
	}{
		{"github.com/x/shop.Price", "Price", true},
		{"shop.(*Bank).Transfer", "Bank.Transfer", true},
		{"shop.(*Bank).Transfer.func2", "Bank.Transfer", true},
		{"shop.Transfer", "Bank.Transfer", false},
		{"shop.Map[...].Get", "Map.Get", true},
		{"charge", "Worker.charge", true},
		{"com.acme.Cart.total", "Cart.total", true},
		{"com.acme.Cart.total", "Order.total", false},
		{"shop.Price", "Priced", false},
	} {
		if got := sameFunction(c.slice, c.decl); got != c.want {
			t.Errorf("sameFunction(%q, %q) = %v", c.slice, c.decl, got)
		}
	}
}

func TestPythonDecls(t *testing.T) {
	src := `import os
from x import y


class Worker:
    limit = 3

    @retry
    def charge(self, order):
        def inner():
            return 1
        return order.amount * inner()

    def refund(self):
        pass


def main():
    Worker().charge(None)
`
	got := declString(pyDecls([]byte(src)))
	want := "import:1-1 import:2-2 Worker.charge:8-12 Worker.refund:14-15 main:18-19"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestJavaDecls(t *testing.T) {
	src := `package com.acme;

import java.util.List;

public class Cart {
    private int n;

    public Cart(int n) {
        this.n = n;
    }

    public double total(List<Item> items) {
        if (items == null) {
            return 0;
        }
        return items.size() * n;
    }

    static class Item {
        int price() { return 1; }
    }
}
`
	got := declString(javaDecls([]byte(src)))
	want := "import:1-1 import:3-3 Cart.Cart:8-10 Cart.total:12-17 Item.price:20-20"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func declString(ds []decl) string {
	var parts []string
	for _, d := range ds {
		parts = append(parts, d.name+":"+strconv.Itoa(d.start)+"-"+strconv.Itoa(d.end))
	}
	return strings.Join(parts, " ")
}

func TestRank(t *testing.T) {
	a := &Result{Verdict: Rejected, LinesChanged: 1}
	b := &Result{Verdict: Verified, LinesChanged: 9, Locality: 1}
	c := &Result{Verdict: Verified, LinesChanged: 3, Locality: 0.5}
	d := &Result{Verdict: Verified, LinesChanged: 3, Locality: 1}
	got := Rank([]*Result{a, b, c, d})
	if got[0] != d || got[1] != c || got[2] != b || got[3] != a {
		t.Fatalf("rank order wrong: %+v", got)
	}
}

// TestSandboxRunnerTimeout: the limit ends the command and whatever it
// started (the sandbox's own tests cover memory and network).
func TestSandboxRunnerTimeout(t *testing.T) {
	sb, err := repro.NewScratchSandbox()
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	start := time.Now()
	o, err := SandboxRunner{Sandbox: sb}.Run(context.Background(), Cmd{Dir: t.TempDir(), Args: []string{"sh", "-c", "sleep 30 & sleep 30"}, Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if !o.TimedOut || time.Since(start) > 10*time.Second {
		t.Fatalf("not killed at the limit: %+v after %v", o, time.Since(start))
	}
}

func TestOrderPutsSmallerFixesFirst(t *testing.T) {
	diff := func(lines int) string {
		var b strings.Builder
		b.WriteString("diff --git a/x.go b/x.go\n--- a/x.go\n+++ b/x.go\n")
		fmt.Fprintf(&b, "@@ -1,1 +1,%d @@\n ctx\n", lines+1)
		for i := range lines {
			fmt.Fprintf(&b, "+line %d\n", i)
		}
		return b.String()
	}
	cands := []repair.Candidate{{Template: "big", Patch: diff(5)}, {Template: "broken", Patch: "not a diff"},
		{Template: "small", Patch: diff(1)}, {Template: "small-too", Patch: diff(1)}}
	var got []string
	for _, c := range Order(cands) {
		got = append(got, c.Template)
	}
	if want := []string{"small", "small-too", "big", "broken"}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	if n := Size(cands[0]); n != 5 {
		t.Errorf("Size = %d, want 5", n)
	}
}

package redact

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/redact/redacttest"
)

func testEngine(t testing.TB) *Engine {
	t.Helper()
	e, err := New(nil, []byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// leaked reports whether out still holds secret or a 12-byte piece of it
// (a partial redaction leaks as surely as none).
func leaked(out, secret string) bool {
	const piece = 12
	if strings.Contains(out, secret) {
		return true
	}
	for i := 0; i+piece <= len(secret); i += piece / 2 {
		p := secret[i : i+piece]
		if strings.Trim(p, "\n") == p && strings.Contains(out, p) {
			return true
		}
	}
	return false
}

// plantedFragment puts every plant in every context, one node each.
func plantedFragment(ps []redacttest.Plant) (*epg.Fragment, []redacttest.Plant) {
	f := &epg.Fragment{Source: "corpus"}
	var order []redacttest.Plant
	for i, p := range ps {
		for j, c := range redacttest.Contexts {
			f.Nodes = append(f.Nodes, epg.Node{ID: fmt.Sprintf("n%d-%d", i, j), Kind: epg.KindEvent, Service: "checkout",
				Attrs: epg.Attrs{{Key: c.Key, Value: epg.String(c.Wrap(p.Phrase))}}})
			order = append(order, p)
		}
	}
	return f, order
}

func outputText(n *epg.Node) string {
	var b strings.Builder
	b.WriteString(n.Name)
	for _, a := range n.Attrs {
		b.WriteString("\n" + a.Value.AsString())
	}
	return b.String()
}

func recallOf(t *testing.T, ps []redacttest.Plant, label string) float64 {
	e := testEngine(t)
	f, order := plantedFragment(ps)
	if err := e.Redact(f); err != nil {
		t.Fatal(err)
	}
	misses := map[string]int{}
	for i := range f.Nodes {
		if leaked(outputText(&f.Nodes[i]), order[i].Secret) {
			misses[order[i].Provider]++
			if testing.Verbose() {
				t.Logf("miss %s in %s: %q", order[i].Provider, f.Nodes[i].Attrs[0].Key, outputText(&f.Nodes[i]))
			}
		}
	}
	total, missed := len(f.Nodes), 0
	var names []string
	for p, n := range misses {
		missed += n
		names = append(names, fmt.Sprintf("%s×%d", p, n))
	}
	sort.Strings(names)
	r := 1 - float64(missed)/float64(total)
	providers := map[string]bool{}
	for _, p := range ps {
		providers[p.Provider] = true
	}
	msg := fmt.Sprintf("redact %s recall: %.2f%% (%d/%d plants, %d formats, 6 contexts) misses: %v", label, 100*r, total-missed, total, len(providers), names)
	t.Log(msg)
	fmt.Fprintln(os.Stdout, msg)
	return r
}

func TestSecretRecall(t *testing.T) {
	var ps []redacttest.Plant
	for seed := range uint64(10) {
		ps = append(ps, redacttest.NewGen(seed).Secrets()...)
	}
	if r := recallOf(t, ps, "secret"); r < 0.99 {
		t.Errorf("secret recall %.4f < 0.99", r)
	}
}

func TestPIIRecall(t *testing.T) {
	var ps []redacttest.Plant
	for seed := range uint64(20) {
		ps = append(ps, redacttest.NewGen(100+seed).PII()...)
	}
	if r := recallOf(t, ps, "pii"); r < 0.99 {
		t.Errorf("PII recall %.4f < 0.99", r)
	}
}

func TestBenignFalsePositives(t *testing.T) {
	e := testEngine(t)
	lines := redacttest.NewGen(7).Benign(5000)
	fp := 0
	rules := map[string]int{}
	for _, l := range lines {
		fs := e.det.Find(l)
		if len(fs) == 0 {
			continue
		}
		fp++
		for _, f := range fs {
			rules[f.Rule]++
		}
		if testing.Verbose() && fp <= 20 {
			t.Logf("false positive %s: %q in %q", fs[0].Rule, l[fs[0].Start:fs[0].End], l)
		}
	}
	rate := float64(fp) / float64(len(lines))
	msg := fmt.Sprintf("redact benign false-positive rate: %.3f%% (%d/%d lines) by rule: %v", 100*rate, fp, len(lines), rules)
	t.Log(msg)
	fmt.Fprintln(os.Stdout, msg)
	if rate > 0.005 {
		t.Errorf("false-positive rate %.4f > 0.005", rate)
	}
}

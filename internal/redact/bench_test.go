package redact

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/betterleaks/betterleaks/detect"

	"github.com/tagdebug/tag/internal/redact/redacttest"
)

// logText builds about size bytes of log-like text: mostly the benign
// corpus, with a planted secret or PII value every 50 lines, as an
// incident's logs look.
func logText(size int) string {
	g := redacttest.NewGen(42)
	benign := g.Benign(4000)
	var plants []redacttest.Plant
	for s := range uint64(4) {
		plants = append(plants, redacttest.NewGen(s).Secrets()...)
		plants = append(plants, redacttest.NewGen(50+s).PII()...)
	}
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "2026-03-14T09:26:%02d.%03dZ INFO svc=checkout ", i%60, i%1000)
		if i%50 == 49 {
			b.WriteString(redacttest.Contexts[1].Wrap(plants[(i/50)%len(plants)].Phrase))
		} else {
			b.WriteString(benign[i%len(benign)])
		}
		b.WriteByte('\n')
	}
	return b.String()
}

var (
	baselineOnce sync.Once
	baseline     *detect.Detector
	baselineErr  error
)

// betterleaks is the comparison target: the maintained successor of
// gitleaks with its default rule set.
func betterleaks(tb testing.TB) *detect.Detector {
	baselineOnce.Do(func() { baseline, baselineErr = detect.NewDetectorDefaultConfig() })
	if baselineErr != nil {
		tb.Skip("betterleaks:", baselineErr)
	}
	return baseline
}

// BenchmarkRedact measures redaction throughput with the full default
// rule set and, on the same bytes, the betterleaks detector. Run:
//
//	go test ./internal/redact -run '^$' -bench Redact -benchtime 2s
func BenchmarkRedact(b *testing.B) {
	text := logText(1 << 20)
	b.Run("tag", func(b *testing.B) {
		e := testEngine(b)
		b.SetBytes(int64(len(text)))
		b.ReportAllocs()
		for b.Loop() {
			_ = e.RedactText(text)
		}
	})
	b.Run("tag-detect-only", func(b *testing.B) {
		d := DefaultDetector()
		b.SetBytes(int64(len(text)))
		b.ReportAllocs()
		for b.Loop() {
			_ = d.Find(text)
		}
	})
	b.Run("betterleaks", func(b *testing.B) {
		d := betterleaks(b)
		b.SetBytes(int64(len(text)))
		b.ReportAllocs()
		for b.Loop() {
			_ = d.DetectString(text)
		}
	})
}

// TestBaselineRecall measures betterleaks on the secret corpus, each
// plant in the log-line context, to compare recall at equal input.
func TestBaselineRecall(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: loads the betterleaks rule set")
	}
	d := betterleaks(t)
	e := testEngine(t)
	var ps []redacttest.Plant
	for seed := range uint64(3) {
		ps = append(ps, redacttest.NewGen(seed).Secrets()...)
	}
	hitBL, hitTAG := 0, 0
	var missBL []string
	for _, p := range ps {
		line := redacttest.Contexts[1].Wrap(p.Phrase)
		found := false
		for _, f := range d.DetectString(line) {
			if overlaps(f.Secret, p.Secret) || overlaps(f.Match, p.Secret) {
				found = true
				break
			}
		}
		if found {
			hitBL++
		} else if !strings.Contains(strings.Join(missBL, ","), p.Provider) {
			missBL = append(missBL, p.Provider)
		}
		if !leaked(e.RedactText(line), p.Secret) {
			hitTAG++
		}
	}
	msg := fmt.Sprintf("recall on %d planted secrets: tag %.1f%%, betterleaks %.1f%% (betterleaks misses: %s)",
		len(ps), 100*float64(hitTAG)/float64(len(ps)), 100*float64(hitBL)/float64(len(ps)), strings.Join(missBL, ", "))
	t.Log(msg)
	fmt.Fprintln(os.Stdout, msg)
}

// overlaps reports whether a reported secret covers a 12-byte piece of the
// planted one (detectors differ on where a secret starts and ends).
func overlaps(reported, secret string) bool {
	if reported == "" {
		return false
	}
	if strings.Contains(reported, secret) || strings.Contains(secret, reported) && len(reported) >= 12 {
		return true
	}
	return leaked(reported, secret)
}

package report

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Risk levels.
const (
	RiskLow    = "low"
	RiskMedium = "medium"
	RiskHigh   = "high"
)

// Risk is the reviewer's estimate of what the patch could break, derived
// from the patch and the incident kind.
type Risk struct {
	Level   string `json:"level"`
	Summary string `json:"summary"`
	// Files are the non-test files the fix touches.
	Files []string `json:"files"`
	// Added and Removed count the fix's changed lines (tests excluded).
	Added   int `json:"added"`
	Removed int `json:"removed"`
	// Concurrency names the synchronisation the fix changes ("lock",
	// "channel", "goroutine", "atomic", "context"), or the incident's
	// concurrency kind; empty when neither.
	Concurrency string `json:"concurrency,omitempty"`
	// API lists changed declarations of exported identifiers, as
	// "file: declaration".
	API []string `json:"api,omitempty"`
}

var (
	exportedDecl = regexp.MustCompile(`^\s*(?:func\s+(?:\([^)]*\)\s*)?|type\s+|var\s+|const\s+)([A-Z]\w*)`)
	syncPatterns = []struct {
		kind string
		re   *regexp.Regexp
	}{
		{"lock", regexp.MustCompile(`\.(?:R?Lock|R?Unlock|TryLock)\(|sync\.(?:RW)?Mutex|synchronized|ReentrantLock`)},
		{"channel", regexp.MustCompile(`<-|\bchan\b|\bselect\s*\{|close\(`)},
		{"goroutine", regexp.MustCompile(`\bgo\s+(?:func\b|\w+\()|WaitGroup|errgroup`)},
		{"atomic", regexp.MustCompile(`\batomic\.`)},
		{"context", regexp.MustCompile(`context\.With(?:Cancel|Timeout|Deadline)|\.Done\(\)`)},
	}
	concurrencyKinds = []string{"deadlock", "race", "leak"}
)

// AssessRisk derives the risk of b's patch. b.Risk, when set, replaces
// the derived summary; the figures are derived either way.
func AssessRisk(b *Bundle) Risk {
	st := parseDiff(b.Candidate.Patch)
	r := Risk{Files: []string{}}
	for _, f := range st.files {
		if !isTestFile(f) {
			r.Files = append(r.Files, f)
		}
	}
	for _, l := range st.lines {
		if isTestFile(l.file) {
			continue
		}
		if l.added {
			r.Added++
		} else {
			r.Removed++
		}
		if r.Concurrency == "" {
			r.Concurrency = syncKind(l.text)
		}
		if m := exportedDecl.FindStringSubmatch(l.text); m != nil && strings.HasSuffix(l.file, ".go") {
			d := l.file + ": " + strings.TrimSpace(l.text)
			if !slices.Contains(r.API, d) {
				r.API = append(r.API, d)
			}
		}
	}
	if r.Concurrency == "" && b.Report != nil && slices.Contains(concurrencyKinds, b.Report.Kind) {
		r.Concurrency = b.Report.Kind
	}
	r.Level = riskLevel(r)
	r.Summary = b.Risk
	if r.Summary == "" {
		r.Summary = riskSummary(r)
	}
	return r
}

func syncKind(line string) string {
	for _, p := range syncPatterns {
		if p.re.MatchString(line) {
			return p.kind
		}
	}
	return ""
}

func riskLevel(r Risk) string {
	changed := r.Added + r.Removed
	switch {
	case len(r.API) > 0 || len(r.Files) > 3 || changed > 100:
		return RiskHigh
	case r.Concurrency != "" || len(r.Files) > 1 || changed > 20:
		return RiskMedium
	}
	return RiskLow
}

func riskSummary(r Risk) string {
	s := fmt.Sprintf("%d %s, +%d/−%d lines", len(r.Files), plural(len(r.Files), "file", "files"), r.Added, r.Removed)
	if r.Concurrency != "" {
		s += "; changes concurrency (" + r.Concurrency + ")"
	}
	if len(r.API) > 0 {
		s += fmt.Sprintf("; changes %d exported %s", len(r.API), plural(len(r.API), "declaration", "declarations"))
	} else {
		s += "; no exported API changes"
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func isTestFile(f string) bool {
	base := f[strings.LastIndexByte(f, '/')+1:]
	return strings.HasSuffix(base, "_test.go") || strings.HasPrefix(base, "test_") ||
		strings.HasSuffix(base, "_test.py") || strings.HasSuffix(base, "Test.java") ||
		strings.Contains("/"+f, "/testdata/") || strings.Contains("/"+f, "/src/test/")
}

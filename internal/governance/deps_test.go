package governance

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// depRule is one line of DESIGN.md §1: packages matched by applies must not
// depend, directly or transitively, on anything forbidden reports.
type depRule struct {
	name      string
	applies   func(rel string) bool      // rel: import path relative to the module
	forbidden func(dep, rel string) bool // dep: full import path; rel: dep relative to the module, or ""
}

func under(rel, dir string) bool { return within(rel, dir) }

func depRules() []depRule {
	return []depRule{
		{
			name:    "epg imports nothing of the project outside epg/...",
			applies: func(rel string) bool { return under(rel, "epg") },
			forbidden: func(_, rel string) bool {
				return rel != "" && !under(rel, "epg")
			},
		},
		{
			name:    "internal/analysis is pure: no I/O, store or server",
			applies: func(rel string) bool { return under(rel, "internal/analysis") },
			forbidden: func(dep, rel string) bool {
				return within(dep, "net/http") || dep == "database/sql" || dep == "os/exec" ||
					under(rel, "internal/store") || under(rel, "internal/server")
			},
		},
		{
			name: "internal/evidence and internal/redact import no network client or LLM SDK",
			applies: func(rel string) bool {
				return under(rel, "internal/evidence") || under(rel, "internal/redact")
			},
			forbidden: func(dep, _ string) bool {
				return within(dep, "net/http") || within(dep, "google.golang.org/grpc") ||
					strings.HasPrefix(dep, "github.com/openai/") || strings.HasPrefix(dep, "github.com/anthropics/")
			},
		},
		{
			name:    "only cmd/... and internal/server import internal/server",
			applies: func(rel string) bool { return !under(rel, "cmd") && !under(rel, "internal/server") },
			forbidden: func(_, rel string) bool {
				return under(rel, "internal/server")
			},
		},
	}
}

// TestDependencyRules checks DESIGN.md §1 against the transitive, non-test
// dependencies that `go list -deps` reports.
func TestDependencyRules(t *testing.T) {
	mod, pkgs := goList(t)
	rel := func(path string) string {
		if within(path, mod) {
			return strings.TrimPrefix(strings.TrimPrefix(path, mod), "/")
		}
		return ""
	}
	for _, r := range depRules() {
		var bad []string
		for _, p := range pkgs {
			pr := rel(p.ImportPath)
			if !r.applies(pr) {
				continue
			}
			// Group by the package's own import that crosses the rule,
			// which is the line to change.
			var order []string
			byImport := map[string][]string{}
			for _, d := range p.Deps {
				if !r.forbidden(d, rel(d)) {
					continue
				}
				chain := importChain(t, p.ImportPath, d)
				if slices.ContainsFunc(chain[1:len(chain)-1], func(c string) bool { return r.forbidden(c, rel(c)) }) {
					continue // reported where the chain first crosses
				}
				via := chain[1]
				if _, ok := byImport[via]; !ok {
					order = append(order, via)
				}
				byImport[via] = append(byImport[via], d)
			}
			for _, via := range order {
				bad = append(bad, fmt.Sprintf("%s imports %s, which brings in %s", pr, via, strings.Join(byImport[via], ", ")))
			}
		}
		if len(bad) > 0 {
			t.Errorf("DESIGN.md §1 rule %q is broken:\n\t%s", r.name, strings.Join(bad, "\n\t"))
		}
	}
}

// importChain finds a shortest chain of direct imports from one package to
// a dependency, so that a broken rule names the import to remove.
func importChain(t *testing.T, from, to string) []string {
	direct := directImports(t)
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		if x == to {
			var chain []string
			for c := x; c != ""; c = prev[c] {
				chain = append(chain, c)
			}
			slices.Reverse(chain)
			return chain
		}
		for _, y := range direct[x] {
			if _, ok := prev[y]; !ok {
				prev[y] = x
				queue = append(queue, y)
			}
		}
	}
	return []string{from, "…", to}
}

// The rules themselves, on made-up packages, so that a typo in a matcher
// cannot make TestDependencyRules pass vacuously.
func TestDependencyRuleMatchers(t *testing.T) {
	const mod = "example.com/m"
	tests := []struct {
		pkg, dep string
		broken   bool
	}{
		{"epg", "example.com/m/epg/epgpb", false},
		{"epg/epgpb", "example.com/m/internal/store", true},
		{"epg", "example.com/m/epgx", true},
		{"epg", "google.golang.org/protobuf/proto", false},
		{"internal/analysis/slice", "os/exec", true},
		{"internal/analysis/slice", "net/http/httptrace", true},
		{"internal/analysis/slice", "database/sql", true},
		{"internal/analysis/slice", "example.com/m/internal/store/sqlite", true},
		{"internal/analysis/slice", "example.com/m/epg", false},
		{"internal/analysis", "os", false},
		{"internal/evidence/otlp", "google.golang.org/grpc/codes", true},
		{"internal/evidence/otlp", "github.com/openai/openai-go", true},
		{"internal/redact", "github.com/anthropics/anthropic-sdk-go", true},
		{"internal/redact/detect", "net/http", true},
		{"internal/evidence", "net/url", false},
		{"internal/evidencex", "net/http", false},
		{"internal/ingest", "example.com/m/internal/server", true},
		{"internal/ingest", "example.com/m/internal/serverless", false},
		{"cmd/tag", "example.com/m/internal/server", false},
		{"internal/server/api", "example.com/m/internal/server", false},
	}
	for _, tt := range tests {
		broken := false
		for _, r := range depRules() {
			depRel := ""
			if within(tt.dep, mod) {
				depRel = strings.TrimPrefix(tt.dep, mod+"/")
			}
			if r.applies(tt.pkg) && r.forbidden(tt.dep, depRel) {
				broken = true
			}
		}
		if broken != tt.broken {
			t.Errorf("%s → %s: broken = %v, want %v", tt.pkg, tt.dep, broken, tt.broken)
		}
	}
}

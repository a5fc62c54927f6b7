package template

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagdebug/tag/internal/rca"
	"github.com/tagdebug/tag/internal/repair"
)

// variant is a code shape a fixture does not exercise: a one-file module,
// the report's kind, title and one candidate line (marked `// site` in
// the source), and what the patch must say.
type variant struct {
	name, kind, title, template, src string
	want                             []string
}

var variants = []variant{{
	name: "ctx-timeout without a context", kind: "timeout", title: "timeout in GET /status after 30s", template: "ctx-timeout",
	src: `package v

import "net/http"

// Status asks the backend whether it is up.
func Status(base string) (int, error) {
	req, err := http.NewRequest(http.MethodGet, base+"/status", nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req) // site
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
`,
	want: []string{"ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)", "defer cancel()",
		"http.NewRequestWithContext(ctx, http.MethodGet"},
}, {
	name: "ctx-timeout in a handler", kind: "blocked", title: "test timed out", template: "ctx-timeout",
	src: `package v

import "net/http"

// Proxy forwards a request to the backend.
type Proxy struct{ Backend string }

// ServeHTTP answers with the backend's status.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req, err := http.NewRequest(http.MethodGet, p.Backend, nil)
	if err != nil {
		return
	}
	resp, err := http.DefaultClient.Do(req) // site
	if err != nil {
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	resp.Body.Close()
	w.WriteHeader(resp.StatusCode)
}
`,
	want: []string{"context.WithTimeout(r.Context(), 10*time.Second)"},
}, {
	name: "send-or-done for senders in a loop", kind: "leak", title: "goroutine leak: 2 goroutines stuck in chan send", template: "send-or-done",
	src: `package v

import "context"

// First returns the first answer of fetch over urls.
func First(ctx context.Context, urls []string, fetch func(string) string) (string, error) {
	ch := make(chan string)
	for _, u := range urls {
		go func() {
			ch <- fetch(u) // site
		}()
	}
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
`,
	want: []string{"case ch <- fetch(u):", "case <-ctx.Done():"},
}, {
	name: "unlock-on-return before slow work", kind: "blocked", title: "test timed out", template: "unlock-on-return",
	src: `package v

import (
	"errors"
	"sync"
)

// Queue hands out items once.
type Queue struct {
	mu    sync.Mutex
	items map[string]int
	log   func(string)
}

// Take removes key's item and logs it outside the lock.
func (q *Queue) Take(key string) (int, error) {
	q.mu.Lock() // site
	v, ok := q.items[key]
	if !ok {
		return 0, errors.New("no item")
	}
	delete(q.items, key)
	q.mu.Unlock()
	q.log(key)
	return v, nil
}
`,
	want: []string{"+\t\tq.mu.Unlock()\n \t\treturn 0, errors.New(\"no item\")"},
}, {
	name: "defer-unlock where nothing unlocks", kind: "deadlock", title: "all goroutines are asleep", template: "defer-unlock",
	src: `package v

import "sync"

// Table counts rows.
type Table struct {
	mu   sync.Mutex
	rows int
}

// Insert adds a row.
func (t *Table) Insert() {
	t.mu.Lock() // site
	t.rows++
}
`,
	want: []string{"+\tdefer t.mu.Unlock()"},
}}

// TestTemplateVariants proposes for each variant and builds the patched
// module, so each shape's patch is at least well-typed Go.
func TestTemplateVariants(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeFile(t, dir, "go.mod", "module example.com/v\n\ngo 1.24\n")
			writeFile(t, dir, "v.go", v.src)
			line := 1 + strings.Count(v.src[:strings.Index(v.src, "// site")], "\n")
			rep := &rca.Report{Kind: v.kind, Title: v.title, Candidates: []rca.Candidate{{File: "v.go", Line: line, Node: "frame:site"}}}
			c := propose(t, &repair.Request{Report: rep, Repo: dir}, v.template)
			for _, w := range v.want {
				must(t, strings.Contains(c.Patch, w), "the patch lacks %q:\n%s", w, c.Patch)
			}
			writeFile(t, dir, "v.go", applied(t, dir, c.Patch)["v.go"])
			cmd := exec.CommandContext(context.Background(), "go", "vet", ".")
			cmd.Dir, cmd.Env = dir, append(os.Environ(), "GOFLAGS=", "GOWORK=off")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("the patched variant does not build: %v\n%s\n%s", err, out, readFile(t, filepath.Join(dir, "v.go")))
			}
		})
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

package verify

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLocalityReceiverFields: a field added to the type of an implicated
// method's receiver counts inside the slice (the state the method's fix
// needs), while changing an existing field, or adding one to another
// type, does not.
func TestLocalityReceiverFields(t *testing.T) {
	const orig = `package inv

import "sync"

type Inventory struct {
	mu    sync.Mutex
	stock map[string]int
}

type Other struct{ n int }

func (inv *Inventory) Reserve(sku string) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	inv.stock[sku]--
}
`
	slice := []Location{{File: "inv/inv.go", Function: "example.com/inv.(*Inventory).Reserve"}}
	for _, c := range []struct {
		name, from, to string
		outside        int
	}{
		{"new field", "\tmu    sync.Mutex\n", "\tkeys  sync.Map\n\tmu    sync.Mutex\n", 0},
		{"changed field", "\tstock map[string]int\n", "\tstock map[string]int64\n", 1},
		{"field of another type", "type Other struct{ n int }", "type Other struct {\n\tn int\n\tm int\n}", 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			patched := strings.Replace(orig, c.from, c.to, 1)
			repo, after := t.TempDir(), t.TempDir()
			for dir, src := range map[string]string{repo: orig, after: patched} {
				if err := os.MkdirAll(filepath.Join(dir, "inv"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "inv", "inv.go"), []byte(src), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			files, err := parseDiff(gitDiff(t, "inv/inv.go", orig, patched))
			if err != nil {
				t.Fatal(err)
			}
			loc, err := measureLocality(repo, after, files, slice)
			if err != nil {
				t.Fatal(err)
			}
			if loc.outside != c.outside {
				t.Errorf("%d lines outside (%v), want %d", loc.outside, loc.outsideAt, c.outside)
			}
		})
	}
}

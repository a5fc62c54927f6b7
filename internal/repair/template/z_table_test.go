package template

import (
	"sort"
	"strings"
	"testing"
)

// TestZPatchTable logs the BENCHMARKS.md table of the cases that ran
// (go test -v -run 'Test.*|TestZPatchTable' ./internal/repair/template).
func TestZPatchTable(t *testing.T) {
	measured.Lock()
	defer measured.Unlock()
	if len(measured.rows) == 0 {
		t.Skip("no case ran")
	}
	var rows []string
	for _, r := range measured.rows {
		rows = append(rows, r)
	}
	sort.Strings(rows)
	t.Logf("\n| case | template | lines changed | +/− | inside the slice |\n|---|---|---|---|---|\n%s", strings.Join(rows, "\n"))
}

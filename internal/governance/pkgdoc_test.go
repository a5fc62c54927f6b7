package governance

import (
	"strings"
	"testing"
)

// Every package says what it holds (STYLE.md).
func TestPackagesHaveDocComments(t *testing.T) {
	_, pkgs := goList(t)
	var missing []string
	for _, p := range pkgs {
		if p.Error != nil {
			t.Logf("%s does not load, not checked: %s", p.ImportPath, p.Error.Err)
			continue
		}
		if len(p.GoFiles) == 0 {
			continue // test-only directory; go list has no doc to show
		}
		if strings.TrimSpace(p.Doc) == "" {
			missing = append(missing, p.ImportPath+" ("+p.Dir+")")
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d package(s) without a package doc comment (add a doc.go with \"// Package name ...\"):\n\t%s",
			len(missing), strings.Join(missing, "\n\t"))
	}
}

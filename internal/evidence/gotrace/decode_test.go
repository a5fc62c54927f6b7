package gotrace

import (
	"path/filepath"
	"testing"

	"github.com/tagdebug/tag/internal/evidence/evidencetest"
)

var fixtures = []string{"contention", "flightrec"}

func TestGolden(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			evidencetest.Golden(t, &Decoder{}, filepath.Join("testdata", name+".trace"), filepath.Join("testdata", name+".golden.json"))
		})
	}
}

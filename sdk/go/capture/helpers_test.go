package capture_test

import (
	"compress/gzip"
	"io"
	"os"
	"strconv"
	"testing"
)

func itoa(n int) string { return strconv.Itoa(n) }

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func gzipReader(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }

package stacktrace

import "testing"

func TestGoInApp(t *testing.T) {
	for _, tc := range []struct {
		pkg, file string
		want      bool
	}{
		{"main", "/src/app/main.go", true},
		{"main", "example.com/app/main.go", true},               // -trimpath
		{"sync", "sync/mutex.go", false},                        // -trimpath GOROOT
		{"net/http", "/opt/go/src/net/http/server.go", false},   // unusual GOROOT
		{"github.com/x/y", "github.com/x/y@v1.2.3/y.go", false}, // -trimpath module cache
		{"github.com/x/y", "/root/go/pkg/mod/github.com/x/y@v1.2.3/y.go", false},
		{"example.com/app/store", "/build/app/vendor/example.com/app/store/s.go", false},
		{"example.com/app/store", "example.com/app/store/s.go", true},
		{"goker/blocking/moby/7559", "/src/gobench/moby7559_test.go", true}, // local module without a dot
		{"", "", false}, // builtins
	} {
		if got := GoInApp(tc.pkg, tc.file); got != tc.want {
			t.Errorf("GoInApp(%q, %q) = %v, want %v", tc.pkg, tc.file, got, tc.want)
		}
	}
}

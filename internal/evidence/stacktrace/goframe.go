package stacktrace

import "strings"

// goFuncName drops the argument list from "pkg.(*T).M(0x1, ...)".
func goFuncName(l string) string {
	l = strings.TrimRight(l, " ")
	if i := MatchingOpen(l); i > 0 {
		return l[:i]
	}
	return l
}

func goFrame(fn string) Frame {
	return Frame{Function: fn, Module: GoPackage(fn), Lang: LangGo}
}

// GoPackage returns the package path of a qualified Go function name:
// up to the first dot after the last slash, ignoring type arguments,
// which may themselves hold slashes and dots.
func GoPackage(fn string) string {
	if i := strings.IndexByte(fn, '['); i >= 0 {
		fn = fn[:i]
	}
	slash := strings.LastIndexByte(fn, '/') + 1
	dot := strings.IndexByte(fn[slash:], '.')
	if dot < 0 {
		return ""
	}
	return fn[:slash+dot]
}

// goFileLine reads "\t/path/file.go:12 +0x1d", with any further
// "fp=... sp=... pc=..." fields. The path may contain spaces, so fields
// are dropped from the right until the text ends in ":line".
func goFileLine(l string) (string, int, bool) {
	ind, s := indentOf(l)
	if ind == 0 {
		return "", 0, false
	}
	s = strings.TrimRight(s, " ")
	for range 6 {
		if i := strings.LastIndexByte(s, ':'); i > 0 {
			if n, ok := atoi(s[i+1:]); ok {
				return s[:i], n, true
			}
		}
		j := strings.LastIndexByte(s, ' ')
		if j < 0 {
			break
		}
		s = s[:j]
	}
	return "", 0, false
}

// goInApp applies GoInApp to a parsed frame.
func goInApp(f Frame) bool { return GoInApp(f.Module, f.File) }

// GoInApp decides whether a Go frame of package pkg, in file, is the
// program's own code. Builtins ("panic") have no package. Module-cache
// and vendored files are third party; -trimpath prints them as
// "module@version/file.go". The standard library is recognised by its
// top-level package names rather than by GOROOT, because -trimpath prints
// GOROOT files as "runtime/proc.go" and a build machine's GOROOT need not
// be this machine's. Package main and local modules whose path has no dot
// are in-app.
func GoInApp(pkg, file string) bool {
	if pkg == "" {
		return false
	}
	if strings.Contains(file, "/pkg/mod/") || strings.Contains(file, "/vendor/") ||
		strings.HasPrefix(file, "vendor/") || strings.Contains(file, "@v") {
		return false
	}
	if pkg == "main" {
		return true
	}
	return !goStdTop[firstElem(pkg)]
}

// goStdTop holds the first path element of every standard-library
// package (go1.26), plus "vendor" for GOROOT's vendored golang.org/x
// packages.
var goStdTop = map[string]bool{
	"archive": true, "bufio": true, "builtin": true, "bytes": true, "cmp": true,
	"compress": true, "container": true, "context": true, "crypto": true,
	"database": true, "debug": true, "embed": true, "encoding": true,
	"errors": true, "expvar": true, "flag": true, "fmt": true, "go": true,
	"hash": true, "html": true, "image": true, "index": true, "internal": true,
	"io": true, "iter": true, "log": true, "maps": true, "math": true,
	"mime": true, "net": true, "os": true, "path": true, "plugin": true,
	"reflect": true, "regexp": true, "runtime": true, "slices": true,
	"sort": true, "strconv": true, "strings": true, "structs": true,
	"sync": true, "syscall": true, "testing": true, "text": true, "time": true,
	"unicode": true, "unique": true, "unsafe": true, "weak": true,
	"vendor": true,
}

func firstElem(pkg string) string {
	if i := strings.IndexByte(pkg, '/'); i >= 0 {
		return pkg[:i]
	}
	return pkg
}

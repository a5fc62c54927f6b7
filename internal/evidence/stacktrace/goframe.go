package stacktrace

import "strings"

// goFuncName drops the argument list from "pkg.(*T).M(0x1, ...)".
func goFuncName(l string) string {
	l = strings.TrimRight(l, " ")
	if i := matchingOpen(l); i > 0 {
		return l[:i]
	}
	return l
}

func goFrame(fn string) Frame {
	return Frame{Function: fn, Module: goPackage(fn), Lang: LangGo}
}

// goPackage returns the package path of a qualified Go function name:
// up to the first dot after the last slash, ignoring type arguments,
// which may themselves hold slashes and dots.
func goPackage(fn string) string {
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

// goInApp decides whether a Go frame is the program's own code. Frames
// are not in-app when the file lies in a module cache or vendor tree
// (third party), under GOROOT's src (the standard library: a path ending
// in "/src/<pkg>/<file>" for a package whose first path element has no
// dot, or a conventional GOROOT such as /usr/local/go/src/), or, when
// the file is unknown, when the package looks like the standard library
// (no dot in its first path element). Package main and local modules
// without a dot in their path are in-app when their files are elsewhere.
func goInApp(f Frame) bool {
	pkg, file := f.Module, f.File
	if pkg == "" {
		return false // builtins such as panic
	}
	std := !strings.Contains(firstElem(pkg), ".") && pkg != "main"
	switch {
	case strings.Contains(file, "/pkg/mod/"), strings.Contains(file, "/vendor/"):
		return false
	case strings.HasPrefix(file, "/usr/local/go/src/"), strings.HasPrefix(file, "/usr/lib/go/src/"):
		return false
	case file == "":
		return !std
	case std && strings.Contains(file, "/src/"+pkg+"/"):
		return false
	}
	return true
}

func firstElem(pkg string) string {
	if i := strings.IndexByte(pkg, '/'); i >= 0 {
		return pkg[:i]
	}
	return pkg
}

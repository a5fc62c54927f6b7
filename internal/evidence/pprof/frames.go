package pprof

import (
	"strconv"
	"strings"

	"github.com/google/pprof/profile"

	"github.com/tagdebug/tag/internal/evidence/stacktrace"
)

// funcKey identifies a function across a profile: pprof may hold several
// Function records for one name (one per mapping), which are the same
// code to a reader.
type funcKey struct{ name, file string }

// frameTable turns profile locations into stacktrace frames, classifying
// each function once.
type frameTable struct {
	keys  map[funcKey]int32
	funcs []funcInfo
	// locs caches, per location, the function indices of its lines,
	// innermost (most inlined) first, and their line numbers.
	locs map[*profile.Location]locFrames
}

// funcInfo is one distinct function and its classification.
type funcInfo struct {
	key   funcKey
	frame stacktrace.Frame // Line unset; Module, Lang, InApp filled
}

type locFrames struct {
	funcs []int32
	lines []int64
}

func newFrameTable(p *profile.Profile) *frameTable {
	n := max(len(p.Function), len(p.Location)) // legacy profiles have locations only
	return &frameTable{keys: make(map[funcKey]int32, n), funcs: make([]funcInfo, 0, n),
		locs: make(map[*profile.Location]locFrames, len(p.Location))}
}

// location returns loc's frames, innermost first. An unsymbolized
// location becomes one frame named by its address, so that legacy C++
// profiles still show their shape.
func (t *frameTable) location(loc *profile.Location) locFrames {
	if lf, ok := t.locs[loc]; ok {
		return lf
	}
	n := max(len(loc.Line), 1)
	lf := locFrames{funcs: make([]int32, 0, n), lines: make([]int64, 0, n)}
	for _, ln := range loc.Line {
		name, file := "", ""
		if ln.Function != nil {
			name, file = ln.Function.Name, ln.Function.Filename
			if name == "" {
				name = ln.Function.SystemName
			}
		}
		if name == "" {
			name = "0x" + strconv.FormatUint(loc.Address, 16)
		}
		lf.funcs = append(lf.funcs, t.function(funcKey{name, file}))
		lf.lines = append(lf.lines, ln.Line)
	}
	if len(lf.funcs) == 0 {
		lf.funcs = append(lf.funcs, t.function(funcKey{"0x" + strconv.FormatUint(loc.Address, 16), ""}))
		lf.lines = append(lf.lines, 0)
	}
	t.locs[loc] = lf
	return lf
}

func (t *frameTable) function(k funcKey) int32 {
	if i, ok := t.keys[k]; ok {
		return i
	}
	i := int32(len(t.funcs))
	t.keys[k] = i
	t.funcs = append(t.funcs, funcInfo{key: k, frame: classify(k)})
	return i
}

// frame returns function i as a frame at line.
func (t *frameTable) frame(i int32, line int64) stacktrace.Frame {
	fr := t.funcs[i].frame
	fr.Line = int(line)
	return fr
}

// classify fills language, module and in-app for a function. The
// heuristics are package stacktrace's, reached through its parser: we
// print the frame as the runtime would and read it back. Two adaptations:
//   - binaries built with -trimpath print standard-library files as
//     "<pkg>/<file>.go" and module-cache files as "<module>@<version>/...",
//     where the heuristics expect GOROOT and GOMODCACHE paths; we re-root
//     such relative paths before asking (Loc keeps the original);
//   - names that are neither Go nor Java (C++, unsymbolized addresses)
//     get no language and are not in-app: we cannot tell.
func classify(k funcKey) stacktrace.Frame {
	fr := stacktrace.Frame{Function: k.name, File: k.file}
	var text, lang string
	switch {
	case strings.HasSuffix(k.file, ".go"):
		lang = stacktrace.LangGo
		file := k.file
		if !strings.HasPrefix(file, "/") {
			if strings.Contains(file, "@v") {
				file = "/go/pkg/mod/" + file
			} else {
				file = "/usr/local/go/src/" + file
				if !goStdFile(k.name) {
					file = "/app/" + k.file
				}
			}
		}
		text = "goroutine 1 [running]:\n" + k.name + "()\n\t" + file + ":1 +0x0\n"
	case strings.HasSuffix(k.file, ".java") || (k.file == "" && javaName(k.name)):
		lang = stacktrace.LangJava
		text = "java.lang.Exception\n\tat " + k.name + "(Unknown Source)\n"
	default:
		return fr
	}
	fr.Lang = lang
	if tr, err := stacktrace.ParseLang(text, lang); err == nil && len(tr.Frames) == 1 {
		fr.Module, fr.InApp = tr.Frames[0].Module, tr.Frames[0].InApp
	}
	return fr
}

// goStdFile reports whether a Go function belongs to the standard
// library: its package path's first element has no dot and it is not
// package main (the convention Go itself relies on).
func goStdFile(fn string) bool {
	if i := strings.IndexByte(fn, '['); i >= 0 {
		fn = fn[:i]
	}
	slash := strings.LastIndexByte(fn, '/') + 1
	dot := strings.IndexByte(fn[slash:], '.')
	if dot < 0 {
		return false
	}
	pkg := fn[:slash+dot]
	if pkg == "main" {
		return false
	}
	first, _, _ := strings.Cut(pkg, "/")
	return !strings.Contains(first, ".")
}

// javaName reports whether name looks like a qualified Java method
// (package.Class.method, no C++ punctuation).
func javaName(name string) bool {
	return strings.Count(name, ".") >= 2 && !strings.ContainsAny(name, " :()<>/")
}

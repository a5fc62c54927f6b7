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

// classify fills language, module and in-app for a function with package
// stacktrace's rules. Go frames use its Go rules directly (they read
// -trimpath paths too); Java frames are read back through its parser as a
// one-frame trace; names that are neither Go nor Java (C++, unsymbolized
// addresses) get no language and are not in-app: we cannot tell.
func classify(k funcKey) stacktrace.Frame {
	fr := stacktrace.Frame{Function: k.name, File: k.file}
	switch {
	case strings.HasSuffix(k.file, ".go"):
		fr.Lang = stacktrace.LangGo
		fr.Module = stacktrace.GoPackage(k.name)
		fr.InApp = stacktrace.GoInApp(fr.Module, k.file)
	case strings.HasSuffix(k.file, ".java") || (k.file == "" && javaName(k.name)):
		fr.Lang = stacktrace.LangJava
		text := "java.lang.Exception\n\tat " + k.name + "(Unknown Source)\n"
		if tr, err := stacktrace.ParseLang(text, fr.Lang); err == nil && len(tr.Frames) == 1 {
			fr.Module, fr.InApp = tr.Frames[0].Module, tr.Frames[0].InApp
		}
	}
	return fr
}

// javaName reports whether name looks like a qualified Java method
// (package.Class.method, no C++ punctuation).
func javaName(name string) bool {
	return strings.Count(name, ".") >= 2 && !strings.ContainsAny(name, " :()<>/")
}

package verify

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/bluekeyes/go-gitdiff/gitdiff"

	"github.com/tagdebug/tag/internal/rca"
)

// MinLocality is the share of a patch's counted lines that must fall
// inside the implicated functions. It is 1: a fix that the evidence
// grounds changes the functions the failure ran through and nothing
// else, except for what such a change drags along and is exempt (import
// blocks, blank lines) or is new and local (a helper declared in the same
// file as an implicated function, a field added to an implicated method's
// receiver type there). Anything else, however small, is an
// edit the evidence does not justify, and a reviewer should see it as a
// separate change; the regression test diff is never counted.
const MinLocality = 1.0

// Location names an implicated function: its file (repository-relative,
// or an absolute build path whose tail is repository-relative; empty
// matches any file) and its name as a stack trace spells it
// ("example.com/shop.(*Bank).Transfer", "shop.Price", "Cls.method",
// "com.acme.Cart.total").
type Location struct {
	File     string `json:"file,omitempty"`
	Function string `json:"function"`
}

// SliceLocations derives the implicated functions from a report: its root
// cause and its ranked candidates that name a function.
func SliceLocations(r *rca.Report) []Location {
	if r == nil {
		return nil
	}
	var out []Location
	seen := map[Location]bool{}
	add := func(file, fn string) {
		l := Location{File: file, Function: fn}
		if fn != "" && !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	add(r.RootCause.Location.File, r.RootCause.Location.Function)
	for _, c := range r.Candidates {
		add(c.File, c.Function)
	}
	return out
}

// locality is the outcome of mapping a patch's changed lines to
// declarations.
type locality struct {
	inside, outside int
	outsideAt       []string // "file:line (decl)" of the first lines outside
	unreadable      []string // files whose declarations could not be read
}

func (l locality) share() float64 {
	if l.inside+l.outside == 0 {
		return 1
	}
	return float64(l.inside) / float64(l.inside+l.outside)
}

// measureLocality maps every added and deleted line of the patch to the
// declaration enclosing it: deleted lines in the original file (read from
// repo), added lines in the patched file (read from after).
func measureLocality(repo, after string, files []*gitdiff.File, slice []Location) (locality, error) {
	var loc locality
	for _, f := range files {
		if err := loc.addFile(repo, after, f, slice); err != nil {
			return loc, err
		}
	}
	return loc, nil
}

func (loc *locality) addFile(repo, after string, f *gitdiff.File, slice []Location) error {
	name := fileName(f)
	var oldDecls, newDecls []decl
	oldOK, newOK := true, true
	if !f.IsNew {
		src, err := os.ReadFile(filepath.Join(repo, filepath.FromSlash(f.OldName)))
		if err != nil {
			return err
		}
		oldDecls, oldOK = declsOf(f.OldName, src)
	}
	if !f.IsDelete {
		src, err := os.ReadFile(filepath.Join(after, filepath.FromSlash(f.NewName)))
		if err != nil {
			return err
		}
		newDecls, newOK = declsOf(f.NewName, src)
	}
	if (!oldOK || !newOK) && isCode(name) {
		loc.unreadable = append(loc.unreadable, name)
	}
	implicated := func(fileName string, d *decl) bool {
		return d != nil && matchesSlice(fileName, d.name, slice)
	}
	fileHasSlice := !f.IsNew && anyDeclMatches(f.OldName, oldDecls, slice)
	oldNames := map[string]bool{}
	for _, d := range oldDecls {
		oldNames[d.name] = true
	}
	// A field added to the type of an implicated method's receiver, in
	// the same file, is the state a fix to that method needs (a lock per
	// key beside the mutex it replaces); editing or removing fields is
	// not.
	receivers := map[string]bool{}
	for _, d := range oldDecls {
		if recv, _, ok := strings.Cut(d.name, "."); ok && matchesSlice(f.OldName, d.name, slice) {
			receivers["type "+recv] = true
		}
	}
	for _, frag := range f.TextFragments {
		oldLine, newLine := int(frag.OldPosition), int(frag.NewPosition)
		for _, line := range frag.Lines {
			switch line.Op {
			case gitdiff.OpContext:
				oldLine++
				newLine++
			case gitdiff.OpDelete:
				d := enclosing(oldDecls, oldLine)
				loc.count(line.Line, d, implicated(f.OldName, d), fmt.Sprintf("%s:%d", f.OldName, oldLine))
				oldLine++
			case gitdiff.OpAdd:
				d := enclosing(newDecls, newLine)
				ok := implicated(f.NewName, d) || (d != nil && fileHasSlice && !oldNames[d.name]) || (d != nil && receivers[d.name])
				loc.count(line.Line, d, ok, fmt.Sprintf("%s:%d", f.NewName, newLine))
				newLine++
			}
		}
	}
	return nil
}

func (loc *locality) count(text string, d *decl, ok bool, at string) {
	switch {
	case strings.TrimSpace(text) == "" || (d != nil && d.imports):
		return
	case ok:
		loc.inside++
	default:
		loc.outside++
		if len(loc.outsideAt) < 5 {
			where := "outside any declaration"
			if d != nil {
				where = "in " + d.name
			}
			loc.outsideAt = append(loc.outsideAt, at+" ("+where+")")
		}
	}
}

func enclosing(ds []decl, line int) *decl {
	for i := range ds {
		if ds[i].start <= line && line <= ds[i].end {
			return &ds[i]
		}
	}
	return nil
}

func anyDeclMatches(file string, ds []decl, slice []Location) bool {
	for _, d := range ds {
		if matchesSlice(file, d.name, slice) {
			return true
		}
	}
	return false
}

func isCode(name string) bool {
	switch path.Ext(name) {
	case ".go", ".py", ".java":
		return true
	}
	return false
}

// matchesSlice says whether declaration name in file is one of the
// implicated functions.
func matchesSlice(file, name string, slice []Location) bool {
	for _, l := range slice {
		if sameFile(l.File, file) && sameFunction(l.Function, name) {
			return true
		}
	}
	return false
}

// sameFile matches a location's file against a repository-relative path:
// equal, or one is a path-suffix of the other.
func sameFile(locFile, rel string) bool {
	if locFile == "" {
		return true
	}
	a, b := filepath.ToSlash(filepath.Clean(locFile)), path.Clean(rel)
	return a == b || strings.HasSuffix(a, "/"+b) || strings.HasSuffix(b, "/"+a)
}

var closureSuffix = regexp.MustCompile(`(\.(func|gowrap|deferwrap)\d+)+$`)

// normaliseFunction turns a stack trace's function name into the form
// declarations are named in: no import path, no pointer receiver
// punctuation, no closure suffix, no type arguments.
func normaliseFunction(fn string) string {
	fn = strings.TrimSpace(fn)
	if i := strings.LastIndex(fn, "/"); i >= 0 {
		fn = fn[i+1:]
	}
	fn = strings.NewReplacer("(*", "", "(", "", ")", "", "*", "", "[...]", "", "$", ".").Replace(fn)
	fn = closureSuffix.ReplaceAllString(fn, "")
	if i := strings.Index(fn, "["); i >= 0 {
		if j := strings.Index(fn[i:], "]"); j >= 0 {
			fn = fn[:i] + fn[i+j+1:]
		}
	}
	return fn
}

// sameFunction matches a slice function against a declaration name:
// equal, the declaration a dot-suffix of the qualified stack name
// ("shop.Bank.Transfer" ~ "Bank.Transfer"), or a bare name a dot-suffix of
// the declaration (Python tracebacks name "meth", the scan "Cls.meth").
func sameFunction(sliceFn, declName string) bool {
	s := normaliseFunction(sliceFn)
	if s == "" || declName == "" {
		return false
	}
	if s == declName || strings.HasSuffix(s, "."+declName) {
		return true
	}
	return !strings.Contains(s, ".") && strings.HasSuffix(declName, "."+s)
}

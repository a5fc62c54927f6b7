package template

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// The Python templates read the source through the syntax reader: the
// def around the failing line, the assignments, sorts and uses in it,
// and they edit the byte ranges it returns. Limits: match statements'
// patterns read as expressions; a lookup assigned in a nested def is
// left alone.

// pyFunc is a def's line range (1-based, inclusive) and its parameters.
type pyFunc struct {
	name     string
	def, end int
	params   []string
	indent   int
	file     string
	src      string
}

// pyFuncAt finds the def enclosing a line, through the syntax reader.
func (pr *problem) pyFuncAt(s site) (*pyFunc, bool) {
	src, err := pr.repo.read(s.File)
	if err != nil {
		return nil, false
	}
	f, ok := syntax.pyDefAt(src, s.Line)
	if !ok {
		return nil, false
	}
	f.file, f.src = s.File, src
	return f, true
}

func (pr *problem) pyFuncSpan(s site) (funcSpan, bool) {
	f, ok := pr.pyFuncAt(s)
	if !ok {
		return funcSpan{}, false
	}
	return funcSpan{File: s.File, Start: f.def, End: f.end}, true
}

// pyDefaultEmpty fixes a TypeError on None where a name the failing
// statement uses was assigned, earlier in the same def, from a lookup
// that misses with None (`x = c.get(k)`): the miss defaults to an empty
// collection (`x = c.get(k) or []`).
func pyDefaultEmpty(pr *problem) []*fix {
	if !pr.kindIs("exception", "error") || !strings.Contains(pr.text, "NoneType") {
		return nil
	}
	for _, s := range pr.sites {
		if s.Lang != "python" {
			continue
		}
		if f, ok := pr.pyFuncAt(s); ok {
			if fx := pyDefaultEmptyAt(pr, s, f); fx != nil {
				return []*fix{fx}
			}
		}
	}
	return nil
}

// pyMapViews are the methods that show a None meant a mapping.
var pyMapViews = map[string]bool{"items": true, "keys": true, "values": true}

// pyDefaultEmptyAt takes the nearest such assignment above the failing
// statement.
func pyDefaultEmptyAt(pr *problem, s site, f *pyFunc) *fix {
	fs, fe := pyStatementSpan(f.src, s.Line)
	as := syntax.pyAssigns(f.src)
	for k := len(as) - 1; k >= 0; k-- {
		a := as[k]
		line := lineOf(f.src, a.start)
		if line >= s.Line || line <= f.def || a.getRecv == "" || !isPyName(a.target) {
			continue
		}
		if d, ok := syntax.pyDefAt(f.src, line); !ok || d.def != f.def {
			continue // a nested def's: another scope
		}
		uses := syntax.pyRefs(f.src, a.target, fs, fe)
		if len(uses) == 0 {
			continue
		}
		empty := "[]"
		if slices.ContainsFunc(uses, func(r pyRef) bool { return pyMapViews[r.method] }) {
			empty = "{}"
		}
		lookup := strings.TrimSpace(a.value)
		if strings.Contains(lookup, "\n") {
			lookup = a.getRecv + ".get(...)" // its arguments over several lines, comments and all
		}
		why := fmt.Sprintf("default-empty: %s fails at %s:%d because %s is None: %s returns None on a miss (a cold cache). "+
			"Treating the miss as an empty collection (`or %s`) makes a cold cache rank nothing instead of raising, and changes nothing when the key is there; "+
			"one line changes, inside %s.", f.name, s.File, s.Line, a.target, lookup, empty, f.name)
		// A call binds tighter than `or`, so the value needs no parentheses.
		out := f.src[:a.end] + " or " + empty + f.src[a.end:]
		fx := &fix{template: "default-empty", site: s, why: why, files: map[string][2]string{s.File: {f.src, out}}}
		fx.test = pyMissTest(pr, f, a.getRecv, empty)
		return fx
	}
	return nil
}

// pyStatementSpan is the byte range of the simple statement at line, or
// of the line itself when none covers it (a compound statement's header).
func pyStatementSpan(src string, line int) (int, int) {
	first, last, ok := syntax.pyStatementAt(src, line)
	if !ok {
		first, last = line, line
	}
	return lineSpan(src, first, last)
}

// lineSpan is the byte range from line first's start to line last's end
// (its newline excluded).
func lineSpan(src string, first, last int) (int, int) {
	start, n := 0, 1
	for ; n < first; n++ {
		i := strings.IndexByte(src[start:], '\n')
		if i < 0 {
			return len(src), len(src)
		}
		start += i + 1
	}
	end := start
	for ; n <= last; n++ {
		end = lineEnd(src, end)
		if n < last && end < len(src) {
			end++
		}
	}
	return start, end
}

// isPyName reports whether s is a plain name (an assignment target the
// templates can test and default).
func isPyName(s string) bool {
	return s != "" && !isDigit(s[0]) && !pyKeywords[s] && !strings.ContainsFunc(s, func(r rune) bool {
		return r < 0x80 && !isWordByte(byte(r)) || r == '$'
	})
}

// pyMissTest calls the function with a cache stub that misses and one
// that holds an empty collection: both must give the same result.
func pyMissTest(pr *problem, f *pyFunc, receiver, empty string) *regressionTest {
	var miss, hit []string
	found := false
	for _, p := range f.params {
		switch {
		case p == "self" || strings.HasPrefix(p, "*"):
			return nil
		case p == receiver:
			miss, hit = append(miss, "_Miss()"), append(hit, "_Empty()")
			found = true
		default:
			v := "1"
			if x, ok := pr.inputScalar(p); ok {
				v = pyLiteral(x)
			}
			miss, hit = append(miss, v), append(hit, v)
		}
	}
	if !found {
		return nil
	}
	mod := strings.TrimSuffix(path.Base(f.file), ".py")
	class := "TagRegression" + camel(f.name)
	testMod := "test_tag_regression_" + f.name
	content := fmt.Sprintf(`"""TAG's regression test for the incident (template proposer): %s must
treat a lookup that misses (None) as an empty collection."""

import unittest

import %s


class _Miss:
    """A lookup that misses every key, as in the incident."""

    def get(self, *args, **kwargs):
        return None


class _Empty:
    """A lookup that holds an empty collection."""

    def get(self, *args, **kwargs):
        return %s


class %s(unittest.TestCase):
    def test_miss_is_empty(self):
        self.assertEqual(%s.%s(%s), %s.%s(%s))


if __name__ == "__main__":
    unittest.main()
`, f.name, mod, empty, class, mod, f.name, strings.Join(miss, ", "), mod, f.name, strings.Join(hit, ", "))
	return &regressionTest{File: path.Join(path.Dir(f.file), testMod+".py"), Content: content, Name: testMod}
}

func pyLiteral(x any) string {
	switch v := x.(type) {
	case string:
		return fmt.Sprintf("%q", v)
	case bool:
		if v {
			return "True"
		}
		return "False"
	case nil:
		return "None"
	}
	return fmt.Sprint(x)
}

// camel turns snake_case into CamelCase.
func camel(s string) string {
	var sb strings.Builder
	for _, p := range strings.Split(s, "_") {
		if p != "" {
			sb.WriteString(strings.ToUpper(p[:1]) + p[1:])
		}
	}
	return sb.String()
}

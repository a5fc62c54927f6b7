package template

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// Marks in the pyRefs table: ⟨x⟩ reads x, ⟪x⟫ writes it, ⟨x:m⟩ calls
// method m on it.

// pyRefCases are occurrences of a name or chain that a reading of the
// text would get wrong. in, when set, is the part of src searched.
var pyRefCases = []struct{ name, src, chain, in, want string }{
	{name: "a comment and a string are no uses", chain: "x",
		src:  "x = 1  # x\ny = \"x\" + '''x'''\n",
		want: "⟪x⟫ = 1  # x\ny = \"x\" + '''x'''\n"},
	{name: "an f-string's fields are code, its text is not", chain: "x",
		src:  "s = f\"x {x} {x!r:>{x}} {{x}}\"\n",
		want: "s = f\"x {⟨x⟩} {⟨x⟩!r:>{⟨x⟩}} {{x}}\"\n"},
	{name: "an attribute of something else is not the name", chain: "x",
		src:  "a.x = x.y\n",
		want: "a.x = ⟨x⟩.y\n"},
	{name: "keyword argument names are no variables; lambda parameters bind", chain: "key",
		src:  "f(key=key, k=lambda key=1: key)\n",
		want: "f(key=⟨key⟩, k=lambda ⟪key⟫=1: ⟨key⟩)\n"},
	{name: "stores: plain, augmented, annotated, nested tuple, star, one subscript, del", chain: "xs",
		src:  "xs = []\nxs += [1]\nxs: list = []\na, (xs, b) = 1, (2, 3)\n*xs, = 1, 2\nxs[0] = 1\nxs[0][1] = 2\nxs[xs] = 3\ndel xs[1:]\n",
		want: "⟪xs⟫ = []\n⟪xs⟫ += [1]\n⟪xs⟫: list = []\na, (⟪xs⟫, b) = 1, (2, 3)\n*⟪xs⟫, = 1, 2\n⟪xs⟫[0] = 1\n⟨xs⟩[0][1] = 2\n⟪xs⟫[⟨xs⟩] = 3\ndel ⟪xs⟫[1:]\n"},
	{name: "for, comprehension, with, except, walrus, global and import bindings", chain: "v",
		src: "for v in vs: pass\n[v for v in vs]\nwith open(p) as v: pass\ntry: pass\nexcept E as v: pass\n" +
			"if (v := 1): pass\nglobal v\nimport v\nfrom m import v\nimport w as v\nimport v.sub\nfrom v import y\n",
		want: "for ⟪v⟫ in vs: pass\n[⟨v⟩ for ⟪v⟫ in vs]\nwith open(p) as ⟪v⟫: pass\ntry: pass\nexcept E as ⟪v⟫: pass\n" +
			"if (⟪v⟫ := 1): pass\nglobal ⟪v⟫\nimport ⟪v⟫\nfrom m import ⟪v⟫\nimport w as ⟪v⟫\nimport ⟪v⟫.sub\nfrom v import y\n"},
	{name: "parameters bind; annotations and defaults are uses", chain: "a",
		src:  "def f(a, b: a = a, *c, d=lambda a: a, **e): return a\n",
		want: "def f(⟪a⟫, b: ⟨a⟩ = ⟨a⟩, *c, d=lambda ⟪a⟫: ⟨a⟩, **e): return ⟨a⟩\n"},
	{name: "a chain: receiver of a method, object of an attribute, stored to", chain: "self.entries",
		src: "self.entries.sort()\nself.entries.append(x)\nn = len(self.entries)\nself.entries.x = 1\n" +
			"other.self.entries = 2\nself.entries_x = 3\nself.entries = []\n",
		want: "⟨self.entries:sort⟩.sort()\n⟨self.entries:append⟩.append(x)\nn = len(⟨self.entries⟩)\n⟨self.entries⟩.x = 1\n" +
			"other.self.entries = 2\nself.entries_x = 3\n⟪self.entries⟫ = []\n"},
	{name: "multi-line statements and continuations", chain: "c",
		src:  "total = (a +\n         c) + \\\n    c\n",
		want: "total = (a +\n         ⟨c⟩) + \\\n    ⟨c⟩\n"},
	{name: "only the range asked", chain: "n", in: "def g(n):\n    return n\n",
		src:  "def f(n):\n    return n\n\n\ndef g(n):\n    return n\n",
		want: "def f(n):\n    return n\n\n\ndef g(⟪n⟫):\n    return ⟨n⟩\n"},
}

// TestSyntaxPyRefs runs pyRefs of the reader in use over the table.
func TestSyntaxPyRefs(t *testing.T) {
	for _, c := range pyRefCases {
		start, end := 0, len(c.src)
		if c.in != "" {
			start = strings.Index(c.src, c.in)
			end = start + len(c.in)
		}
		got := markRefs(c.src, syntax.pyRefs(c.src, c.chain, start, end))
		must(t, got == c.want, "%s (%s): %s\n got %q\nwant %q", c.name, syntaxName, c.chain, got, c.want)
	}
}

// markRefs writes src with each occurrence marked.
func markRefs(src string, refs []pyRef) string {
	var sb strings.Builder
	last := 0
	for _, r := range refs {
		open, close := "⟨", "⟩"
		if r.write {
			open, close = "⟪", "⟫"
		}
		if r.method != "" {
			close = ":" + r.method + close
		}
		sb.WriteString(src[last:r.start] + open + src[r.start:r.end] + close)
		last = r.end
	}
	return sb.String() + src[last:]
}

// pyAssignCases render each assignment as `target = value | receiver`,
// layout collapsed.
var pyAssignCases = []struct {
	name, src string
	want      []string
}{
	{"the value is one get call, on which receiver",
		"a = c.get(k)\nb = self.cache.get(k, None)\nd = (c).get(k)\ne = f(c).get(k)\n",
		[]string{"a = c.get(k) | c", "b = self.cache.get(k, None) | self.cache", "d = (c).get(k) | (c)", "e = f(c).get(k) | f(c)"}},
	{"a get inside another call, subscripted, or-ed, conditional, awaited or not called",
		"a = f(c.get(k))\nb = c.get(k)[0]\nd = c.get(k) or []\ne = c.get(k) if k else None\ng = await c.get(k)\nh = c.get\n",
		[]string{"a = f(c.get(k)) |", "b = c.get(k)[0] |", "d = c.get(k) or [] |", "e = c.get(k) if k else None |",
			"g = await c.get(k) |", "h = c.get |"}},
	{"multi-line and continued values",
		"users = cache.get(\n    \"users\",  # a comment inside\n    None)\ntotal = a \\\n    .get(1)\n",
		[]string{`users = cache.get( "users", # a comment inside None) | cache`, `total = a \ .get(1) | a`}},
	{"chains, augmented, annotation-only and type aliases are not listed; annotated and tuple targets are",
		"x = y = c.get(1)\nx += c.get(1)\nx: int\ntype T = int\nz: dict = c.get(2)\np, q = c.get(3)\n",
		[]string{"z = c.get(2) | c", "p, q = c.get(3) | c"}},
	{"a get in a comment or a string is no value",
		"x = 1  # y = c.get(k)\ns = \"z = c.get(k)\"\nt = \"\"\"\nu = c.get(k)\n\"\"\"\n",
		[]string{"x = 1 |", `s = "z = c.get(k)" |`, `t = """ u = c.get(k) """ |`}},
	{"statements after a header's colon and after a semicolon",
		"if ok: a = c.get(1); b = 2\n",
		[]string{"a = c.get(1) | c", "b = 2 |"}},
}

// TestSyntaxPyAssigns runs pyAssigns of the reader in use over the table
// and checks each range covers the statement it names.
func TestSyntaxPyAssigns(t *testing.T) {
	for _, c := range pyAssignCases {
		var got []string
		for _, a := range syntax.pyAssigns(c.src) {
			must(t, strings.HasPrefix(c.src[a.start:a.end], a.target) && c.src[a.valueStart:a.end] == a.value,
				"%s: ranges %d-%d %d miss %q = %q", c.name, a.start, a.end, a.valueStart, a.target, a.value)
			got = append(got, strings.TrimSpace(strings.Join(strings.Fields(fmt.Sprintf("%s = %s | %s", a.target, a.value, a.getRecv)), " ")))
		}
		must(t, slices.Equal(got, c.want), "%s (%s):\n got %q\nwant %q", c.name, syntaxName, got, c.want)
	}
}

// pySortCases render each sort as `chain(args) stmt|expr`, layout
// collapsed.
var pySortCases = []struct {
	name, src string
	want      []string
}{
	{"on a local and on an attribute chain",
		"xs.sort()\nself.entries.sort(key=len, reverse=True)\n",
		[]string{"xs() stmt", "self.entries(key=len, reverse=True) stmt"}},
	{"a value in use: assigned, in an f-string, an argument",
		"r = xs.sort()\ns = f\"{self.x.sort()}\"\nprint(a.b.sort())\n",
		[]string{"xs() expr", "self.x() expr", "a.b() expr"}},
	{"not on a chain of names",
		"f().sort()\nxs[0].sort()\nself.a[0].sort()\n\"s\".sort()\nf().a.sort()\n", nil},
	{"in a comment or a string",
		"# xs.sort()\ns = \"xs.sort()\"\n'''\nxs.sort()\n'''\n", nil},
	{"a call over several lines",
		"self.entries.sort(\n    key=lambda e: e[1],\n)\n",
		[]string{"self.entries(key=lambda e: e[1],) stmt"}},
}

// TestSyntaxPySorts runs pySorts of the reader in use over the table.
func TestSyntaxPySorts(t *testing.T) {
	for _, c := range pySortCases {
		var got []string
		for _, s := range syntax.pySorts(c.src) {
			must(t, strings.HasPrefix(c.src[s.start:s.end], s.chain) && strings.HasSuffix(c.src[s.start:s.end], ")"), "%s: range %d-%d", c.name, s.start, s.end)
			kind := "expr"
			if s.stmt {
				kind = "stmt"
			}
			got = append(got, strings.Join(strings.Fields(s.chain+"("+strings.TrimSpace(s.args)+") "+kind), " "))
		}
		must(t, slices.Equal(got, c.want), "%s (%s):\n got %q\nwant %q", c.name, syntaxName, got, c.want)
	}
}

// pyDefCases: the def (`name def-end indent params`) and the simple
// statement (`first-last`, or "-") at the line holding at.
var pyDefCases = []struct{ name, src, at, def, stmt string }{
	{"a line of a triple-quoted string at column 0 is still in the def",
		"def f():\n    s = \"\"\"\nusers = 1\n\"\"\"\n    return s\n", "users = 1", "f 1-5 0 []", "2-4"},
	{"a header over several lines, async, type parameters, a continuation",
		"class A:\n    async def f[T](self, a: T = (1,\n                                2), \\\n            *args, **kw) -> T:\n        return a\n",
		"return a", "f 2-5 4 [self a *args **kw]", "5-5"},
	{"trailing comments as deep as the body belong to it; a shallower one ends it",
		"def f():\n    x = 1\n\n    # deep\n# shallow\n    # after\ny = 2\n", "# deep", "f 1-4 0 []", "-"},
	{"a one-line def", "def f(): return g(x=1)\n", "def f", "f 1-1 0 []", "1-1"},
	{"a decorator is no statement and in no def", "@dec(a=1)\ndef f():\n    pass\n", "@dec", "", "-"},
	{"a compound header is no simple statement; the statements after its colon are",
		"def f(x):\n    if x: a = 1; b = 2\n    for i in x:\n        pass\n", "for i", "f 1-4 0 [x]", "-"},
}

// TestSyntaxPyDefs runs pyDefAt and pyStatementAt of the reader in use.
func TestSyntaxPyDefs(t *testing.T) {
	for _, c := range pyDefCases {
		line := lineOf(c.src, strings.Index(c.src, c.at))
		def := ""
		if f, ok := syntax.pyDefAt(c.src, line); ok {
			def = fmt.Sprintf("%s %d-%d %d %v", f.name, f.def, f.end, f.indent, f.params)
		}
		stmt := "-"
		if a, b, ok := syntax.pyStatementAt(c.src, line); ok {
			stmt = fmt.Sprintf("%d-%d", a, b)
		}
		must(t, def == c.def && stmt == c.stmt, "%s (%s): line %d: def %q stmt %q, want %q %q", c.name, syntaxName, line, def, stmt, c.def, c.stmt)
	}
}

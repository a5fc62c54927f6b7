package query_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/query"
)

// scriptQueries returns the queries of testdata/*.test.
func scriptQueries(t testing.TB) []string {
	files, _ := filepath.Glob("testdata/*.test")
	var out []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			if q, ok := strings.CutPrefix(line, "query "); ok {
				out = append(out, q)
			}
		}
	}
	return out
}

// checkError checks that err is an *query.Error whose position lies in
// src and agrees with its line and column.
func checkError(t *testing.T, src string, err error) {
	t.Helper()
	var qe *query.Error
	if !errors.As(err, &qe) {
		t.Fatalf("%q: error is %T, not *query.Error: %v", src, err, err)
	}
	if qe.Pos < 0 || qe.Pos > len(src) {
		t.Fatalf("%q: position %d outside the query", src, qe.Pos)
	}
	before := src[:qe.Pos]
	line := strings.Count(before, "\n") + 1
	col := utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
	if qe.Line != line || qe.Col != col {
		t.Fatalf("%q: error at %d:%d, but offset %d is %d:%d", src, qe.Line, qe.Col, qe.Pos, line, col)
	}
	if qe.Msg == "" || !strings.Contains(qe.Error(), "^") {
		t.Fatalf("%q: error without a message or caret: %q", src, qe.Error())
	}
}

var fuzzGraph = func() *epg.Graph {
	g, err := loadGraph("internal/evidence/otlp/testdata/exceptions.json", "internal/evidence/godump/testdata/deadlock_abba.txt")
	if err != nil {
		panic(err)
	}
	return g
}()

// FuzzParse checks that no query text makes the parser or the evaluator
// panic, that every error is a *query.Error pointing into the query, and
// that what parses prints back to text that parses to the same query.
func FuzzParse(f *testing.F) {
	for _, q := range scriptQueries(f) {
		f.Add(q)
	}
	f.Add("nodes(a.b.c(d=[1, -2.5e3, 3h2m, true], e=!(x in [y]) || 'q\\'' =~ \"\\\\d\"))")
	f.Fuzz(func(t *testing.T, src string) {
		q, err := query.Parse(src)
		if err != nil {
			checkError(t, src, err)
			return
		}
		text := q.String()
		again, err := query.Parse(text)
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", src, text, err)
		}
		if again.String() != text {
			t.Fatalf("%q printed as %q, then as %q", src, text, again.String())
		}
		if _, err := (&query.Env{MaxNodes: 50}).Eval(fuzzGraph, q); err != nil {
			checkError(t, src, err)
		}
	})
}

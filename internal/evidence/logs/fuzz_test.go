package logs

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/tagdebug/tag/internal/evidence/evidencetest"
)

func FuzzJSONLog(f *testing.F) {
	evidencetest.SeedFuzz(f, "testdata/*.jsonl")
	f.Add([]byte("{\"msg\":\"a\\ud800\\u0041\",\"level\":\"ERROR+2\",\"stack\":\"goroutine 1 [running]:\\nmain.main()\\n\\t/a.go:1\"}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		evidencetest.FuzzDecode(t, &JSONDecoder{}, data)
	})
}

func FuzzLogfmt(f *testing.F) {
	evidencetest.SeedFuzz(f, "testdata/*.logfmt")
	f.Add([]byte(`level=error msg="a\x80\U0001F600" stack="Traceback (most recent call last):\n" k`))
	f.Fuzz(func(t *testing.T, data []byte) {
		evidencetest.FuzzDecode(t, &LogfmtDecoder{}, data)
	})
}

// FuzzJSONParser checks that the hand-written parser accepts exactly the
// one-object lines encoding/json accepts, and reads the same strings.
func FuzzJSONParser(f *testing.F) {
	evidencetest.SeedFuzz(f, "testdata/*.jsonl")
	for _, s := range []string{`{"a":"\ud83d\ude00","b":[1,-0.5e+3,{"c":null}],"d":{"e":true}}`, `{"a":01}`, `{"a":"\x"}`, `{"a":1,}`, `{}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			data = data[:i]
		}
		if bytes.Count(data, []byte("["))+bytes.Count(data, []byte("{")) > 200 {
			return
		}
		var p jsonParser
		err := p.parse(data)
		trimmed := bytes.TrimLeft(data, " \t\r")
		want := json.Valid(data) && len(trimmed) > 0 && trimmed[0] == '{'
		if (err == nil) != want {
			t.Fatalf("parse(%q) error %v, json.Valid %v", data, err, json.Valid(data))
		}
		if err != nil {
			return
		}
		var m map[string]any
		if json.Unmarshal(data, &m) != nil {
			t.Fatal("encoding/json rejects what json.Valid accepts")
		}
		// encoding/json keeps the last of duplicate keys; compare the rest.
		count := map[string]int{}
		for _, fl := range p.fields {
			count[fl.key]++
		}
		for _, fl := range p.fields {
			if v, ok := m[fl.key].(string); ok && count[fl.key] == 1 && fl.v.kind == kStr && v != fl.v.s {
				t.Fatalf("key %q: %q, encoding/json reads %q", fl.key, fl.v.s, v)
			}
		}
	})
}

package repro

import (
	"strings"
	"testing"
)

func TestCompareObservations(t *testing.T) {
	ob := func(id string, status int, digest string, stable bool, calls ...string) Observation {
		return Observation{Capsule: id, Route: "GET /x", Status: status, BodyDigest: digest, Stable: stable, Calls: calls,
			RecordedStatus: 200, RecordedDigest: "d1"}
	}
	before := []Observation{ob("a", 200, "d1", true, "GET http://up/x"), ob("b", 200, "t1", false), ob("c", 200, "d3", true)}
	for _, c := range []struct {
		name  string
		after []Observation
		same  bool
		want  string
	}{
		{"same", []Observation{ob("a", 200, "d1", true, "GET http://up/x"), ob("b", 200, "t2", false), ob("c", 200, "d3", true)}, true,
			"3 healthy request(s) answered the same on the patched tree: 2 byte for byte, 1 by status"},
		{"body", []Observation{ob("a", 200, "dX", true, "GET http://up/x"), ob("b", 200, "t2", false), ob("c", 200, "d3", true)}, false,
			"a (GET /x): answer differs"},
		{"calls", []Observation{ob("a", 200, "d1", true), ob("b", 200, "t2", false), ob("c", 200, "d3", true)}, false,
			"outbound calls differ"},
		{"status of an unstable answer", []Observation{ob("a", 200, "d1", true, "GET http://up/x"), ob("b", 500, "t2", false), ob("c", 200, "d3", true)}, false,
			"b (GET /x): status 200 → 500"},
		{"missing", []Observation{ob("a", 200, "d1", true, "GET http://up/x"), ob("b", 200, "t2", false)}, false,
			"c (GET /x): not served on the patched tree"},
		{"panic", []Observation{ob("a", 200, "d1", true, "GET http://up/x"), ob("b", 200, "t2", false), {Capsule: "c", Status: 500, Panic: "boom"}}, false,
			"c (GET /x): panics: boom"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmp := Compare(before, c.after)
			if cmp.Same() != c.same || !strings.Contains(cmp.String(), c.want) {
				t.Errorf("same %v, want %v; %q does not say %q", cmp.Same(), c.same, cmp.String(), c.want)
			}
			if c.same && cmp.MatchProduction != 1 {
				t.Errorf("%d answers match production, want 1 (a)", cmp.MatchProduction)
			}
		})
	}
}

package redact

import (
	"strings"
	"testing"

	"github.com/tagdebug/tag/epg"
)

// TestNestedKeysFollowFieldRules: a map attribute's members are judged by
// their dotted keys as attributes are — a nested client_secret is
// tokenized and a nested password dropped, even when the values look
// harmless to the detectors.
func TestNestedKeysFollowFieldRules(t *testing.T) {
	e := testEngine(t)
	in := epg.Map(
		epg.Attr{Key: "config", Value: epg.Map(
			epg.Attr{Key: "client_secret", Value: epg.String("plainword")},
			epg.Attr{Key: "db_password", Value: epg.String("hunter2")},
			epg.Attr{Key: "region", Value: epg.String("eu-west-1")},
		)},
	)
	out, keep := e.RedactAttr("svc", "capsule", in)
	if !keep {
		t.Fatal("the map was dropped")
	}
	cfg := out.MapVal()[0].Value
	got := map[string]string{}
	for _, a := range cfg.MapVal() {
		got[a.Key] = a.Value.AsString()
	}
	if !strings.HasPrefix(got["client_secret"], "<token:") {
		t.Errorf("client_secret = %q, want a token", got["client_secret"])
	}
	if _, ok := got["db_password"]; ok {
		t.Errorf("db_password kept: %q", got["db_password"])
	}
	if got["region"] != "eu-west-1" {
		t.Errorf("region = %q", got["region"])
	}
}

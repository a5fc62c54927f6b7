package server

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/tagdebug/tag/sdk/go/capsule"
)

// TestCapsuleUpload: the capture SDK's endpoint stores a capsule and
// answers its ID; a truncated or invalid capsule gets 400 naming the
// problem and leaves the store as it was; the server keeps serving.
func TestCapsuleUpload(t *testing.T) {
	st := openStore(t)
	srv := startServer(t, testConfig(), st)
	url := "http://" + srv.HTTPAddr() + capsule.UploadPath
	good, err := capsule.Encode(&capsule.Capsule{ID: "c1", Service: "shop", Route: "POST /pay", Promoted: capsule.PromotedError,
		Start: 1_763_900_000_000_000_000, Request: capsule.Request{Method: "POST", Path: "/pay"}, Response: capsule.Response{Status: 500}})
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string][]byte{
		"truncated": good[:len(good)/2],
		"no method": []byte(`{"tag_capsule":1,"id":"x","service":"s","promoted":"error","request":{"path":"/"}}`),
		"not json":  []byte("hello"),
	} {
		resp, data := post(t, url, "application/json", "", body)
		var e struct{ Error string }
		json.Unmarshal(data, &e)
		if resp.StatusCode != http.StatusBadRequest || e.Error == "" {
			t.Errorf("%s: status %d %s, want 400 with an error", name, resp.StatusCode, data)
		}
		if name == "truncated" && !strings.Contains(e.Error, "byte") {
			t.Errorf("truncated: %q does not name the offset", e.Error)
		}
	}
	if n := len(artifacts(t, st)); n != 0 {
		t.Fatalf("%d artifacts after bad uploads, want 0", n)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(good)
	zw.Close()
	resp, data := post(t, url, "application/json", "gzip", gz.Bytes())
	var ok struct{ ID string }
	if resp.StatusCode != http.StatusOK || json.Unmarshal(data, &ok) != nil || ok.ID != "c1" {
		t.Fatalf("good upload: status %d %s", resp.StatusCode, data)
	}
	if n := len(artifacts(t, st)); n != 1 {
		t.Errorf("%d artifacts after a good upload, want 1", n)
	}
}

package otlp

import (
	"os"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

func sampleProto(t testing.TB) []byte {
	data, err := os.ReadFile("testdata/exceptions.json")
	if err != nil {
		t.Fatal(err)
	}
	req := ptraceotlp.NewExportRequest()
	if err := req.UnmarshalJSON(data); err != nil {
		t.Fatal(err)
	}
	b, err := req.MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

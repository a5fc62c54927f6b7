package logs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/tagdebug/tag/internal/evidence"
)

// benchInput builds about size bytes of logs in the shapes the decoder
// reads: slog, zap, pino and ECS JSON lines, or slog-text logfmt lines,
// with a stack on one record in fifty.
func benchInput(size int, logfmt bool) (data []byte, records int) {
	var b bytes.Buffer
	for i := 0; b.Len() < size; i++ {
		trace := fmt.Sprintf("%032x", i*7919+1)
		stack := ""
		if i%50 == 49 {
			stack = `goroutine 7 [running]:\nmain.(*store).get(0xc000010000, 0x7)\n\t/src/app/store.go:42 +0x1d\nmain.handle()\n\t/src/app/main.go:17 +0x25\n`
		}
		switch {
		case logfmt:
			fmt.Fprintf(&b, `time=2024-05-01T10:00:%02d.%06dZ level=%s source=/src/app/store.go:%d msg="request handled" service=orders req.method=GET req.path=/orders/%d trace_id=%s span_id=%016x duration_ms=%d.5`,
				i%60, i, [...]string{"INFO", "WARN", "ERROR", "DEBUG"}[i%4], 10+i%90, i, trace, i+1, i%900)
			if stack != "" {
				fmt.Fprintf(&b, ` err="not found" stack="%s"`, stack)
			}
		case i%4 == 0:
			fmt.Fprintf(&b, `{"time":"2024-05-01T10:00:%02d.%06dZ","level":"INFO","source":{"function":"main.handle","file":"/src/app/main.go","line":%d},"msg":"request handled","req":{"method":"GET","path":"/orders/%d"},"trace_id":"%s","span_id":"%016x","duration_ms":%d.5`,
				i%60, i, 10+i%90, i, trace, i+1, i%900)
		case i%4 == 1:
			fmt.Fprintf(&b, `{"level":"error","ts":1714557600.%06d,"logger":"payments","caller":"app/pay.go:%d","msg":"charge failed","trace_id":"%s","span_id":"%016x","error":"card declined","amount":%d`,
				i, 10+i%90, trace, i+1, i)
		case i%4 == 2:
			fmt.Fprintf(&b, `{"level":30,"time":%d,"pid":4242,"hostname":"web-1","name":"checkout","cart":{"items":%d,"total":250.5},"dd":{"trace_id":"%d","span_id":"%d"},"msg":"checkout started"`,
				1714557600000+int64(i), i%9, 1234567890123+i, 987654321+i)
		default:
			fmt.Fprintf(&b, `{"@timestamp":"2024-05-01T10:00:00.%03dZ","log.level":"warn","message":"slow query","log":{"logger":"inventory.db","origin":{"file":{"name":"db.py","line":%d},"function":"query"}},"service.name":"inventory","trace.id":"%s","span.id":"%016x","rows":%d`,
				i%1000, 10+i%90, trace, i+1, i)
		}
		if !logfmt {
			if stack != "" {
				fmt.Fprintf(&b, `,"stacktrace":"%s"`, stack)
			}
			b.WriteByte('}')
		}
		b.WriteByte('\n')
		records++
	}
	return b.Bytes(), records
}

// BenchmarkLogs measures both decoders on about 10 MB of input and, on
// the same JSON input in the same run, the floor of any JSON-lines reader
// built on the standard library: encoding/json.Unmarshal of each line
// into a map[string]any, producing no nodes.
func BenchmarkLogs(b *testing.B) {
	const size = 10 << 20
	jsonData, jsonRecs := benchInput(size, false)
	lfData, lfRecs := benchInput(size, true)
	run := func(b *testing.B, d evidence.Decoder, data []byte, recs int) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			f, err := d.Decode(context.Background(), &evidence.Input{Name: "bench.log", Data: data})
			if err != nil || len(f.Nodes) < recs {
				b.Fatalf("%v, %d nodes", err, len(f.Nodes))
			}
		}
		b.ReportMetric(float64(recs)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	}
	b.Run("json-log", func(b *testing.B) { run(b, &JSONDecoder{}, jsonData, jsonRecs) })
	b.Run("logfmt", func(b *testing.B) { run(b, &LogfmtDecoder{}, lfData, lfRecs) })
	b.Run("baseline-json.Unmarshal", func(b *testing.B) {
		b.SetBytes(int64(len(jsonData)))
		b.ReportAllocs()
		for b.Loop() {
			n := 0
			for line := range bytes.Lines(jsonData) {
				var m map[string]any
				if err := json.Unmarshal(line, &m); err != nil {
					b.Fatal(err)
				}
				n++
			}
			if n != jsonRecs {
				b.Fatal(n)
			}
		}
		b.ReportMetric(float64(jsonRecs)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
}

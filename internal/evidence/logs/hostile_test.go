package logs

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tagdebug/tag/internal/evidence"
)

func TestHostileLongLine(t *testing.T) {
	long := strings.Repeat("x", MaxLine)
	for d, data := range map[evidence.Decoder]string{
		&JSONDecoder{}:   "{\"msg\":\"a\"}\n" + `{"msg":"` + long + `"}` + "\n",
		&LogfmtDecoder{}: "msg=a level=info\nmsg=" + long + "\n",
	} {
		_, err := d.Decode(context.Background(), &evidence.Input{Name: "big.log", Data: []byte(data)})
		var ee *evidence.Error
		if !errors.As(err, &ee) || ee.Line != 2 || ee.Column != 1 || !strings.Contains(ee.Msg, "longer than") {
			t.Errorf("%s: %v", d.Format(), err)
		}
	}
}

// TestHostileManyFields: a line of 200,000 fields decodes in linear time
// and keeps MaxAttrs of them.
func TestHostileManyFields(t *testing.T) {
	const n = 200_000
	var js, lf strings.Builder
	js.WriteString(`{"msg":"wide","level":"info"`)
	lf.WriteString(`msg=wide level=info`)
	for i := range n {
		k := strconv.Itoa(i)
		js.WriteString(`,"f` + k + `":` + k)
		lf.WriteString(" f" + k + "=" + k)
	}
	js.WriteString("}\n")
	for _, tc := range []struct {
		d    evidence.Decoder
		data string
	}{{&JSONDecoder{}, js.String()}, {&LogfmtDecoder{}, lf.String()}} {
		start := time.Now()
		f, err := tc.d.Decode(context.Background(), &evidence.Input{Name: "wide.log", Data: []byte(tc.data)})
		if err != nil {
			t.Fatal(err)
		}
		n0 := f.Nodes[0]
		if len(n0.Attrs) > MaxAttrs+5 {
			t.Errorf("%s: %d attributes kept", tc.d.Format(), len(n0.Attrs))
		}
		if v, _ := n0.Attr(AttrDropped); v.IntVal() != n-MaxAttrs {
			t.Errorf("%s: dropped = %d", tc.d.Format(), v.IntVal())
		}
		if el := time.Since(start); el > 5*time.Second {
			t.Errorf("%s: %v for one wide line", tc.d.Format(), el)
		}
	}
}

func TestHostileNesting(t *testing.T) {
	// Objects flatten into ever longer keys; the depth limit bounds them.
	deep := strings.Repeat(`{"a":`, 300) + "1" + strings.Repeat("}", 300)
	_, err := (&JSONDecoder{}).Decode(context.Background(), &evidence.Input{Name: "deep", Data: []byte(deep)})
	var ee *evidence.Error
	if !errors.As(err, &ee) || !strings.Contains(ee.Msg, "nested deeper") {
		t.Fatalf("%v", err)
	}
	// Within the limit, arrays nest as values up to maxValueDepth.
	ok := `{"msg":"x","a":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + "}"
	f, err := (&JSONDecoder{}).Decode(context.Background(), &evidence.Input{Name: "ok", Data: []byte(ok)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(f.Nodes[0].Attrs.Str("a"), "nested too deep") {
		t.Errorf("deep array: %s", f.Nodes[0].Attrs.Str("a"))
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	data := strings.Repeat("{\"msg\":\"a\"}\n", 2000)
	if _, err := (&JSONDecoder{}).Decode(ctx, &evidence.Input{Name: "c", Data: []byte(data)}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
}

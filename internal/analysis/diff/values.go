package diff

import (
	"math"
	"strconv"
	"strings"

	"github.com/tagdebug/tag/epg"
)

// valueKey identifies an attribute value without rendering it, so that
// counting values allocates nothing for scalars.
type valueKey struct {
	kind epg.ValueKind
	num  uint64
	str  string
}

func keyOf(v epg.Value) valueKey {
	switch v.Kind() {
	case epg.ValueString:
		return valueKey{kind: epg.ValueString, str: v.Str()}
	case epg.ValueInt, epg.ValueFloat:
		return valueKey{kind: v.Kind(), num: math.Float64bits(v.FloatVal())}
	case epg.ValueBool:
		k := valueKey{kind: epg.ValueBool}
		if v.BoolVal() {
			k.num = 1
		}
		return k
	}
	return valueKey{kind: v.Kind(), str: v.AsString()}
}

func (k valueKey) numeric() bool { return k.kind == epg.ValueInt || k.kind == epg.ValueFloat }

func (k valueKey) float() float64 { return math.Float64frombits(k.num) }

// label renders the value as reported.
func (k valueKey) label() string {
	switch k.kind {
	case epg.ValueInt, epg.ValueFloat:
		return strconv.FormatFloat(k.float(), 'g', -1, 64)
	case epg.ValueBool:
		return strconv.FormatBool(k.num == 1)
	}
	return k.str
}

// bucket names the power-of-two range holding x: "[64,128)", "0",
// "(-8,-4]". Buckets do not depend on the data, so reports of different
// cohorts line up.
func bucket(x float64) string {
	if x == 0 || math.IsNaN(x) {
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	e := math.Floor(math.Log2(math.Abs(x)))
	lo, hi := strconv.FormatFloat(math.Exp2(e), 'g', -1, 64), strconv.FormatFloat(math.Exp2(e+1), 'g', -1, 64)
	if x < 0 {
		return "(-" + hi + ",-" + lo + "]"
	}
	return "[" + lo + "," + hi + ")"
}

// outcome reports whether a key describes how a span ended rather than
// what it was asked to do.
func outcome(key string) bool {
	switch key {
	case epg.AttrStatusCode, epg.AttrStatusMessage, epg.AttrHTTPStatus, "http.status_code",
		epg.AttrRPCGRPCStatus, "rpc.response.status_code", "otel.status_code", "otel.status_description",
		"error", "error.type", "error.message":
		return true
	}
	return strings.HasPrefix(key, "exception.")
}

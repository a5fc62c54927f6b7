package query

import (
	"strconv"
	"strings"
	"time"

	"github.com/tagdebug/tag/epg"
)

// vkind is the type of a runtime value.
type vkind uint8

const (
	vNull vkind = iota
	vStr
	vNum
	vDur // a number of nanoseconds
	vBool
	vList
)

var vkindNames = [...]string{"null", "string", "number", "duration", "bool", "list"}

func (k vkind) String() string { return vkindNames[k] }

// val is a value computed for one node.
type val struct {
	k vkind
	s string
	n float64
	b bool
	l []val
}

var null = val{}

func vstr(s string) val          { return val{k: vStr, s: s} }
func vnum(f float64) val         { return val{k: vNum, n: f} }
func vbool(b bool) val           { return val{k: vBool, b: b} }
func vdur(ns float64) val        { return val{k: vDur, n: ns} }
func vdurOf(d time.Duration) val { return vdur(float64(d)) }

// fromAttr converts an attribute value.
func fromAttr(v epg.Value) val {
	switch v.Kind() {
	case epg.ValueString:
		return vstr(v.Str())
	case epg.ValueInt, epg.ValueFloat:
		return vnum(v.FloatVal())
	case epg.ValueBool:
		return vbool(v.BoolVal())
	case epg.ValueArray:
		var l []val
		for _, x := range v.ArrayVal() {
			l = append(l, fromAttr(x))
		}
		return val{k: vList, l: l}
	case epg.ValueEmpty:
		return null
	}
	return vstr(v.AsString())
}

// truthy is how a value reads as a condition: false, null, "", 0 and []
// are false.
func (v val) truthy() bool {
	switch v.k {
	case vStr:
		return v.s != ""
	case vNum, vDur:
		return v.n != 0
	case vBool:
		return v.b
	case vList:
		return len(v.l) > 0
	}
	return false
}

// text renders a value as a string for regular expressions and substring
// tests.
func (v val) text() (string, bool) {
	switch v.k {
	case vStr:
		return v.s, true
	case vNum:
		return strconv.FormatFloat(v.n, 'f', -1, 64), true
	case vDur:
		return time.Duration(v.n).String(), true
	case vBool:
		return strconv.FormatBool(v.b), true
	}
	return "", false
}

// number reads v as a number: numbers and durations (in ns) directly,
// strings when they parse ("500").
func (v val) number() (float64, bool) {
	switch v.k {
	case vNum, vDur:
		return v.n, true
	case vStr:
		f, err := strconv.ParseFloat(strings.TrimSpace(v.s), 64)
		return f, err == nil
	}
	return 0, false
}

// compare orders a and b: -1, 0 or 1, and whether they are comparable.
// Numbers and durations compare numerically (a duration and a plain
// number by nanoseconds), and so does a string that reads as a number
// against a number; strings compare as text; booleans only for equality.
func compare(a, b val) (int, bool) {
	if a.k == vNull || b.k == vNull {
		return 0, false
	}
	if a.k == vStr && b.k == vStr {
		return strings.Compare(a.s, b.s), true
	}
	if a.k == vBool || b.k == vBool {
		if a.k != b.k {
			return 0, false
		}
		if a.b == b.b {
			return 0, true
		}
		return 1, true
	}
	if a.k == vList || b.k == vList {
		return 0, false
	}
	x, ok1 := a.number()
	y, ok2 := b.number()
	if !ok1 || !ok2 {
		return 0, false
	}
	switch {
	case x < y:
		return -1, true
	case x > y:
		return 1, true
	}
	return 0, true
}

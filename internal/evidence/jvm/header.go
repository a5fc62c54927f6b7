package jvm

import (
	"strconv"
	"strings"

	"github.com/tagdebug/tag/internal/evidence"
)

// parseHeader reads a thread header. Versions differ in which fields they
// print, so fields are read by name; the text after the last field is
// the thread's status, less the trailing stack-pointer "[0x...]":
//
//	8:  "main" #1 prio=5 os_prio=0 tid=0x.. nid=0x1a03 waiting on condition [0x..]
//	17: "t1" #12 daemon prio=5 os_prio=0 cpu=0.45ms elapsed=3.72s tid=0x.. nid=0x5869 waiting for monitor entry  [0x..]
//	21: "main" #1 [12345] prio=5 os_prio=0 cpu=.. elapsed=.. tid=0x.. nid=12345 runnable  [0x..]
//	VM: "VM Thread" os_prio=0 cpu=0.35ms elapsed=3.77s tid=0x.. nid=0x585d runnable
func parseHeader(in *evidence.Input, l line) (*thread, error) {
	name, rest, ok := cutThreadName(l.text)
	if !ok {
		return nil, evidence.Errorf(in, l.off, "thread header: no closing quote after the thread name")
	}
	t := &thread{off: l.off, name: clip(name), cpuNs: -1, elapsedNs: -1}
	fields := strings.Fields(rest)
	last := -1
	for i, f := range fields {
		if t.field(f) {
			last = i
		}
	}
	if t.nid == "" && t.tid == "" {
		return nil, evidence.Errorf(in, l.off, "thread header %q has no tid= or nid= (truncated?)", clipShort(name))
	}
	t.status = headerStatus(fields[last+1:])
	t.id = t.num
	if t.id == "" {
		t.id = t.tid
	}
	if t.id == "" {
		t.id = "nid:" + t.nid
	}
	return t, nil
}

// cutThreadName splits `"name" rest`. A name may itself hold quotes, so
// the closing quote is the first one followed by a header field or the
// end of the line.
func cutThreadName(s string) (name, rest string, ok bool) {
	for i := 1; i < len(s); i++ {
		if s[i] != '"' {
			continue
		}
		after := s[i+1:]
		if after == "" || after[0] == ' ' && startsField(after[1:]) {
			return s[1:i], after, true
		}
	}
	return "", "", false
}

func startsField(s string) bool {
	for _, p := range []string{"#", "[", "daemon", "virtual", "prio=", "os_prio=", "cpu=", "elapsed=", "tid=", "nid="} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// field reads one header token into t and reports whether it was a field
// (as opposed to a word of the status).
func (t *thread) field(f string) bool {
	if n, ok := strings.CutPrefix(f, "#"); ok && isDigits(n) {
		t.num = n
		return true
	}
	if n, ok := strings.CutPrefix(f, "["); ok && strings.HasSuffix(n, "]") && isDigits(n[:len(n)-1]) {
		t.osID = n[:len(n)-1] // Java 19+ prints the OS thread ID here
		return true
	}
	switch f {
	case "daemon":
		t.daemon = true
		return true
	case "virtual":
		t.virtual = true
		return true
	}
	key, val, ok := strings.Cut(f, "=")
	if !ok || !isKey(key) {
		return false
	}
	switch key {
	case "prio":
		if n, err := strconv.Atoi(val); err == nil {
			t.prio = &n
		}
	case "os_prio":
		if n, err := strconv.Atoi(val); err == nil {
			t.osPrio = &n
		}
	case "cpu":
		t.cpuNs = duration(val)
	case "elapsed":
		t.elapsedNs = duration(val)
	case "tid":
		t.tid = clip(val)
	case "nid":
		t.nid = clip(val)
		if t.osID == "" {
			t.osID = nidDecimal(val)
		}
	}
	return true
}

func isKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c != '_' && (c < 'a' || c > 'z') {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	if s == "" || len(s) > 19 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// nidDecimal returns the OS thread ID of a nid= value: hexadecimal up to
// Java 18, decimal from 19.
func nidDecimal(v string) string {
	if h, ok := strings.CutPrefix(v, "0x"); ok {
		if n, err := strconv.ParseUint(h, 16, 63); err == nil {
			return strconv.FormatUint(n, 10)
		}
		return ""
	}
	if isDigits(v) {
		return v
	}
	return ""
}

// duration reads "0.45ms" or "3.72s" into nanoseconds, -1 when unreadable.
func duration(v string) int64 {
	unit := int64(1e9)
	num := v
	if n, ok := strings.CutSuffix(v, "ms"); ok {
		unit, num = 1e6, n
	} else if n, ok := strings.CutSuffix(v, "s"); ok {
		num = n
	} else {
		return -1
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 || f > 1e12 {
		return -1
	}
	return int64(f * float64(unit))
}

// headerStatus joins the status words, dropping the "[0x...]" stack
// pointer HotSpot appends.
func headerStatus(words []string) string {
	if n := len(words); n > 0 && strings.HasPrefix(words[n-1], "[0x") && strings.HasSuffix(words[n-1], "]") {
		words = words[:n-1]
	}
	return clip(strings.Join(words, " "))
}

// clipShort bounds a value quoted in an error message.
func clipShort(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

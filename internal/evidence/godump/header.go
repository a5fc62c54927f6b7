package godump

import "strings"

// header is a goroutine header as the runtime prints it:
//
//	goroutine 7 [semacquire, 9 minutes]:
//	goroutine 7 [sync.Mutex.Lock]:
//	goroutine 7 [chan receive, locked to thread]:
//	goroutine 7 [sync.Mutex.Lock (leaked)]:           go1.26 leak profile
//	goroutine 7 gp=0xc000007c00 m=4 mp=0xc000100008 [running]:  GOTRACEBACK=crash/system
//
// The bracket holds the wait reason (or status), then optional items:
// "N minutes" waited, "locked to thread".
type header struct {
	id     string // as printed
	reason string // "running", "chan receive", "sync.Mutex.Lock", ...
	waitNs int64
	locked bool
	leaked bool
	m      string // the M running it, from GOTRACEBACK=crash headers
}

// maxIDDigits bounds a goroutine ID: goroutine numbers only grow, so a
// long-lived server passes 10⁹, but 18 digits still fit an int64.
const maxIDDigits = 18

// isHeaderStart reports whether l begins like a goroutine header,
// "goroutine " and a digit; such a line must then parse, or the dump is
// malformed.
func isHeaderStart(l string) bool {
	return len(l) > 10 && l[9] == ' ' && l[10] >= '0' && l[10] <= '9' && strings.HasPrefix(l, "goroutine")
}

// parseHeader reads a line for which isHeaderStart holds. It returns
// ok=false and a reason for a malformed header, and ok=false with an
// empty reason for prose that merely starts with "goroutine 5 " (a log
// line saying "goroutine 5 exited", say).
func parseHeader(l string) (h header, ok bool, bad string) {
	rest := l[len("goroutine "):]
	sp := strings.IndexByte(rest, ' ')
	if sp < 0 {
		if digitsOnly(rest) {
			return h, false, "truncated goroutine header"
		}
		return h, false, ""
	}
	h.id, rest = rest[:sp], rest[sp+1:]
	if !digitsOnly(h.id) {
		return h, false, ""
	}
	if len(h.id) > maxIDDigits {
		return h, false, "goroutine ID out of range"
	}
	open := strings.IndexByte(rest, '[')
	if open < 0 || !strings.HasSuffix(rest, "]:") {
		if open >= 0 || strings.HasPrefix(rest, "gp=") || rest == "" {
			return h, false, "truncated goroutine header (want \"goroutine N [state]:\")"
		}
		return h, false, ""
	}
	for _, f := range strings.Fields(rest[:open]) {
		if v, ok := strings.CutPrefix(f, "m="); ok {
			h.m = v
		}
	}
	if bad := h.status(rest[open+1 : len(rest)-2]); bad != "" {
		return h, false, bad
	}
	return h, true, ""
}

// status reads the bracket's content into h.
func (h *header) status(s string) (bad string) {
	reason, more, _ := strings.Cut(s, ", ")
	if r, ok := strings.CutSuffix(reason, " (leaked)"); ok {
		reason, h.leaked = r, true
	}
	if reason == "" {
		return "goroutine header without a state"
	}
	h.reason = reason
	for more != "" {
		var item string
		item, more, _ = strings.Cut(more, ", ")
		switch {
		case item == "locked to thread":
			h.locked = true
		case strings.HasSuffix(item, " minutes"):
			n, ok := atoi(strings.TrimSuffix(item, " minutes"))
			if !ok {
				return "wait duration out of range"
			}
			h.waitNs = int64(n) * 60e9
		}
	}
	return ""
}

// goleakHeader reads the header goleak prints for each unexpected
// goroutine (go.uber.org/goleak, Stack.String):
//
//	[Goroutine 21 in state sync.Mutex.Lock, with internal/sync.runtime_SemacquireMutex on top of the stack:
//
// The first is preceded by "[", later ones by a blank (the slice is
// printed with %v).
func goleakHeader(l string) (h header, ok bool) {
	l = strings.TrimLeft(l, "[ \t")
	rest, ok := strings.CutPrefix(l, "Goroutine ")
	if !ok || !strings.HasSuffix(rest, " on top of the stack:") {
		return h, false
	}
	id, rest, ok := strings.Cut(rest, " in state ")
	if !ok || !digitsOnly(id) || len(id) > maxIDDigits {
		return h, false
	}
	state, _, ok := strings.Cut(rest, ", with ")
	if !ok {
		return h, false
	}
	h.id = id
	return h, h.status(state) == ""
}

func digitsOnly(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

package logs

import (
	"strconv"
	"strings"
)

// OpenTelemetry severity numbers (logs data model, SeverityNumber): each
// range has four steps, the first being the plain level.
const (
	sevTrace = 1
	sevDebug = 5
	sevInfo  = 9
	sevWarn  = 13
	sevError = 17
	sevFatal = 21
)

// severity maps a record's level value to OpenTelemetry's severity text
// and number (0 when the level means nothing known). The tables follow
// the OpenTelemetry bridges of each library, so that a file read here and
// the same logs exported through the bridge agree:
//
//   - log/slog (otelslog): number = slog level + 9, so "ERROR+2" (slog
//     level 10) is 19 and "DEBUG-4" is 1;
//   - zap (otelzap): dpanic, panic and fatal are 21, 22 and 23;
//   - logrus (otellogrus): fatal is 21 and panic 24;
//   - bunyan and pino: numeric levels 10 (trace) to 60 (fatal) in steps of
//     ten; a custom level between two steps takes the lower one;
//   - Python: DEBUG, INFO, WARNING, ERROR, CRITICAL (critical is fatal);
//   - syslog names (notice, crit, alert, emerg) and the usual spellings
//     otherwise.
//
// zap and logrus both write "panic" and "fatal" in lower case; a record
// with zap's "ts" key is read as zap's.
func severity(v val, zap bool) (text string, num int) {
	switch v.kind {
	case kNum, kBare:
		if n, err := strconv.ParseInt(v.s, 10, 64); err == nil {
			return numericLevelName(n), numericLevel(n)
		}
		if v.kind == kNum {
			return v.s, 0
		}
	case kStr:
		if n, err := strconv.ParseInt(v.s, 10, 64); err == nil {
			return numericLevelName(n), numericLevel(n)
		}
	default:
		return "", 0
	}
	return v.s, namedLevel(v.s, zap)
}

// numericLevel maps bunyan's and pino's numbers.
func numericLevel(n int64) int {
	switch {
	case n <= 0:
		return 0
	case n < 20:
		return sevTrace
	case n < 30:
		return sevDebug
	case n < 40:
		return sevInfo
	case n < 50:
		return sevWarn
	case n < 60:
		return sevError
	}
	return sevFatal
}

// numericLevelName is pino's label for a number, the text its own
// formatters would print.
func numericLevelName(n int64) string {
	switch numericLevel(n) {
	case sevTrace:
		return "trace"
	case sevDebug:
		return "debug"
	case sevInfo:
		return "info"
	case sevWarn:
		return "warn"
	case sevError:
		return "error"
	case sevFatal:
		return "fatal"
	}
	return strconv.FormatInt(n, 10)
}

// namedLevel maps a level name, case-insensitively, with slog's "+N"/"-N"
// offsets.
func namedLevel(s string, zap bool) int {
	base, off := s, 0
	if i := strings.LastIndexAny(s, "+-"); i > 0 {
		if n, err := strconv.Atoi(s[i:]); err == nil {
			base, off = s[:i], n
		}
	}
	if off != 0 {
		// Only slog writes offsets, and slog levels are 4 apart from OTel's
		// by construction (otelslog adds 9 to the slog level).
		b := namedLevel(base, false)
		if b == 0 {
			return 0
		}
		return clampSev(b + off)
	}
	switch strings.ToLower(base) {
	case "trace", "trc", "finest", "finer":
		return sevTrace
	case "debug", "dbg", "fine", "verbose":
		return sevDebug
	case "info", "inf", "information", "informational", "config":
		return sevInfo
	case "notice":
		return sevInfo + 1
	case "warn", "warning", "wrn":
		return sevWarn
	case "error", "err", "eror", "severe":
		return sevError
	case "dpanic":
		return sevFatal
	case "panic":
		if zap {
			return sevFatal + 1
		}
		return sevFatal + 3
	case "fatal", "critical", "crit", "ftl":
		if zap && strings.EqualFold(base, "fatal") {
			return sevFatal + 2
		}
		return sevFatal
	case "alert":
		return sevFatal + 1
	case "emerg", "emergency":
		return sevFatal + 2
	}
	return 0
}

func clampSev(n int) int {
	return max(1, min(24, n))
}

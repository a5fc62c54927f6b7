package logs

import (
	"path"
	"strconv"
	"strings"

	"github.com/tagdebug/tag/epg"
)

// splitFileLine splits "pkg/file.go:42" (zap's caller, slog's text
// source, logrus's file) and "file.go:42:7" into file and line. Without a
// trailing number the whole text is the file.
func splitFileLine(s string) (file string, line int) {
	file = s
	for range 2 {
		i := strings.LastIndexByte(file, ':')
		if i <= 0 || i == len(file)-1 || !allDigits(file[i+1:]) {
			break
		}
		n, err := strconv.Atoi(file[i+1:])
		if err != nil {
			break
		}
		// With file:line:col the column comes off first; the line is the
		// number left at the end.
		file, line = file[:i], n
	}
	return file, line
}

// langOf names the language of a source file by its extension, in the
// terms of epg.Location.Lang.
func langOf(file string) string {
	switch strings.ToLower(path.Ext(strings.ReplaceAll(file, `\`, "/"))) {
	case ".go":
		return "go"
	case ".py":
		return "python"
	case ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx":
		return "javascript"
	case ".java":
		return "java"
	}
	return ""
}

// notAppMarkers are path fragments of code the application did not
// write: the Go toolchain and module cache, Python's installed packages,
// Node's.
var notAppMarkers = []string{"/go/src/", "/go/pkg/mod/", "/libexec/src/", "/site-packages/", "/dist-packages/",
	"/lib/python", "node_modules/", "node:internal/"}

// callerLoc builds the location of the logging call. A log call site is
// the application's own code unless its path says otherwise (a wrapper
// in a vendored library).
func callerLoc(file string, line int, fn string) *epg.Location {
	if file == "" && fn == "" {
		return nil
	}
	l := &epg.Location{File: file, Line: line, Function: fn, Lang: langOf(file), InApp: true}
	for _, m := range notAppMarkers {
		if strings.Contains(file, m) {
			l.InApp = false
			break
		}
	}
	return l
}

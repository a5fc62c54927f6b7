package repro

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/tagdebug/tag/internal/evidence"
)

// Process capsule identity.
const (
	ProcessCapsuleKind    = "tag.process-capsule"
	ProcessCapsuleVersion = 1
)

// ProcessCapsule is a recorded run of any program, enough to run it again
// somewhere else. It is JSON, version 1:
//
//	{
//	  "kind": "tag.process-capsule", "version": 1,
//	  "command": "python3", "args": ["worker.py", "--cold"],
//	  "dir": "",                      // working dir, relative to the files
//	  "env": {"PYTHONHASHSEED": "0"}, // allowlisted names only; PATH is the replay machine's
//	  "files": [{"path": "worker.py", "content": "…", "encoding": "", "mode": 420}],
//	  "stdin": "", "stdin_encoding": "", "stdin_open": false,
//	  "tz": "UTC", "locale": "C.UTF-8",
//	  "timeout_ms": 60000, "memory_mb": 4096,
//	  "on_timeout": "jstack",         // "jstack" | "sigquit" | "" (nothing)
//	  "dump_on": "DEADLOCK",          // optional regexp: dump and stop when output shows it
//	  "signature": "TypeError",       // RE2 regexp: the failure, searched in stdout, stderr and the dump
//	  "expected": {"exit": 0, "timed_out": false, "stdout_sha256": "…", "stderr_sha256": "…"},
//	  "network": {"addr_env": "TAG_REPLAY_ADDR", "url_env": ["API_URL"],
//	              "responses": [{"method": "GET", "url": "/v1/x", "status": 200, "headers": {}, "body": "…"}]},
//	  "environment": {"goos": "linux", "goarch": "amd64", "cpus": 8, "tools": {"python3": "Python 3.11.2"}},
//	  "recorded_at": "2026-11-24T08:00:00Z"
//	}
//
// Contents are UTF-8 text unless their encoding is "base64". File paths
// are relative and stay inside the replay directory. Fields may be added
// in version 1, never renamed; readers ignore fields they do not know.
type ProcessCapsule struct {
	Kind          string            `json:"kind"`
	Version       int               `json:"version"`
	Command       string            `json:"command"`
	Args          []string          `json:"args,omitempty"`
	Dir           string            `json:"dir,omitempty"`
	Env           map[string]string `json:"env,omitempty"`
	Files         []CapsuleFile     `json:"files,omitempty"`
	Stdin         string            `json:"stdin,omitempty"`
	StdinEncoding string            `json:"stdin_encoding,omitempty"`
	StdinOpen     bool              `json:"stdin_open,omitempty"`
	TZ            string            `json:"tz,omitempty"`
	Locale        string            `json:"locale,omitempty"`
	TimeoutMS     int64             `json:"timeout_ms,omitempty"`
	MemoryMB      int64             `json:"memory_mb,omitempty"`
	OnTimeout     string            `json:"on_timeout,omitempty"`
	DumpOn        string            `json:"dump_on,omitempty"`
	Signature     string            `json:"signature,omitempty"`
	Expected      Expected          `json:"expected"`
	Network       *Mock             `json:"network,omitempty"`
	Environment   Environment       `json:"environment"`
	RecordedAt    time.Time         `json:"recorded_at,omitzero"`
}

// CapsuleFile is one working file of a process capsule.
type CapsuleFile struct {
	Path     string `json:"path"`
	Content  string `json:"content"`
	Encoding string `json:"encoding,omitempty"` // "" (UTF-8) or "base64"
	Mode     uint32 `json:"mode,omitempty"`     // permission bits; default 0644
}

// Expected is how the recorded run ended.
type Expected struct {
	Exit         int    `json:"exit"`
	TimedOut     bool   `json:"timed_out,omitempty"`
	Signal       string `json:"signal,omitempty"`
	StdoutSHA256 string `json:"stdout_sha256,omitempty"`
	StderrSHA256 string `json:"stderr_sha256,omitempty"`
}

// Dumpers named by ProcessCapsule.OnTimeout.
const (
	DumpJStack  = "jstack"  // jstack -l, else jcmd Thread.print, else SIGQUIT, for each JVM
	DumpSIGQUIT = "sigquit" // SIGQUIT to every process (JVM and Go runtimes dump their threads)
)

// DefaultProcessTimeout bounds a replayed process that names no timeout.
const DefaultProcessTimeout = time.Minute

// LoadProcessCapsule reads and checks the capsule at path. Errors are
// *evidence.Error values naming the file, and the byte offset or field.
func LoadProcessCapsule(path string) (*ProcessCapsule, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseProcessCapsule(path, data)
}

// ParseProcessCapsule decodes and checks a capsule; name is used in errors.
func ParseProcessCapsule(name string, data []byte) (*ProcessCapsule, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var c ProcessCapsule
	if err := dec.Decode(&c); err != nil {
		return nil, jsonError(name, data, dec, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, capsuleErr(name, data, dec.InputOffset(), "data after the capsule object")
	}
	if err := c.Validate(); err != nil {
		return nil, &evidence.Error{File: name, Offset: -1, Msg: err.Error(), Err: err}
	}
	return &c, nil
}

// jsonError positions a decoding error.
func jsonError(name string, data []byte, dec *json.Decoder, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return capsuleErr(name, data, syn.Offset, "invalid JSON: "+syn.Error())
	case errors.As(err, &typ):
		return capsuleErr(name, data, typ.Offset, fmt.Sprintf("field %s: want %s, got JSON %s", typ.Field, typ.Type, typ.Value))
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return capsuleErr(name, data, int64(len(data)), "truncated JSON: the capsule ends before its object closes")
	}
	return capsuleErr(name, data, dec.InputOffset(), err.Error())
}

func capsuleErr(name string, data []byte, off int64, msg string) *evidence.Error {
	e := &evidence.Error{File: name, Offset: off, Msg: msg}
	if off >= 0 && off <= int64(len(data)) {
		e.Line, e.Column = evidence.LineCol(data, off)
	}
	return e
}

// Validate checks what a replay depends on, naming the field at fault.
func (c *ProcessCapsule) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("field %s: %s", field, fmt.Sprintf(format, args...)))
	}
	if c.Kind != "" && c.Kind != ProcessCapsuleKind {
		bad("kind", "%q is not %q", c.Kind, ProcessCapsuleKind)
	}
	switch {
	case c.Version == 0:
		bad("version", "missing")
	case c.Version != ProcessCapsuleVersion:
		bad("version", "%d is not supported (want %d)", c.Version, ProcessCapsuleVersion)
	}
	if strings.TrimSpace(c.Command) == "" {
		bad("command", "missing")
	}
	if c.Dir != "" && !localPath(c.Dir) {
		bad("dir", "%q leaves the replay directory", c.Dir)
	}
	for name := range c.Env {
		if name == "" || strings.ContainsAny(name, "=\x00") {
			bad("env", "bad variable name %q", name)
		}
	}
	for i, f := range c.Files {
		if !localPath(f.Path) || f.Path == "." {
			bad(fmt.Sprintf("files[%d].path", i), "%q is not a relative path inside the replay directory", f.Path)
		}
		if _, err := decodeContent(f.Content, f.Encoding); err != nil {
			bad(fmt.Sprintf("files[%d].content", i), "%v", err)
		}
	}
	if _, err := decodeContent(c.Stdin, c.StdinEncoding); err != nil {
		bad("stdin", "%v", err)
	}
	for field, re := range map[string]string{"signature": c.Signature, "dump_on": c.DumpOn} {
		if _, err := regexp.Compile(re); err != nil {
			bad(field, "%v", err)
		}
	}
	switch c.OnTimeout {
	case "", DumpJStack, DumpSIGQUIT:
	default:
		bad("on_timeout", "%q is not one of jstack, sigquit", c.OnTimeout)
	}
	if c.TimeoutMS < 0 || c.MemoryMB < 0 {
		bad("timeout_ms/memory_mb", "negative")
	}
	if c.Network != nil {
		for i, r := range c.Network.Responses {
			if !strings.HasPrefix(r.URL, "/") {
				bad(fmt.Sprintf("network.responses[%d].url", i), "%q is not a path (want /…)", r.URL)
			}
			if _, err := decodeContent(r.Body, r.BodyEncoding); err != nil {
				bad(fmt.Sprintf("network.responses[%d].body", i), "%v", err)
			}
		}
	}
	return errors.Join(errs...)
}

// localPath reports whether p is relative and stays inside its root.
func localPath(p string) bool {
	if p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, "\x00") {
		return false
	}
	clean := path.Clean(p)
	return clean != ".." && !strings.HasPrefix(clean, "../")
}

// decodeContent decodes text stored with an encoding.
func decodeContent(s, encoding string) ([]byte, error) {
	switch encoding {
	case "":
		return []byte(s), nil
	case "base64":
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("bad base64: %v", err)
		}
		return b, nil
	}
	return nil, fmt.Errorf("unknown encoding %q (want \"\" or base64)", encoding)
}

// encodeContent stores b as text when it is valid UTF-8 without NULs,
// else as base64.
func encodeContent(b []byte) (string, string) {
	if isText(b) {
		return string(b), ""
	}
	return base64.StdEncoding.EncodeToString(b), "base64"
}

func isText(b []byte) bool {
	return !bytes.ContainsRune(b, 0) && strings.ToValidUTF8(string(b), "\uFFFD") == string(b)
}

// Write stores the capsule as indented JSON at path (mode 0600: it holds
// the program's files).
func (c *ProcessCapsule) Write(path string) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o600)
}

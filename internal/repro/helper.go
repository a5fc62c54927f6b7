package repro

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
)

// helperEnv names the variable that turns a binary linking this package
// into the sandbox helper: its value is the path of a helperSpec file.
// The helper runs from init, before main, and never returns.
const helperEnv = "TAG_REPRO_HELPER"

// helperArg0 is the helper's argv[0], as ps shows it.
const helperArg0 = "tag-repro-helper"

// helperSpec is what the parent asks the helper to do inside the
// namespace: bring loopback up, serve recorded responses, then run Argv
// under RLIMIT_AS with exactly Env.
type helperSpec struct {
	Argv        []string `json:"argv,omitempty"`
	Env         []string `json:"env,omitempty"`
	Dir         string   `json:"dir,omitempty"`
	LoopbackUp  bool     `json:"loopback_up,omitempty"`
	MemoryBytes int64    `json:"memory_bytes,omitempty"`
	Mock        *Mock    `json:"mock,omitempty"`
	Probe       bool     `json:"probe,omitempty"`
}

func init() {
	path := os.Getenv(helperEnv)
	if path == "" {
		return
	}
	os.Unsetenv(helperEnv)
	if err := runHelper(path); err != nil {
		fmt.Fprintln(os.Stderr, "tag repro helper:", err)
		os.Exit(127)
	}
	os.Exit(0)
}

// runHelper runs the spec at path. It returns only on error or, for a
// probe, on success; otherwise it execs or exits with the child's status.
func runHelper(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var spec helperSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if spec.LoopbackUp {
		if err := loopbackUp(); err != nil {
			return fmt.Errorf("loopback: %w", err)
		}
	}
	if spec.Probe {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		return ln.Close()
	}
	if spec.Mock != nil {
		os.Exit(serveAndRun(path, spec))
	}
	return execLimited(spec)
}

// execLimited replaces the helper with spec.Argv under the memory limit.
func execLimited(spec helperSpec) error {
	if spec.MemoryBytes > 0 {
		if err := setAddressLimit(spec.MemoryBytes); err != nil {
			return fmt.Errorf("RLIMIT_AS: %w", err)
		}
	}
	if spec.Dir != "" {
		if err := os.Chdir(spec.Dir); err != nil {
			return err
		}
	}
	if len(spec.Argv) == 0 {
		return fmt.Errorf("no command")
	}
	bin, err := lookPathIn(spec.Argv[0], spec.Env)
	if err != nil {
		return err
	}
	return execReplace(bin, spec.Argv, spec.Env)
}

// lookPathIn resolves name against the PATH of env, as the child will see it.
func lookPathIn(name string, env []string) (string, error) {
	if filepath.Base(name) != name {
		return name, nil
	}
	old := os.Getenv("PATH")
	os.Setenv("PATH", envValue(env, "PATH"))
	defer os.Setenv("PATH", old)
	return exec.LookPath(name)
}

// serveAndRun serves the recorded responses on loopback and runs the
// command as a child helper (which applies the limit), relaying its exit.
func serveAndRun(path string, spec helperSpec) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "tag repro helper: mock:", err)
		return 127
	}
	go spec.Mock.serve(ln)
	child := helperSpec{Argv: spec.Argv, Env: spec.Mock.inject(spec.Env, ln.Addr().String()), Dir: spec.Dir, MemoryBytes: spec.MemoryBytes}
	cmd, err := helperCommand(path+".child", child)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tag repro helper:", err)
		return 127
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGHUP)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "tag repro helper:", err)
		return 127
	}
	go func() {
		for s := range sigs {
			cmd.Process.Signal(s)
		}
	}()
	cmd.Wait()
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		signal.Reset()
		killSelf(ws.Signal())
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}

// helperCommand writes spec to specPath and returns the command that runs
// this binary as the helper for it.
func helperCommand(specPath string, spec helperSpec) (*exec.Cmd, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("helper: %w", err)
	}
	data, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(specPath, data, 0o600); err != nil {
		return nil, err
	}
	cmd := exec.Command(self)
	cmd.Args = []string{helperArg0}
	cmd.Env = append(append([]string{}, spec.Env...), helperEnv+"="+specPath)
	return cmd, nil
}

// envValue is the value of name in env ("" when absent).
func envValue(env []string, name string) string {
	v := ""
	for _, kv := range env {
		if len(kv) > len(name) && kv[:len(name)] == name && kv[len(name)] == '=' {
			v = kv[len(name)+1:]
		}
	}
	return v
}

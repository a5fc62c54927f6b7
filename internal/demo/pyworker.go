package demo

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/tagdebug/tag/internal/repro"
)

// pyworkerHealthyJobs is how many warm-cache jobs run before the cold
// one, so the incident stands out from healthy traffic.
const pyworkerHealthyJobs = 3

// Pyworker runs the Python worker from the scratch repository, exporting
// OpenTelemetry to the embedded receiver: healthy jobs, then the
// cold-cache job whose TypeError is the incident. It then records the
// failing job as a process capsule, since a Python process carries no
// TAG capture SDK, and returns the target with the worker's own tests
// that assert the bug.
func Pyworker(ctx context.Context, env *Env) ([]Target, error) {
	py, err := exec.LookPath("python3")
	if err != nil {
		return nil, fmt.Errorf("pyworker: %w", err)
	}
	dir := filepath.Join(env.Repo, "examples", "pyworker")
	if err := os.MkdirAll(env.Work, 0o755); err != nil {
		return nil, err
	}
	env.logf("pyworker: %d healthy jobs and a cold-cache one, exporting OTLP to %s", pyworkerHealthyJobs, env.OTLP)
	if err := runWorker(ctx, env, py, dir); err != nil {
		return nil, err
	}
	capsule := filepath.Join(env.Work, "pyworker.capsule.json")
	env.logf("pyworker: recording the cold-cache job into %s", capsule)
	_, _, err = repro.Record(ctx, "python3", []string{"worker.py", "--cold"}, repro.RecordOptions{
		Dir: dir, Output: capsule, Timeout: 30 * time.Second, Signature: "TypeError",
	})
	if err != nil {
		return nil, fmt.Errorf("pyworker: record: %w", err)
	}
	return []Target{{
		Example: "pyworker", Name: "top_k_users",
		Service: "pyworker", Kind: "exception", Hint: "top_k_users",
		Capsules: []string{capsule},
		// Both pass only while a cold cache raises: the first asserts
		// the TypeError, the second that the failure is logged.
		ExpectFlip: []string{"test_cold_cache_raises", "test_failure_is_logged_as_json_with_trace_ids"},
	}}, nil
}

// runWorker runs the jobs once, its output kept in the work directory.
// The worker sends its telemetry before it exits, so the incident is
// stored by the time this returns.
func runWorker(ctx context.Context, env *Env, py, dir string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	logPath := filepath.Join(env.Work, "pyworker.log")
	out, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer out.Close()
	cmd := exec.CommandContext(ctx, py, "worker.py", "--jobs", fmt.Sprint(pyworkerHealthyJobs), "--cold")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "OTEL_EXPORTER_OTLP_ENDPOINT="+env.OTLP, "OTEL_SERVICE_NAME=pyworker", "PYTHONDONTWRITEBYTECODE=1")
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pyworker: %v (output in %s)", err, logPath)
	}
	// The worker, like an SDK, carries on when an export fails; here that
	// would leave the demo without its incident, so it is an error.
	data, err := os.ReadFile(logPath)
	if err != nil {
		return err
	}
	if i := bytes.Index(data, []byte("otlp export to ")); i >= 0 {
		line, _, _ := bytes.Cut(data[i:], []byte("\n"))
		return fmt.Errorf("pyworker: %s", line)
	}
	return nil
}

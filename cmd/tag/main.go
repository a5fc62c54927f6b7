// Command tag is TAG, Trace-Augmented Debug: it turns the runtime evidence
// of a production failure (OpenTelemetry traces and logs, stack traces,
// dumps) into incidents with their evidence, and — as the later stages
// land — a reproduction, a root cause and a verified patch.
//
// Exit codes: 0 success; 1 the operation ran and said no; 2 bad usage or
// bad input (the message names the file and byte offset or line).
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the command line args and returns the exit code. Tests
// drive the CLI through it in-process.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	cmd := app.rootCommand()
	cmd.SetArgs(args)
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	err := cmd.ExecuteContext(ctx)
	app.close()
	return app.exitCode(err)
}

#!/bin/sh
# gen.sh regenerates the execution-trace fixtures from the programs under
# programs/, built with the local Go toolchain (-trimpath, so file names in
# the traces do not depend on this checkout's location). programs/load is
# not run here: BenchmarkExecTrace builds and runs it for a trace of
# several MB that is not committed.
# Run from anywhere: sh internal/evidence/gotrace/testdata/gen.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
for p in contention flightrec; do
	(cd "$here/programs/$p" && go build -trimpath -o "$bin/$p" .)
	"$bin/$p" "$here/$p.trace"
done
ls -l "$here"/*.trace

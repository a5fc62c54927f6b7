#!/bin/sh
# gen.sh regenerates the stack-trace fixtures in this directory by running
# the small programs in src/ with the real runtimes (go, java 17, node 20,
# python 3.11) and capturing what they print. The programs are expected to
# fail; only their stderr is kept. Run it from anywhere:
#
#	sh internal/evidence/stacktrace/testdata/gen.sh
#
# then refresh the golden files with
#
#	go test ./internal/evidence/stacktrace -update
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$here/src
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# capture NAME CMD...: run CMD, keep its stderr as NAME.txt.
capture() {
	name=$1
	shift
	"$@" 2>"$here/$name.txt" >/dev/null || true
	echo "wrote $name.txt"
}

cd "$src"
capture go_panic go run go_panic.go
capture go_nilmap go run go_nilmap.go
capture go_nilderef go run go_nilderef.go
GOTRACEBACK=all capture go_goroutines go run go_index.go
capture go_repanic go run go_repanic.go
capture go_repanic_same go run go_repanic.go same
capture go_debugstack go run go_debugstack.go
capture go_errstack go run go_errstack.go

javac -d "$tmp" CausedBy.java Npe.java Threads.java
capture java_caused_by java -cp "$tmp" CausedBy
capture java_npe java -cp "$tmp" Npe
capture java_thread java -cp "$tmp" Threads

capture python_simple python3.11 "$src/py_simple.py"
capture python_chained python3.11 "$src/py_chained.py"
capture python_from python3.11 "$src/py_from.py"
capture python_nomsg python3.11 "$src/py_nomsg.py"

capture node_typeerror node "$src/node_typeerror.js"
capture node_async node "$src/node_async.mjs"
capture node_eval node "$src/node_eval.js"
capture node_cause node "$src/node_cause.js"

#!/bin/sh
# gen.sh regenerates the exception-text fixtures in this directory by
# running the programs in src/ with the real runtimes (java 17, python 3,
# node 20) and keeping what they print on stderr. The programs are run
# from src/ with relative paths. Python 3.9+ makes a script's path
# absolute, so scripts are started through runpy.run_path, which keeps
# the relative name (at the cost of two runpy frames); Node makes every
# path absolute whatever it is given, so its fixture shows the directory
# it ran in. Nothing is edited afterwards. Run it from anywhere:
#
#	sh internal/evidence/crashtext/testdata/gen.sh
#
# then refresh the golden files with
#
#	go test ./internal/evidence/crashtext -update
set -u
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# capture NAME CMD...: run CMD (expected to fail), keep its stderr.
capture() {
	name=$1
	shift
	"$@" 2>"$here/$name" >/dev/null || true
	echo "wrote $name"
}

cd "$here/src"
javac -d "$tmp" Checkout.java TwoErrors.java
capture java_chained.txt java -cp "$tmp" Checkout
capture java_two.txt java -cp "$tmp" TwoErrors
# runpy SCRIPT: run a Python script as __main__ under its relative name.
runpy() {
	python3 -c 'import runpy, sys; runpy.run_path(sys.argv[1], run_name="__main__")' "$1"
}
capture python_chained.txt runpy chained.py
capture python_two_logged.txt runpy two_logged.py
capture node_async_cause.txt node async_cause.js

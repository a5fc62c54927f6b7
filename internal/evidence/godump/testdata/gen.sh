#!/bin/sh
# gen.sh regenerates the Go runtime fixtures in this directory by building
# the small programs under programs/ with the real toolchain
# (-trimpath, so no machine paths are recorded) and capturing what the
# runtime prints. Run it from anywhere:
#
#	sh internal/evidence/godump/testdata/gen.sh
#
# then refresh the golden files with
#
#	go test ./internal/evidence/godump -update
set -u
here=$(cd "$(dirname "$0")" && pwd)
progs=$here/programs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$here"

build() { # build NAME [go build flags...]
	name=$1
	shift
	go build -trimpath "$@" -o "$tmp/$name" "$progs/$name" || exit 1
}

build panic
"$tmp/panic" nilmap 2>panic_nilmap.txt
"$tmp/panic" index 2>panic_index.txt
build abba
"$tmp/abba" 2>deadlock_abba.txt
build doublelock
"$tmp/doublelock" 2>deadlock_double.txt
GOEXPERIMENT=goroutineleakprofile build leak
"$tmp/leak" >leak_profile.txt
build race -race
"$tmp/race" 2>race_cache.txt
(cd "$progs/timeout" && go test -c -trimpath -o "$tmp/timeout.test" .) || exit 1
"$tmp/timeout.test" -test.v -test.timeout 2s >test_timeout.txt 2>&1
build server
"$tmp/server" pprof >pprof_debug2.txt
# SIGQUIT dumps: GOTRACEBACK=all, and crash (gp=/m= headers, runtime
# goroutines, registers).
for tb in all crash; do
	GOTRACEBACK=$tb "$tmp/server" serve >"$tmp/ready" 2>"sigquit_$tb.txt" &
	pid=$!
	while ! grep -q ready "$tmp/ready" 2>/dev/null; do sleep 0.1; done
	kill -QUIT $pid
	wait $pid
done
echo "wrote $(ls *.txt | tr '\n' ' ')"

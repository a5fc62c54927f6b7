#!/bin/sh
# gen.sh rebuilds the pprof fixtures from the real Go runtime: each program
# under programs/ is built with -trimpath (so paths carry no machine
# directories) and run to write its profiles here. Run from this directory:
#   sh gen.sh
set -eu
cd "$(dirname "$0")"
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
build() { go build -trimpath -o "$bin/$1" "./programs/$1"; }

build heap && "$bin/heap" heap.pb.gz heap.txt
build cpu && "$bin/cpu" cpu.pb.gz
build contention && "$bin/contention" mutex.pb.gz block.pb.gz
build goroutine && "$bin/goroutine" goroutine.pb.gz goroutine.txt
# The goroutine leak profile exists only with the go1.26 experiment.
GOEXPERIMENT=goroutineleakprofile go build -trimpath -o "$bin/leak" ./programs/leak && "$bin/leak" goroutineleak.pb.gz
ls -l ./*.pb.gz ./*.txt

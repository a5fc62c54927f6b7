#!/bin/sh
# gen.sh regenerates the log fixtures in this directory by running the
# small programs in programs/ with the real loggers and keeping what they
# write to stdout:
#
#   slog.jsonl, slog.logfmt        Go log/slog JSONHandler / TextHandler
#   zap.jsonl, zap_iso.jsonl       go.uber.org/zap v1.27.0 production JSON
#   logrus.jsonl, logrus.logfmt    github.com/sirupsen/logrus v1.9.3
#   python_ecs.jsonl               Python logging, ECS-style JSON formatter
#   python_plain.jsonl             Python logging, python-json-logger keys
#   pino.jsonl, bunyan.jsonl       pino 9.5.0 and bunyan 1.8.15 on Node
#   mixed.jsonl                    two records of each JSON file, interleaved
#
# zap and logrus are built in programs/zaplogrus, a throwaway module with
# its own go.mod and go.sum, so the main module never depends on them.
# The Python formatters are written out in programs/python/app.py
# (python-json-logger and ecs-logging are not installed); the records,
# levels and tracebacks are the logging module's own. pino and bunyan are
# installed from the npm registry into a temporary directory. bunyan's
# src:true caller capture comes out as "src":{} under Node 20, so src
# mapping is tested with hand-written lines in the Go tests.
#
# Absolute paths of this checkout are rewritten to /build so the
# fixtures do not depend on where they were generated. Run it from
# anywhere:
#
#	sh internal/evidence/logs/testdata/gen.sh
#
# then refresh the golden files with
#
#	go test ./internal/evidence/logs -update
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prog=$here/programs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# keep NAME: stdin → NAME with checkout paths rewritten.
keep() {
	sed "s#$prog#/build#g" >"$here/$1"
	echo "wrote $1"
}

cd "$prog/slog"
go run main.go json | keep slog.jsonl
go run main.go text | keep slog.logfmt

cd "$prog/zaplogrus"
GOFLAGS=-mod=mod GOWORK=off go build -o "$tmp/zaplogrus" .
"$tmp/zaplogrus" zap 2>&1 | keep zap.jsonl
"$tmp/zaplogrus" zapiso 2>&1 | keep zap_iso.jsonl
"$tmp/zaplogrus" logrus | keep logrus.jsonl
"$tmp/zaplogrus" logrustext | keep logrus.logfmt

cd "$prog/python"
python3 app.py ecs | keep python_ecs.jsonl
python3 app.py plain | keep python_plain.jsonl

npm install --silent --no-audit --no-fund --prefix "$tmp/node" pino@9.5.0 bunyan@1.8.15 >/dev/null
cd "$prog/node"
NODE_PATH=$tmp/node/node_modules node app.js pino | keep pino.jsonl
NODE_PATH=$tmp/node/node_modules node app.js bunyan | keep bunyan.jsonl

cd "$here"
for f in slog zap logrus python_ecs python_plain pino bunyan; do
	sed -n 3,4p "$f.jsonl"
done >mixed.jsonl
echo "wrote mixed.jsonl"

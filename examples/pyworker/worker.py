"""pyworker: a Python worker that fails the way production does.

top_k_users(cache, k) ranks users by score, but the cache returns None for
a cold key and the code does not check: the TypeError's traceback is logged
as one JSON line with the trace and span IDs of the job, the way services
log for OpenTelemetry correlation, so TAG can join it to the trace.

With OTEL_EXPORTER_OTLP_ENDPOINT set, every job is also exported the way an
OpenTelemetry SDK would export it, over OTLP/HTTP JSON: a span
"top_k_users job" (status ERROR with an `exception` event when the job
fails) and its log record. The exporter is a few lines of standard library
so the example runs on a bare Python 3.11.

Run jobs:  python3 worker.py [--jobs N] [--cold]
  --jobs N  run N jobs on a warm cache (default 1, or 0 with --cold)
  --cold    then run one job on a cold cache (the bug)
"""

import argparse
import json
import os
import secrets
import sys
import time
import traceback
import urllib.error
import urllib.request


class Cache:
    """A user cache; get returns None for keys that are not loaded."""

    def __init__(self, users=None):
        self._data = {"users": users} if users is not None else {}

    def get(self, key):
        return self._data.get(key)


def top_k_users(cache, k):
    """Return the k highest-scoring users.

    BUG: cache.get("users") is None on a cold cache, and sorted(None) raises
    TypeError (the fix: treat a miss as an empty list or load the users).
    """
    users = cache.get("users")
    return sorted(users, key=lambda u: u["score"], reverse=True)[:k]


def log_json(level, msg, trace_id, span_id, **fields):
    rec = {"time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + "Z", "level": level,
           "msg": msg, "service": "pyworker", "trace_id": trace_id, "span_id": span_id}
    rec.update(fields)
    sys.stdout.write(json.dumps(rec) + "\n")


# OTLP enum values (opentelemetry-proto): span kind, status code, and log
# severity numbers.
SPAN_KIND_CONSUMER = 5
STATUS_OK, STATUS_ERROR = 1, 2
SEVERITY = {"INFO": 9, "ERROR": 17}


def _attrs(d):
    """OTLP JSON KeyValue list; int64 values are strings in OTLP JSON."""
    out = []
    for k, v in d.items():
        if isinstance(v, bool):
            val = {"boolValue": v}
        elif isinstance(v, int):
            val = {"intValue": str(v)}
        else:
            val = {"stringValue": str(v)}
        out.append({"key": k, "value": val})
    return out


class OTLPExporter:
    """Exports spans and log records as OTLP/HTTP JSON to endpoint.

    Like an SDK's batch processor it buffers, and flush() sends one request
    per signal; a failed export is reported on stderr and dropped, never
    allowed to fail the job.
    """

    def __init__(self, endpoint, service="pyworker", timeout=5):
        self.endpoint = endpoint.rstrip("/")
        self.resource = {"attributes": _attrs({"service.name": service,
                                               "telemetry.sdk.language": "python"})}
        self.scope = {"name": "pyworker", "version": "1"}
        self.timeout = timeout
        self.spans, self.logs = [], []

    def span(self, trace_id, span_id, name, start_ns, end_ns, attrs, error=None):
        s = {"traceId": trace_id, "spanId": span_id, "name": name, "kind": SPAN_KIND_CONSUMER,
             "startTimeUnixNano": str(start_ns), "endTimeUnixNano": str(end_ns),
             "attributes": _attrs(attrs), "status": {"code": STATUS_OK}}
        if error is not None:
            s["status"] = {"code": STATUS_ERROR, "message": error["exception.message"]}
            s["events"] = [{"timeUnixNano": str(end_ns), "name": "exception", "attributes": _attrs(error)}]
        self.spans.append(s)

    def log(self, trace_id, span_id, time_ns, level, body, attrs):
        self.logs.append({"timeUnixNano": str(time_ns), "observedTimeUnixNano": str(time.time_ns()),
                          "severityNumber": SEVERITY[level], "severityText": level,
                          "body": {"stringValue": body}, "attributes": _attrs(attrs),
                          "traceId": trace_id, "spanId": span_id, "flags": 1})

    def flush(self):
        if self.spans:
            self._post("/v1/traces", {"resourceSpans": [{"resource": self.resource, "scopeSpans": [
                {"scope": self.scope, "spans": self.spans}]}]})
        if self.logs:
            self._post("/v1/logs", {"resourceLogs": [{"resource": self.resource, "scopeLogs": [
                {"scope": self.scope, "logRecords": self.logs}]}]})
        self.spans, self.logs = [], []

    def _post(self, path, body):
        req = urllib.request.Request(self.endpoint + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                resp.read()
        except (urllib.error.URLError, OSError) as e:
            sys.stderr.write("otlp export to %s%s failed: %s\n" % (self.endpoint, path, e))


def run_job(cache, k, trace_id=None, span_id=None, exporter=None):
    """Run one ranking job, logging its outcome; returns the result or None."""
    trace_id = trace_id or secrets.token_hex(16)
    span_id = span_id or secrets.token_hex(8)
    start = time.time_ns()
    try:
        top = top_k_users(cache, k)
    except Exception as e:  # the worker's job loop logs and moves on
        error = {
            "exception.type": type(e).__name__,
            "exception.message": str(e),
            "exception.stacktrace": traceback.format_exc(),
        }
        log_json("ERROR", "job failed", trace_id, span_id, **error)
        _export(exporter, trace_id, span_id, start, k, "ERROR", "job failed", error)
        return None
    log_json("INFO", "job done", trace_id, span_id, count=len(top))
    _export(exporter, trace_id, span_id, start, k, "INFO", "job done", None)
    return top


def _export(exporter, trace_id, span_id, start, k, level, body, error):
    if exporter is None:
        return
    end = time.time_ns()
    exporter.span(trace_id, span_id, "top_k_users job", start, end, {"job.k": k}, error)
    exporter.log(trace_id, span_id, end, level, body, error or {})


def main(argv):
    ap = argparse.ArgumentParser(description="Run ranking jobs.")
    ap.add_argument("--jobs", type=int, default=None, help="jobs on a warm cache")
    ap.add_argument("--cold", action="store_true", help="then one job on a cold cache")
    args = ap.parse_args(argv)
    jobs = args.jobs if args.jobs is not None else (0 if args.cold else 1)
    endpoint = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    exporter = OTLPExporter(endpoint) if endpoint else None
    users = [{"name": "ada", "score": 9}, {"name": "bob", "score": 7}, {"name": "cy", "score": 8}]
    for _ in range(jobs):
        run_job(Cache(users), 2, exporter=exporter)
    if args.cold:
        run_job(Cache(), 2, exporter=exporter)
    if exporter is not None:
        exporter.flush()


if __name__ == "__main__":
    main(sys.argv[1:])

"""pyworker: a Python worker that fails the way production does.

top_k_users(cache, k) ranks users by score, but the cache returns None for
a cold key and the code does not check: the TypeError's traceback is logged
as one JSON line with the trace and span IDs of the job, the way services
log for OpenTelemetry correlation, so TAG can join it to the trace.

Run a job:  python3 worker.py [--cold]
"""

import json
import secrets
import sys
import time
import traceback


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


def run_job(cache, k, trace_id=None, span_id=None):
    """Run one ranking job, logging its outcome; returns the result or None."""
    trace_id = trace_id or secrets.token_hex(16)
    span_id = span_id or secrets.token_hex(8)
    try:
        top = top_k_users(cache, k)
    except Exception as e:  # the worker's job loop logs and moves on
        log_json("ERROR", "job failed", trace_id, span_id, **{
            "exception.type": type(e).__name__,
            "exception.message": str(e),
            "exception.stacktrace": traceback.format_exc(),
        })
        return None
    log_json("INFO", "job done", trace_id, span_id, count=len(top))
    return top


if __name__ == "__main__":
    users = [{"name": "ada", "score": 9}, {"name": "bob", "score": 7}, {"name": "cy", "score": 8}]
    cache = Cache() if "--cold" in sys.argv else Cache(users)
    run_job(cache, 2)

"""Tests that prove pyworker's bug is there (the "before" of verification)."""

import http.server
import io
import json
import threading
import unittest
from contextlib import redirect_stdout

import worker


class TopKUsers(unittest.TestCase):
    def test_warm_cache_ranks(self):
        c = worker.Cache([{"name": "a", "score": 1}, {"name": "b", "score": 3}])
        self.assertEqual([u["name"] for u in worker.top_k_users(c, 1)], ["b"])

    def test_cold_cache_raises(self):
        # The bug: a cache miss is None and sorted(None) fails.
        with self.assertRaises(TypeError):
            worker.top_k_users(worker.Cache(), 3)

    def test_failure_is_logged_as_json_with_trace_ids(self):
        out = io.StringIO()
        with redirect_stdout(out):
            self.assertIsNone(worker.run_job(worker.Cache(), 3, "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"))
        rec = json.loads(out.getvalue())
        self.assertEqual(rec["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736")
        self.assertEqual(rec["exception.type"], "TypeError")
        self.assertIn("top_k_users", rec["exception.stacktrace"])


class _Collector(http.server.BaseHTTPRequestHandler):
    """An OTLP/HTTP receiver that keeps what it is sent."""

    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, self.headers["Content-Type"], json.loads(body)))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def _attrs(kvs):
    return {kv["key"]: next(iter(kv["value"].values())) for kv in kvs}


class OTLPExport(unittest.TestCase):
    # A job that fails for a reason other than the cold cache (a user
    # without a score), so this test holds before and after the fix.
    def test_jobs_export_spans_and_logs(self):
        _Collector.received = []
        srv = http.server.HTTPServer(("127.0.0.1", 0), _Collector)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        self.addCleanup(srv.server_close)
        self.addCleanup(srv.shutdown)
        exp = worker.OTLPExporter("http://127.0.0.1:%d/" % srv.server_port)
        with redirect_stdout(io.StringIO()):
            worker.run_job(worker.Cache([{"name": "a", "score": 1}]), 1, exporter=exp)
            worker.run_job(worker.Cache([{"name": "a"}]), 1, "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", exp)
        exp.flush()
        by_path = {p: (ct, body) for p, ct, body in _Collector.received}
        self.assertEqual(sorted(by_path), ["/v1/logs", "/v1/traces"])
        self.assertEqual(by_path["/v1/traces"][0], "application/json")

        rs = by_path["/v1/traces"][1]["resourceSpans"][0]
        self.assertEqual(_attrs(rs["resource"]["attributes"])["service.name"], "pyworker")
        ok, failed = rs["scopeSpans"][0]["spans"]
        self.assertEqual((ok["name"], ok["status"]["code"]), ("top_k_users job", worker.STATUS_OK))
        self.assertEqual(failed["status"]["code"], worker.STATUS_ERROR)
        self.assertEqual((failed["traceId"], failed["spanId"]), ("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"))
        self.assertGreaterEqual(int(failed["endTimeUnixNano"]), int(failed["startTimeUnixNano"]))
        event = failed["events"][0]
        self.assertEqual(event["name"], "exception")
        self.assertEqual(_attrs(event["attributes"])["exception.type"], "KeyError")
        self.assertIn("top_k_users", _attrs(event["attributes"])["exception.stacktrace"])

        logs = by_path["/v1/logs"][1]["resourceLogs"][0]["scopeLogs"][0]["logRecords"]
        self.assertEqual([r["severityText"] for r in logs], ["INFO", "ERROR"])
        self.assertEqual(logs[1]["traceId"], "4bf92f3577b34da6a3ce929d0e0e4736")
        self.assertEqual(_attrs(logs[1]["attributes"])["exception.type"], "KeyError")


if __name__ == "__main__":
    unittest.main()

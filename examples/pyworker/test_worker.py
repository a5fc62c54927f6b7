"""Tests that prove pyworker's bug is there (the "before" of verification)."""

import io
import json
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


if __name__ == "__main__":
    unittest.main()

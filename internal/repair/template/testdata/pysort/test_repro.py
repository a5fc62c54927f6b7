"""Reproduction: top() must work while another thread posts scores."""

import sys
import threading
import time
import unittest

import board


class TopWhilePosting(unittest.TestCase):
    def test_top_while_posting(self):
        sys.setswitchinterval(1e-6)  # switch threads often, as a busy server does
        b = board.Board()
        for i in range(2000):
            b.post("p%d" % i, i % 97)
        done = threading.Event()

        def poster():
            # Posts for as long as the reader reads, not a fixed count: on
            # a busy machine a fixed count can be over before the reader
            # first runs, and then nothing overlaps.
            i = 0
            while not done.is_set():
                b.post("late%d" % i, i % 89)
                i += 1
                if i % 16 == 0:
                    time.sleep(0)  # lets the reader in, as request threads do

        t = threading.Thread(target=poster)
        t.start()
        try:
            for _ in range(200):
                self.assertEqual(len(b.top(3)), 3)
        finally:
            done.set()
            t.join()


if __name__ == "__main__":
    unittest.main()

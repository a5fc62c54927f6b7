"""Reproduction: top() must work while another thread posts scores."""

import sys
import threading
import unittest

import board


class TopWhilePosting(unittest.TestCase):
    def test_top_while_posting(self):
        sys.setswitchinterval(1e-6)  # switch threads often, as a busy server does
        b = board.Board()
        for i in range(2000):
            b.post("p%d" % i, i % 97)

        def poster():
            for i in range(20000):
                b.post("late%d" % i, i % 89)

        t = threading.Thread(target=poster)
        t.start()
        try:
            while t.is_alive():
                self.assertEqual(len(b.top(3)), 3)
        finally:
            t.join()


if __name__ == "__main__":
    unittest.main()

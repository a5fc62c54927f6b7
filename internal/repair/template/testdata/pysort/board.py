"""A leaderboard shared by the request threads. Its bug: top() sorts the
shared list of entries in place, so an entry added by another thread
while the sort runs makes it fail with "list modified during sort" (and
readers see the list empty or reordered meanwhile)."""

import threading


class Board:
    """Scores in the order they were posted."""

    def __init__(self):
        self.lock = threading.Lock()
        self.entries = []

    def post(self, name, score):
        with self.lock:
            self.entries.append((name, score))

    def top(self, n):
        self.entries.sort(key=lambda e: -e[1])
        best = self.entries[:n]
        return [name for name, _ in best]

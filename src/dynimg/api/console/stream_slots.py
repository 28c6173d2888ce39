"""Bounds on the console's long-lived responses (server-sent events)."""

from __future__ import annotations

import threading
from collections import Counter

PER_SESSION = 2
IN_ALL = 32


class StreamSlots:
    """Counts open streams per session and in all; refuses past the bounds.

    In this process's memory: ``dynimg serve`` runs one API process.
    """

    def __init__(self, per_session: int = PER_SESSION, in_all: int = IN_ALL) -> None:
        self._per_session, self._in_all = per_session, in_all
        self._open: Counter[str] = Counter()
        self._lock = threading.Lock()

    def take(self, session: str) -> bool:
        with self._lock:
            if self._open[session] >= self._per_session or self._open.total() >= self._in_all:
                return False
            self._open[session] += 1
            return True

    def give_back(self, session: str) -> None:
        with self._lock:
            self._open[session] -= 1
            if self._open[session] <= 0:
                del self._open[session]

"""A breaker for a dependency that is down: after one failure, skip it for a few seconds.

For what can be skipped without losing anything (shared counters that fail open, announcements
the sweep repeats): a dependency that hangs then costs one caller per process its timeout every
``cooldown`` seconds instead of every caller, and is logged once per spell, not per request.
"""

from __future__ import annotations

import threading
import time

DEFAULT_COOLDOWN = 5.0
"""Seconds a dependency is left alone after it failed once."""


class Breaker:
    """Open for ``cooldown`` seconds after a failure: callers skip the dependency meanwhile."""

    """Open for ``cooldown`` seconds after a failure: callers skip the dependency meanwhile."""

    def __init__(self, cooldown: float = DEFAULT_COOLDOWN) -> None:
        self._cooldown = cooldown
        self._open_until = 0.0
        self._lock = threading.Lock()

    @property
    def open(self) -> bool:
        """Whether the dependency failed within the last ``cooldown`` seconds."""
        return time.monotonic() < self._open_until

    def failed(self) -> bool:
        """Record a failure; True for the first one since the breaker was last closed (log it)."""
        with self._lock:
            first = not self.open
            self._open_until = time.monotonic() + self._cooldown
            return first

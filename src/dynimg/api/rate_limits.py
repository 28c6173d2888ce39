"""Per-account request rates for the Actions Alibaba limits (token buckets, in this process)."""

from __future__ import annotations

import threading
import time

from dynimg.errors import Throttled


class RateLimiter:
    """Allows ``rate`` calls per second per (account, Action), with bursts of one second."""

    def __init__(self, rates: dict[str, float]) -> None:
        self._rates = rates
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, account_id: str, action: str) -> None:
        rate = self._rates.get(action)
        if rate is None:
            return
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get((account_id, action), (rate, now))
            tokens = min(rate, tokens + (now - last) * rate)
            if tokens < 1:
                self._buckets[(account_id, action)] = (tokens, now)
                raise Throttled()
            self._buckets[(account_id, action)] = (tokens - 1, now)

"""Per-account request rates, shared by every API process through Redis when one is configured.

Built on the ``limits`` library (MIT, well kept, used by Flask-Limiter and SlowAPI): a sliding
window counter per (account, Action), which costs two Redis keys per window and no Lua state.
Without ``DYNIMG_REDIS_URL`` the counters live in this process, so N API processes allow N times
the configured rate. If Redis cannot be reached or does not answer within its timeout,
requests are allowed (and a warning logged): an outage of the limiter must not become an outage
of the API. After a failure Redis is left alone for a few seconds (see
:mod:`dynimg.adapters.redis_client`), so a hung Redis costs one request per process at most the
timeout, not every request.
"""

from __future__ import annotations

import logging
from math import ceil

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import SlidingWindowCounterRateLimiter

from dynimg.adapters.breaker import Breaker
from dynimg.adapters.redis_client import DEFAULT_TIMEOUT, redis_pool

log = logging.getLogger("dynimg.rate_limits")


class SlidingWindowLimiter:
    """Implements ``ports.RateLimiter``: ``rates`` are calls per second, per account and Action."""

    def __init__(
        self,
        rates: dict[str, float],
        redis_url: str | None = None,
        key_prefix: str = "dynimg",
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._storage: Storage = (
            RedisStorage(
                redis_url,
                connection_pool=redis_pool(redis_url, timeout),
                key_prefix=f"{key_prefix}:limits",
                wrap_exceptions=True,
            )
            if redis_url
            else MemoryStorage()
        )
        self._breaker = Breaker()
        self._limiter = SlidingWindowCounterRateLimiter(self._storage)
        self._items = {action: _item(rate) for action, rate in rates.items()}
        self.shared = redis_url is not None

    def allow(self, account_id: str, action: str) -> bool:
        item = self._items.get(action)
        if item is None or self._breaker.open:
            return True
        try:
            return bool(self._limiter.hit(item, account_id, action))
        except Exception as exc:  # Redis unreachable or hung: fail open, loudly (once a spell)
            if self._breaker.failed():
                log.warning("rate limiter unavailable, allowing requests: %s", type(exc).__name__)
            return True

    def retry_after(self, action: str) -> int:
        item = self._items.get(action)
        return max(1, ceil(item.get_expiry())) if item is not None else 1

    def healthy(self) -> bool:
        """Whether the counters' storage answers (always true in memory)."""
        try:
            return bool(self._storage.check())
        except Exception:
            return False


def _item(rate: float) -> RateLimitItem:
    """``rate`` per second as a window: 30/s is 30 per 1 s; 0.2/s is 1 per 5 s."""
    if rate >= 1:
        return RateLimitItemPerSecond(round(rate), 1)
    return RateLimitItemPerSecond(1, ceil(1 / rate))

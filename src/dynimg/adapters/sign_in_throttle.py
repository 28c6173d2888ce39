"""Failed console sign-ins per (username, client address), in this process or shared in Redis.

Each process always counts in its own memory, in at most ``max_entries`` pairs: past that the
pairs that failed longest ago are forgotten first (a flood of made-up names once wiped every
count at 100,000, the attacker's target included). With ``DYNIMG_REDIS_URL`` the counts are also
kept in Redis (the ``limits`` library's moving window, as for the rate limits), so every API
process refuses a pair that failed on another; when Redis does not answer, this process's own
counts decide, and Redis is left alone for a few seconds (see :mod:`dynimg.adapters.breaker`).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from limits import RateLimitItemPerSecond
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter

from dynimg.adapters.breaker import Breaker
from dynimg.adapters.redis_client import DEFAULT_TIMEOUT, redis_pool

log = logging.getLogger("dynimg.sign_in")
LIMIT = 5
WINDOW_SECONDS = 300
MAX_ENTRIES = 100_000


class LocalSignInThrottle:
    """Implements ``ports.SignInThrottle`` in this process: at most ``limit`` failures per pair
    in ``window`` seconds, in at most ``max_entries`` pairs (the oldest forgotten first)."""

    def __init__(
        self, limit: int = LIMIT, window: float = WINDOW_SECONDS, max_entries: int = MAX_ENTRIES
    ) -> None:
        self._limit, self._window, self._max = limit, window, max_entries
        self._failures: OrderedDict[tuple[str, str], deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def blocked(self, username: str, address: str) -> bool:
        with self._lock:
            entries = self._failures.get((username.lower(), address))
            return entries is not None and len(self._prune(entries)) >= self._limit

    def failed(self, username: str, address: str) -> None:
        key = (username.lower(), address)
        with self._lock:
            entries = self._prune(self._failures.pop(key, deque()))
            entries.append(time.monotonic())
            self._failures[key] = entries  # last: the most recently failed
            while len(self._failures) > self._max:
                self._failures.popitem(last=False)

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._failures.pop((username.lower(), address), None)

    def _prune(self, entries: deque[float]) -> deque[float]:
        while entries and time.monotonic() - entries[0] > self._window:
            entries.popleft()
        return entries


class SharedSignInThrottle:
    """Implements ``ports.SignInThrottle`` in Redis, this process's counts as the fallback."""

    def __init__(
        self, redis_url: str, key_prefix: str, timeout: float = DEFAULT_TIMEOUT,
        local: LocalSignInThrottle | None = None,
    ) -> None:  # fmt: skip
        storage = RedisStorage(
            redis_url, connection_pool=redis_pool(redis_url, timeout),
            key_prefix=f"{key_prefix}:sign-in", wrap_exceptions=True,
        )  # fmt: skip
        self._limiter = MovingWindowRateLimiter(storage)
        self._item = RateLimitItemPerSecond(LIMIT, WINDOW_SECONDS)
        self._local = local or LocalSignInThrottle()
        self._breaker = Breaker()

    def blocked(self, username: str, address: str) -> bool:
        allowed = self._shared(lambda key: self._limiter.test(self._item, key), username, address)
        if allowed is None:  # Redis down: this process's own counts decide
            return self._local.blocked(username, address)
        return allowed is False

    def failed(self, username: str, address: str) -> None:
        self._local.failed(username, address)
        self._shared(lambda key: self._limiter.hit(self._item, key), username, address)

    def succeeded(self, username: str, address: str) -> None:
        self._local.succeeded(username, address)
        self._shared(lambda key: self._limiter.clear(self._item, key), username, address)

    def _shared(self, call: Callable[[str], object], username: str, address: str) -> object:
        """``call(key)`` on Redis, or None when Redis is down (this process's counts decide)."""
        if self._breaker.open:
            return None
        # Hashed: the counters' keys must not show user names or addresses to Redis's readers.
        key = hashlib.sha256(f"{username.lower()}\n{address}".encode()).hexdigest()
        try:
            return call(key)
        except Exception as exc:
            if self._breaker.failed():
                log.warning("sign-in counts unavailable in Redis: %s", type(exc).__name__)
            return None

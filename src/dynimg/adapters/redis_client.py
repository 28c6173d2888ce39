"""How dynimg talks to Redis: bounded timeouts, no retries, and a breaker for a Redis that is down.

Redis only holds shared counters (rate limits, sign-in failures), which fail open or fall back to
this process's own counts when Redis cannot answer. What matters is how fast that happens: a Redis
that accepts connections and never answers held each request for as long as redis-py retried
(150 s seen). So every socket operation is bounded by ``timeout``, nothing is retried, and after a
failure a :class:`~dynimg.adapters.breaker.Breaker` skips Redis altogether for a few seconds: a
hung Redis costs one request per process at most ``timeout`` every few seconds, the rest none.
"""

from __future__ import annotations

from redis import ConnectionPool
from redis.backoff import NoBackoff
from redis.retry import Retry

DEFAULT_TIMEOUT = 0.5
"""Seconds to connect to, or wait for an answer from, Redis on the request path."""


def redis_pool(url: str, timeout: float = DEFAULT_TIMEOUT) -> ConnectionPool:
    """A connection pool for ``url`` whose every connect, read and write gives up after
    ``timeout`` seconds, without the retries redis-py makes by default."""
    return ConnectionPool.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 0),
        health_check_interval=0,
    )

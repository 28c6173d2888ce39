"""What ``/readyz`` reports: whether this node can serve, and what else is wrong, check by check.

Only the database decides readiness: without it a node can answer nothing, while without
storage, the broker or Redis it still serves reads (lists, job status, console pages) and queues
work. Marking every node unready when one of those is down would turn a partial outage into a
full one behind a load balancer, so they are reported as ``degraded`` (200, with details).
Each check is bounded by ``CHECK_SECONDS``: a dependency that hangs is reported as such instead
of holding the probe past the load balancer's own timeout.

``/healthz`` only says the process answers; it runs none of these, so a load balancer that
restarts unhealthy processes does not restart every node when the database blips.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from dynimg.ports import Dispatcher, RateLimiter, Storage, UnitOfWorkFactory

log = logging.getLogger("dynimg.health")
PROBE_PREFIX = "health"
REQUIRED = frozenset({"database"})
"""What this node cannot serve without; the other checks only make it degraded."""
CHECK_SECONDS = 4.0
"""Longest a check may take before it is reported as not answering."""
# Shared by every probe: a check that hangs holds one of these until its client gives up, so
# at most this many hung checks exist at once, whatever the load balancer's probing rate.
_checks = ThreadPoolExecutor(max_workers=8, thread_name_prefix="dynimg-readyz")


@dataclass(frozen=True)
class Health:
    """Each check's outcome (``ok`` or what is wrong)."""

    checks: dict[str, str]

    @property
    def healthy(self) -> bool:
        """Whether this node can serve: every required check is ok."""
        return all(self.checks.get(name) == "ok" for name in REQUIRED)

    @property
    def status(self) -> str:
        """``ok``, ``degraded`` (serving without some dependency) or ``unavailable``."""
        if not self.healthy:
            return "unavailable"
        return "ok" if all(outcome == "ok" for outcome in self.checks.values()) else "degraded"


def check_readiness(
    uow_factory: UnitOfWorkFactory,
    storage: Storage,
    dispatcher: Dispatcher,
    limiter: RateLimiter | None = None,
) -> Health:
    """The database answers, storage takes a write, the broker answers, and shared limits
    (if any) answer: all at once, each within ``CHECK_SECONDS``."""
    probes: dict[str, Callable[[], str]] = {
        "database": lambda: _database(uow_factory),
        "storage": lambda: _storage(storage),
        "broker": lambda: "ok" if dispatcher.reachable() else "not reachable",
    }
    if limiter is not None:
        probes["redis"] = lambda: "ok" if limiter.healthy() else "not reachable"
    running = {name: _checks.submit(probe) for name, probe in probes.items()}
    return Health({name: _outcome(name, future) for name, future in running.items()})


def _outcome(name: str, future: Future[str]) -> str:
    try:
        return future.result(timeout=CHECK_SECONDS)
    except FutureTimeout:
        log.warning("health: %s did not answer within %s s", name, CHECK_SECONDS)
        return "no answer"


def _database(uow_factory: UnitOfWorkFactory) -> str:
    try:
        with uow_factory() as uow:
            uow.accounts.get("health-check")
    except Exception as exc:
        log.warning("health: database failed: %s", type(exc).__name__)
        return "not reachable"
    return "ok"


def _storage(storage: Storage) -> str:
    """Write and remove a small object: a full or read-only disk fails here, not in a job."""
    key = f"{PROBE_PREFIX}/{os.getpid()}-{secrets.token_hex(4)}"
    try:
        storage.put(key, iter([b"dynimg health check\n"]))
        storage.delete(key)
    except Exception as exc:
        log.warning("health: storage not writable: %s", type(exc).__name__)
        return "not writable"
    return "ok"

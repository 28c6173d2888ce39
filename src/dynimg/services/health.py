"""What ``/readyz`` reports: whether this node can do its work, check by check.

``/healthz`` only says the process answers; it runs none of these, so a load balancer that
restarts unhealthy processes does not restart every node when the database blips.
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass

from dynimg.ports import Dispatcher, RateLimiter, Storage, UnitOfWorkFactory

log = logging.getLogger("dynimg.health")
PROBE_PREFIX = "health"


@dataclass(frozen=True)
class Health:
    """Each check's outcome (``ok`` or what is wrong); healthy when every check is ok."""

    checks: dict[str, str]

    @property
    def healthy(self) -> bool:
        return all(outcome == "ok" for outcome in self.checks.values())


def check_readiness(
    uow_factory: UnitOfWorkFactory,
    storage: Storage,
    dispatcher: Dispatcher,
    limiter: RateLimiter | None = None,
) -> Health:
    """The database answers, storage takes a write, the broker answers, and shared limits
    (if any) answer."""
    checks = {
        "database": _database(uow_factory),
        "storage": _storage(storage),
        "broker": "ok" if dispatcher.reachable() else "not reachable",
    }
    if limiter is not None:
        checks["redis"] = "ok" if limiter.healthy() else "not reachable"
    return Health(checks)


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

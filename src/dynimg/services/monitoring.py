"""What a Prometheus scrape asks the database: jobs by state and how long the queue is.

These are read from the database rather than counted as they change, so they are right
whichever process (or machine) changed the rows, and a restart loses nothing. Counting scans the
jobs table (75 ms per scrape per node at 200,000 rows), so :class:`CachedSnapshot` reuses one
count for ``SNAPSHOT_SECONDS``: scrapes more often than that (several Prometheus servers, a
dashboard refreshing) cost the database nothing more.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from dynimg.domain.jobs import JobStatus
from dynimg.domain.monitoring import JobsSnapshot
from dynimg.ports import Clock, UnitOfWorkFactory


def jobs_snapshot(uow_factory: UnitOfWorkFactory, clock: Clock) -> JobsSnapshot:
    """Count jobs per status and age the queue, in one read-only transaction."""
    with uow_factory() as uow:
        counts = uow.jobs.count_by_status()
        oldest = uow.jobs.oldest_queued()
    by_status = {status.value: counts.get(status.value, 0) for status in JobStatus}
    age = 0.0 if oldest is None else max((clock.now() - oldest).total_seconds(), 0.0)
    return JobsSnapshot(by_status, by_status[JobStatus.QUEUED.value], age)


SNAPSHOT_SECONDS = 15.0
"""How long one count of the jobs serves the scrapes that follow it."""


class CachedSnapshot:
    """``snapshot()`` at most once per ``seconds``; callers in between get the last count."""

    def __init__(
        self,
        snapshot: Callable[[], JobsSnapshot],
        seconds: float = SNAPSHOT_SECONDS,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._snapshot, self._seconds, self._now = snapshot, seconds, now
        self._last: tuple[float, JobsSnapshot] | None = None
        self._lock = threading.Lock()  # concurrent scrapes wait for one count, not start theirs

    def __call__(self) -> JobsSnapshot:
        with self._lock:
            if self._last is None or self._now() - self._last[0] >= self._seconds:
                self._last = (self._now(), self._snapshot())
            return self._last[1]

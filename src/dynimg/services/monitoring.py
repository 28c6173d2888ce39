"""What a Prometheus scrape asks the database: jobs by state and how long the queue is.

These are read at scrape time rather than counted as they change, so they are right whichever
process (or machine) changed the rows, and a restart loses nothing.
"""

from __future__ import annotations

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

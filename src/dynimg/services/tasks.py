"""The one registry of background work: every task kind, its handler, and the periodic runs.

A dispatcher delivers ``(kind, ref)``; :func:`run_task` looks the kind up and runs its handler,
which claims the task's row before doing anything. Periodic kinds are run by :func:`tick` in
every worker process, but each claims its slot in ``periodic_runs`` first, so it runs once per
interval across the cluster.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from dynimg.domain.tasks import PERIODIC, REANNOUNCE_AFTER, TaskKind
from dynimg.ports import CallbackSender
from dynimg.services.housekeeping import (
    purge_abandoned_uploads,
    purge_expired_console_sessions,
    purge_expired_grants,
    purge_expired_nonces,
)
from dynimg.services.job_runner import JobDeps, recover_jobs, run_job
from dynimg.services.notifications import deliver_event
from dynimg.services.processing import ProbeDeps, recover_probes, run_probe

log = logging.getLogger("dynimg.tasks")
DUE_BATCH = 200


@dataclass(frozen=True)
class TaskDeps:
    """What every task handler needs, built once per worker process."""

    jobs: JobDeps
    sender: CallbackSender
    console_session_lifetime: timedelta
    """The console's absolute session timeout: housekeeping forgets older sessions."""

    @property
    def probes(self) -> ProbeDeps:
        j = self.jobs
        return ProbeDeps(j.uow_factory, j.clock, j.storage, j.engine)


def run_task(deps: TaskDeps, kind: TaskKind, ref: str) -> None:
    """Run one announced task; a task that is not claimable (done, or taken) is a no-op."""
    if kind in PERIODIC:
        run_periodic(deps, kind)
        return
    _HANDLERS[kind](deps, ref)


def run_periodic(deps: TaskDeps, kind: TaskKind) -> bool:
    """Run a periodic kind if its slot is due and this process wins it; True when it ran."""
    now = deps.jobs.clock.now()
    with deps.jobs.uow_factory() as uow:
        won = uow.periodic.claim(kind.value, now, now + PERIODIC[kind])
        uow.commit()
    if won:
        _PERIODIC_HANDLERS[kind](deps)
    return won


def tick(deps: TaskDeps) -> None:
    """Called every second or so by each worker process: runs whichever periodic kinds are due."""
    for kind in PERIODIC:
        try:
            run_periodic(deps, kind)
        except Exception:
            log.exception("periodic %s failed", kind)


def due_work(
    deps: TaskDeps, announced_before: datetime | None = None
) -> list[tuple[TaskKind, str]]:
    """Work that is due now: jobs, probes and events (not announced since ``announced_before``)."""
    now = deps.jobs.clock.now()
    with deps.jobs.uow_factory() as uow:
        work = [
            (TaskKind.RENDER, job_id) for job_id in uow.jobs.due(now, DUE_BATCH, announced_before)
        ]
        work += uow.tasks.due(now, DUE_BATCH, announced_before)
        work += [
            (TaskKind.DELIVER, ref) for ref in uow.outbox.due(now, DUE_BATCH, announced_before)
        ]
    return work


def sweep(deps: TaskDeps) -> int:
    """Recover work whose worker died, then announce due work nobody has been told about.

    Work announced less than ``REANNOUNCE_AFTER`` ago is left alone: its message is probably
    still waiting in the broker, and announcing it again would only add duplicates.
    """
    recover_jobs(deps.jobs)
    recover_probes(deps.probes)
    now = deps.jobs.clock.now()
    work = due_work(deps, announced_before=now - REANNOUNCE_AFTER)
    with deps.jobs.uow_factory() as uow:
        uow.jobs.mark_announced([ref for kind, ref in work if kind is TaskKind.RENDER], now)
        uow.tasks.mark_announced([(k, r) for k, r in work if k is TaskKind.PROBE], now)
        uow.outbox.mark_announced([ref for kind, ref in work if kind is TaskKind.DELIVER], now)
        uow.commit()
    for kind, ref in work:
        deps.jobs.dispatcher.announce(kind, ref)
    return len(work)


def housekeeping(deps: TaskDeps) -> None:
    """Purge expired nonces, upload grants and console sessions, and multipart uploads nobody
    finished."""
    j = deps.jobs
    purge_expired_nonces(j.uow_factory, j.clock)
    purge_expired_grants(j.uow_factory, j.clock)
    purge_expired_console_sessions(j.uow_factory, j.clock, deps.console_session_lifetime)
    purge_abandoned_uploads(j.uow_factory, j.clock, j.storage)


def _render(deps: TaskDeps, ref: str) -> None:
    run_job(deps.jobs, ref)


def _probe(deps: TaskDeps, ref: str) -> None:
    run_probe(deps.probes, ref)


def _deliver(deps: TaskDeps, ref: str) -> None:
    deliver_event(deps.jobs.uow_factory, deps.jobs.clock, deps.sender, ref, deps.jobs.metrics)


_HANDLERS: dict[TaskKind, Callable[[TaskDeps, str], None]] = {
    TaskKind.RENDER: _render,
    TaskKind.PROBE: _probe,
    TaskKind.DELIVER: _deliver,
}
_PERIODIC_HANDLERS: dict[TaskKind, Callable[[TaskDeps], object]] = {
    TaskKind.SWEEP: sweep,
    TaskKind.HOUSEKEEPING: housekeeping,
}

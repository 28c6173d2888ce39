"""The one registry of background work: every task kind, its handler, and the periodic runs.

A dispatcher delivers ``(kind, ref)``; :func:`run_task` looks the kind up among
:func:`work_kinds` and runs one attempt through the one lifecycle (:mod:`.lifecycle`), which
claims the task's row before doing anything. Periodic kinds are run by :func:`tick` in
every worker process, but each claims its slot in ``periodic_runs`` first, so it runs once per
interval across the cluster.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from dynimg.domain.tasks import PERIODIC, REANNOUNCE_AFTER, TaskKind
from dynimg.ports import CallbackSender
from dynimg.services import lifecycle
from dynimg.services.housekeeping import (
    purge_abandoned_uploads,
    purge_expired_console_sessions,
    purge_expired_grants,
    purge_expired_nonces,
)
from dynimg.services.job_runner import JobDeps, JobWork
from dynimg.services.notifications import DeliveryWork
from dynimg.services.on_demand import retire_renders
from dynimg.services.processing import ProbeDeps, ProbeWork
from dynimg.services.snapshot_work import SnapshotWork
from dynimg.services.url_import_work import UrlImportDeps, UrlUploadWork

log = logging.getLogger("dynimg.tasks")
DUE_BATCH = 200


@dataclass(frozen=True)
class TaskDeps:
    """What every task handler needs, built once per worker process."""

    jobs: JobDeps
    sender: CallbackSender
    console_session_lifetime: timedelta
    """The console's absolute session timeout: housekeeping forgets older sessions."""
    on_demand_quota: int = 1000
    """On-demand renders an account keeps; housekeeping retires the least recently
    served beyond it (``DYNIMG_ON_DEMAND_MAX_RENDERS``)."""
    imports: UrlImportDeps | None = None
    """What URL imports need (None: this process runs none; nothing here builds them)."""

    @property
    def probes(self) -> ProbeDeps:
        j = self.jobs
        return ProbeDeps(j.uow_factory, j.clock, j.storage, j.engine, j.dispatcher, j.scratch)


def work_kinds(deps: TaskDeps) -> list[lifecycle.WorkKind[Any, Any, Any]]:
    """Every kind of durable work, in the order the sweep finds and announces it."""
    j = deps.jobs
    kinds: list[lifecycle.WorkKind[Any, Any, Any]] = [
        JobWork(j),
        SnapshotWork(j),
        ProbeWork(deps.probes),
        DeliveryWork(j.clock, deps.sender, j.metrics),
    ]
    if deps.imports is not None:
        kinds.insert(3, UrlUploadWork(deps.imports))
    return kinds


def runtime(deps: TaskDeps) -> lifecycle.Runtime:
    """The lifecycle's own needs, from the workers' dependencies."""
    return lifecycle.Runtime(deps.jobs.uow_factory, deps.jobs.clock, deps.jobs.tracer)


def run_task(deps: TaskDeps, kind: TaskKind, ref: str) -> None:
    """Run one announced task; a task that is not claimable (done, or taken) is a no-op."""
    if kind in PERIODIC:
        run_periodic(deps, kind)
        return
    work = next(w for w in work_kinds(deps) if w.task is kind)
    lifecycle.run(runtime(deps), work, ref)


def run_periodic(deps: TaskDeps, kind: TaskKind) -> bool:
    """Run a periodic kind if its slot is due and this process wins it; True when it ran."""
    now = deps.jobs.clock.now()
    with deps.jobs.uow_factory() as uow:
        won = uow.periodic.claim(kind.value, now, now + PERIODIC[kind])
        if won:  # a slot not due (most ticks) changed nothing: no commit for nothing
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
    deps: TaskDeps, announced_before: datetime | None = None, waited: timedelta = timedelta(0)
) -> list[tuple[TaskKind, str]]:
    """Work that is due now, of every kind (not announced since ``announced_before``); with
    ``waited``, only work that has been due and waiting that long already."""
    now = deps.jobs.clock.now() - waited
    with deps.jobs.uow_factory() as uow:
        return [
            (work.task, ref)
            for work in work_kinds(deps)
            for ref in work.queue(uow).due(now, DUE_BATCH, announced_before)
        ]


def sweep(deps: TaskDeps) -> int:
    """Recover work whose worker died, then announce due work nobody has been told about.

    Work announced less than ``REANNOUNCE_AFTER`` ago is left alone: its message is probably
    still waiting in the broker, and announcing it again would only add duplicates.
    """
    kinds = work_kinds(deps)
    for work in kinds:
        lifecycle.recover(runtime(deps), work)
    now = deps.jobs.clock.now()
    announced: list[tuple[TaskKind, str]] = []
    with deps.jobs.uow_factory() as uow:
        for work in kinds:
            queue = work.queue(uow)
            refs = queue.due(now, DUE_BATCH, announced_before=now - REANNOUNCE_AFTER)
            queue.mark_announced(refs, now)
            announced += [(work.task, ref) for ref in refs]
        if announced:  # an idle sweep writes nothing
            uow.commit()
    for kind, ref in announced:
        deps.jobs.dispatcher.announce(kind, ref)
    return len(announced)


def housekeeping(deps: TaskDeps) -> None:
    """Purge expired nonces, upload grants and console sessions, multipart uploads nobody
    finished, and on-demand renders beyond each account's quota."""
    j = deps.jobs
    purge_expired_nonces(j.uow_factory, j.clock)
    purge_expired_grants(j.uow_factory, j.clock)
    purge_expired_console_sessions(j.uow_factory, j.clock, deps.console_session_lifetime)
    purge_abandoned_uploads(j.uow_factory, j.clock, j.storage)
    retire_renders(j.uow_factory, j.storage, deps.on_demand_quota)


_PERIODIC_HANDLERS: dict[TaskKind, Callable[[TaskDeps], object]] = {
    TaskKind.SWEEP: sweep,
    TaskKind.HOUSEKEEPING: housekeeping,
}

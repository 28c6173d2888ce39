"""Running snapshot jobs: a second kind of durable work on the one lifecycle.

An attempt claims the job (:mod:`dynimg.services.lifecycle`), takes the pictures outside any
transaction while the heartbeat renews the lease, stores every file under the job's own
folder, and then, in one short transaction fenced by the attempt, records the files, the
usage, the video's cover (cover snapshots) and the SnapshotComplete event.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from dynimg import log_context
from dynimg.domain.ids import new_resource_id
from dynimg.domain.jobs import JobStatus, job_policy
from dynimg.domain.on_demand import ON_DEMAND_TEMPLATE_ID
from dynimg.domain.outbox import OutboxMessage
from dynimg.domain.snapshot_events import EVENT_SNAPSHOT_COMPLETE, SnapshotInfo, snapshot_complete
from dynimg.domain.snapshot_jobs import (
    COVER_TEMPLATE,
    Snapshot,
    SnapshotJob,
    snapshot_key,
    snapshot_rule,
)
from dynimg.domain.snapshots import SnapshotType
from dynimg.domain.storyboard import SnapshotFile, SnapshotOutput
from dynimg.domain.tasks import TaskKind
from dynimg.domain.usage import UsageRow, resolution_class
from dynimg.domain.work import Claim, Fault, FaultKind, Outcome
from dynimg.errors import InternalError, VideoNotFound
from dynimg.ports.snapshots import SnapshotJobRepository
from dynimg.ports.storage import StoredObject
from dynimg.ports.tracing import Attributes
from dynimg.ports.unit_of_work import UnitOfWork
from dynimg.services import lifecycle
from dynimg.services.heartbeat import Liveness
from dynimg.services.job_faults import job_fault
from dynimg.services.job_runner import JobDeps

log = logging.getLogger("dynimg.snapshots")
_STATUS = {Outcome.DONE: "Success", Outcome.GAVE_UP: "Fail"}


@dataclass(frozen=True)
class _Taken:
    output: SnapshotOutput
    stored: Sequence[tuple[SnapshotFile, StoredObject]]


class SnapshotWork(lifecycle.WorkKind[SnapshotJob, _Taken, None]):
    """Taking a snapshot job's pictures, as a kind of durable work (the jobs' policy)."""

    task = TaskKind.SNAPSHOT
    abandoned = Fault(
        FaultKind.CRASH, InternalError.code, "The job was abandoned by its worker too often."
    )

    def __init__(self, deps: JobDeps) -> None:
        self.deps = deps
        self.policy = job_policy(deps.lease, deps.render_seconds, deps.render_grace)

    def queue(self, uow: UnitOfWork) -> SnapshotJobRepository:
        return uow.snapshot_jobs

    def perform(self, claim: Claim[SnapshotJob], liveness: Liveness) -> _Taken:
        job, deps = claim.record, self.deps
        with deps.uow_factory() as uow:
            video = uow.videos.get(job.account_id, job.video_id)
        if video is None:
            raise VideoNotFound()
        progress = _Progress(self, claim, liveness)
        with (
            deps.storage.readable(video.render_key) as source,
            tempfile.TemporaryDirectory(prefix="snapshots-", dir=deps.scratch()) as scratch,
        ):
            started = time.monotonic()
            output = deps.engine.snapshots(source, job.config, Path(scratch), progress)
            deps.metrics.rendered("snapshot", time.monotonic() - started)
            stored = [(f, _store(self, job, Path(scratch) / f.name, f)) for f in output.files]
        return _Taken(output, stored)

    def fault(self, claim: Claim[SnapshotJob], exc: Exception) -> Fault:
        return job_fault(exc, claim, log)

    def result(self, produced: _Taken) -> None:
        return None

    def finished(
        self, uow: UnitOfWork, claim: Claim[SnapshotJob], produced: _Taken
    ) -> lifecycle.AfterCommit:
        return _record(self.deps, uow, claim.record, produced)

    def gave_up(
        self, uow: UnitOfWork, claim: Claim[SnapshotJob], fault: Fault
    ) -> lifecycle.AfterCommit:
        failed = replace(claim.record, status=JobStatus.FAIL, error_code=fault.code,
                         error_message=fault.message)  # fmt: skip
        event = _announce(self.deps, uow, failed, [], "", self.deps.clock.now())
        return lambda: _ring(self.deps, event)

    def context(self, ref: str) -> AbstractContextManager[object]:
        return log_context.bound(log_context.job_id, ref)

    def attributes(self, claim: Claim[SnapshotJob]) -> Attributes:
        return {"job.id": claim.ref, "account.id": claim.record.account_id}

    def settled(self, claim: Claim[SnapshotJob], outcome: Outcome) -> None:
        if outcome in _STATUS:
            waited = (self.deps.clock.now() - claim.record.created_at).total_seconds()
            self.deps.metrics.job_finished("snapshot", _STATUS[outcome], max(waited, 0.0))


def _store(work: SnapshotWork, job: SnapshotJob, path: Path, file: SnapshotFile) -> StoredObject:
    key = snapshot_key(job.video_id, job.id, file.type, file.index, file.ext)
    with path.open("rb") as data:
        return work.deps.storage.put(key, iter(lambda: data.read(1 << 20), b""))


def _record(
    deps: JobDeps, uow: UnitOfWork, job: SnapshotJob, taken: _Taken
) -> lifecycle.AfterCommit:
    """In the transaction of the job's success: its files, usage, cover and event."""
    now = deps.clock.now()
    times = taken.output.times_ms
    pictures = {SnapshotType.NORMAL, SnapshotType.SPRITE_ORIGIN, SnapshotType.COVER,
                SnapshotType.THUMBNAIL}  # fmt: skip
    rows = [
        Snapshot(new_resource_id(), job.account_id, job.video_id, job.id, file.type, file.index,
                 file.width, file.height, stored.size, stored.key, now,
                 times[file.index - 1] if file.type in pictures else None)
        for file, stored in taken.stored
    ]  # fmt: skip
    for row in rows:
        uow.snapshots.add(row)
    # Cover snapshots are made by dynimg when a video arrives, not asked for: not metered.
    images = [r for r in rows if r.type not in (SnapshotType.WEBVTT, SnapshotType.COVER)]
    if images:
        size = resolution_class(images[0].width, images[0].height)
        fmt = job.config.picture_format  # the usage's Format: jpg, or a thumbnail's own
        uow.usage.add(job.account_id, UsageRow(now.strftime("%Y-%m-%d"), size, fmt, 0,
                                               len(images)))  # fmt: skip
    cover = _cover(deps, uow, job, rows, now)
    done = replace(job, status=JobStatus.SUCCESS)
    event = _announce(deps, uow, done, _infos(deps, job, rows), cover, now)
    return lambda: _ring(deps, event)


def _cover(
    deps: JobDeps, uow: UnitOfWork, job: SnapshotJob, rows: Sequence[Snapshot], now: datetime
) -> str:
    """Cover snapshots make one of them the video's cover (the middle one, past any fade-in);
    returns its URL for the event."""
    covers = [r for r in rows if r.type is SnapshotType.COVER]
    if job.template_id != COVER_TEMPLATE or not covers:
        return ""
    chosen = covers[len(covers) // 2]
    video = uow.videos.get(job.account_id, job.video_id)
    if video is not None:
        uow.videos.update(replace(video, cover_snapshot_id=chosen.id, modified_at=now))
    return deps.delivery.file_url("/" + chosen.storage_key, int(now.timestamp()))


def _infos(deps: JobDeps, job: SnapshotJob, rows: Sequence[Snapshot]) -> list[SnapshotInfo]:
    base = deps.delivery.base_url.rstrip("/")
    kinds = list(dict.fromkeys(r.type for r in rows))
    return [
        SnapshotInfo(kind, sum(1 for r in rows if r.type is kind),
                     snapshot_rule(job.video_id, job.id, kind),
                     f"{base}/{snapshot_rule(job.video_id, job.id, kind)}")
        for kind in kinds
    ]  # fmt: skip


def _announce(
    deps: JobDeps,
    uow: UnitOfWork,
    job: SnapshotJob,
    infos: Sequence[SnapshotInfo],
    cover_url: str,
    now: datetime,
) -> str | None:
    """Store SnapshotComplete in the job's own transaction; returns its id, if any."""
    if job.template_id == ON_DEMAND_TEMPLATE_ID:
        return None  # a thumbnail URL's picture: its GET is the answer, as for animated URLs
    callback = uow.callbacks.get(job.account_id)
    if callback is None or not callback.wants(EVENT_SNAPSHOT_COMPLETE):
        return None
    payload = snapshot_complete(job, infos, cover_url, now)
    message = OutboxMessage.queued(callback, EVENT_SNAPSHOT_COMPLETE, payload, now)
    uow.outbox.add(message)
    return message.id


def _ring(deps: JobDeps, event_id: str | None) -> None:
    if event_id is not None:
        deps.dispatcher.announce(TaskKind.DELIVER, event_id)


class _Progress:
    """Records a running snapshot job's progress (at most twice a second), each report also a
    sign of life for the heartbeat."""

    def __init__(self, work: SnapshotWork, claim: Claim[SnapshotJob], liveness: Liveness) -> None:
        self._work, self._claim, self._liveness = work, claim, liveness
        self._shown, self._at = 0, 0.0

    def __call__(self, fraction: float) -> None:
        self._liveness.touch()
        now, percent = time.monotonic(), min(int(fraction * 100), 99)
        if percent - self._shown < 5 or now - self._at < 0.5:
            return
        self._shown, self._at = percent, now
        try:
            with self._work.deps.uow_factory() as uow:
                uow.snapshot_jobs.progress(self._claim.ref, self._claim.attempt, percent)
                uow.commit()
        except Exception:
            log.exception("could not record the progress of snapshot job %s", self._claim.ref)

"""What happens after a file has been uploaded: probe it and settle its status.

The probe is a durable task, stored in the same transaction that records the upload, so a
crash between the upload and the probe only delays the probe until a worker claims it.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from dynimg.domain.media import MediaInfo
from dynimg.domain.media_files import MediaStatus
from dynimg.domain.snapshot_jobs import COVER_TEMPLATE, SnapshotJob
from dynimg.domain.snapshots import COVER_CONFIG
from dynimg.domain.storage_keys import frames_key
from dynimg.domain.tasks import PROBE_POLICY, Task, TaskKind, TaskState
from dynimg.domain.uploads import UploadGrant, UploadTarget
from dynimg.domain.videos import ProbeFacts, Video, VideoStatus
from dynimg.domain.work import Claim, Fault, FaultKind, Outcome
from dynimg.errors import MediaError, ServiceUnavailable
from dynimg.ports import (
    Clock,
    Dispatcher,
    MediaEngine,
    Storage,
    StoredObject,
    UnitOfWork,
    UnitOfWorkFactory,
)
from dynimg.ports.work import WorkQueue
from dynimg.services import lifecycle
from dynimg.services.heartbeat import Liveness

log = logging.getLogger("dynimg.processing")


def mark_uploaded(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    grant: UploadGrant,
    stored: StoredObject,
) -> None:
    """Record that the whole file arrived (a video becomes ``UploadSucc``) and queue its probe.

    The grant is spent in the same transaction: its credentials cannot write again.
    """
    with uow_factory() as uow:
        uow.upload_grants.complete(grant.key_id, clock.now())
        if grant.target is UploadTarget.VIDEO:
            video = uow.videos.get(grant.account_id, grant.target_id)
            if video is not None and video.can_become(VideoStatus.UPLOAD_SUCC):
                uow.videos.update(
                    replace(
                        video,
                        status=VideoStatus.UPLOAD_SUCC,
                        size=stored.size,
                        failure_reason="",
                        modified_at=clock.now(),
                    )
                )
        else:
            media = uow.media_files.get(grant.account_id, grant.target_id)
            if media is not None:
                uow.media_files.update(replace(media, size=stored.size))
        now = clock.now()
        uow.tasks.add(
            Task(TaskKind.PROBE, grant.target_id, grant.target.value, TaskState.QUEUED, 0,
                 next_run_at=now, created_at=now)
        )  # fmt: skip
        uow.commit()


def finish_upload(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    dispatcher: Dispatcher,
    grant: UploadGrant,
    stored: StoredObject,
) -> None:
    """A whole object arrived: record it and its probe task in one transaction, then announce."""
    mark_uploaded(uow_factory, clock, grant, stored)
    dispatcher.announce(TaskKind.PROBE, grant.target_id)


@dataclass(frozen=True)
class ProbeDeps:
    """What probing an upload needs."""

    uow_factory: UnitOfWorkFactory
    clock: Clock
    storage: Storage
    engine: MediaEngine
    dispatcher: Dispatcher | None = None
    """Told about a new video's cover-snapshot job (None: the sweep announces it)."""
    scratch: Callable[[], Path | None] = lambda: None
    """Where an animated image is rewritten as a video (None: the system's temporary
    directory)."""


def run_probe(deps: ProbeDeps, ref: str) -> TaskState | None:
    """Probe an upload if its task can be claimed; returns the task's new state, None if not."""
    outcome = lifecycle.run(_runtime(deps), ProbeWork(deps), ref)
    return _STATE[outcome] if outcome is not None else None


def recover_probes(deps: ProbeDeps) -> int:
    """Requeue probes whose worker died, or give up on them once attempts run out."""
    return lifecycle.recover(_runtime(deps), ProbeWork(deps))


_STATE = {
    Outcome.DONE: TaskState.DONE,
    Outcome.RETRY: TaskState.QUEUED,
    Outcome.GAVE_UP: TaskState.FAILED,
}
UNPROBED = "the file could not be probed"


def _runtime(deps: ProbeDeps) -> lifecycle.Runtime:
    return lifecycle.Runtime(deps.uow_factory, deps.clock)


class ProbeWork(lifecycle.WorkKind[Task, None, None]):
    """Probing an upload, as a kind of durable work; giving up fails the upload visibly."""

    task = TaskKind.PROBE
    policy = PROBE_POLICY
    abandoned = Fault(FaultKind.CRASH, "Abandoned", UNPROBED)

    def __init__(self, deps: ProbeDeps) -> None:
        self.deps = deps

    def queue(self, uow: UnitOfWork) -> WorkQueue[Task, None]:
        return uow.tasks.queue(TaskKind.PROBE)

    def perform(self, claim: Claim[Task], liveness: Liveness) -> None:
        process_upload(self.deps, UploadTarget(claim.record.target), claim.ref)

    def fault(self, claim: Claim[Task], exc: Exception) -> Fault:
        task = claim.record
        if isinstance(exc, ServiceUnavailable):  # storage failing: wait for it, no crash
            log.warning("probing %s %s: %s", task.target, claim.ref, exc.message)
            return Fault(FaultKind.OUTAGE, exc.code, exc.message)
        log.exception("probing %s %s failed (attempt %s)", task.target, claim.ref, claim.attempt)
        return Fault(FaultKind.CRASH, "ProbeFailed", type(exc).__name__)

    def result(self, produced: None) -> None:
        return None

    def gave_up(self, uow: UnitOfWork, claim: Claim[Task], fault: Fault) -> lifecycle.AfterCommit:
        """Out of attempts: the upload fails visibly instead of staying half-processed forever."""
        _settle_unprobed(uow, self.deps.clock, claim.record, UNPROBED)
        return lifecycle.nothing


def process_upload(deps: ProbeDeps, target: UploadTarget, target_id: str) -> None:
    """Probe an uploaded file (outside any transaction), then record what was found."""
    if target is UploadTarget.VIDEO:
        covers = _settle_video(deps, target_id)
        if covers is not None and deps.dispatcher is not None:
            deps.dispatcher.announce(TaskKind.SNAPSHOT, covers)
    else:
        _settle_media(deps.uow_factory, deps.storage, deps.engine, target_id)


def _settle_unprobed(uow: UnitOfWork, clock: Clock, task: Task, reason: str) -> None:
    if task.target == UploadTarget.VIDEO.value:
        video = uow.videos.get(None, task.ref)
        if video is not None and video.status is VideoStatus.UPLOAD_SUCC:
            failed = replace(video, status=VideoStatus.UPLOAD_FAIL, failure_reason=reason)
            uow.videos.update(replace(failed, modified_at=clock.now()))
    else:
        media = uow.media_files.get(None, task.ref)
        if media is not None and media.status is MediaStatus.UPLOADING:
            uow.media_files.update(
                replace(media, status=MediaStatus.UPLOAD_FAIL, failure_reason=reason)
            )


def _settle_video(deps: ProbeDeps, video_id: str) -> str | None:
    """Probe and settle a video; a Normal one gets its cover-snapshot job in the same
    transaction (its id is returned, to be announced)."""
    with deps.uow_factory() as uow:
        video = uow.videos.get(None, video_id)
    if video is None or video.status is not VideoStatus.UPLOAD_SUCC:
        return None  # deleted, or settled by an earlier delivery
    try:
        (source, facts), status, reason = _probe_source(deps, video), VideoStatus.NORMAL, ""
    except MediaError as exc:
        source, facts = None, None
        status, reason = VideoStatus.UPLOAD_FAIL, f"{exc.code}: {exc.message}"[:500]
    covers, settled = None, False
    with deps.uow_factory() as uow:
        current = uow.videos.get(None, video_id)
        if current is not None and current.status is VideoStatus.UPLOAD_SUCC:
            now = deps.clock.now()
            uow.videos.update(replace(current, status=status, probe=facts, source_key=source,
                                      failure_reason=reason, modified_at=now))  # fmt: skip
            if status is VideoStatus.NORMAL:
                covers = SnapshotJob.queued(
                    current.account_id, current.id, COVER_TEMPLATE, COVER_CONFIG, now
                )
                uow.snapshot_jobs.add(covers)
            uow.commit()
            settled = True
    if source is not None and not settled:  # deleted or settled meanwhile: not wanted
        deps.storage.delete(source)
    log.info("video %s is %s %s", video_id, status, reason)
    return covers.id if covers is not None else None


def _probe_source(deps: ProbeDeps, video: Video) -> tuple[str | None, ProbeFacts]:
    """The facts of the upload, and the key of the video jobs read instead of it (None: the
    upload itself). An animated image (GIF, APNG, animated WebP) is rewritten as a video,
    stored beside the upload; its facts are the animation's own."""
    with (
        deps.storage.readable(video.storage_key) as source,
        tempfile.TemporaryDirectory(prefix="probe-", dir=deps.scratch()) as work,
    ):
        converted = Path(work) / "frames.mkv"
        animation = deps.engine.animation_to_video(source, converted)
        if animation is None:
            return None, _facts(deps.engine.probe(source))
        key = frames_key(video.id)
        with converted.open("rb") as data:
            deps.storage.put(key, iter(lambda: data.read(1 << 20), b""))
        return key, _facts(animation)


def _settle_media(
    uow_factory: UnitOfWorkFactory, storage: Storage, engine: MediaEngine, media_id: str
) -> None:
    with uow_factory() as uow:
        media = uow.media_files.get(None, media_id)
    if media is None or media.status is not MediaStatus.UPLOADING:
        return
    try:
        with storage.readable(media.storage_key) as image:
            engine.image_size(image)
        status, reason = MediaStatus.NORMAL, ""
    except MediaError as exc:
        status, reason = MediaStatus.UPLOAD_FAIL, f"{exc.code}: {exc.message}"[:500]
    with uow_factory() as uow:
        current = uow.media_files.get(None, media_id)
        if current is not None and current.status is MediaStatus.UPLOADING:
            uow.media_files.update(replace(current, status=status, failure_reason=reason))
            uow.commit()
    log.info("media file %s is %s %s", media_id, status, reason)


def _facts(info: MediaInfo) -> ProbeFacts:
    duration = info.duration or 0
    return ProbeFacts(
        container=info.container,
        video_codec=info.video_codec,
        width=info.display_size[0],
        height=info.display_size[1],
        duration_ms=round(duration * 1000),
        fps=f"{float(info.fps):.3f}".rstrip("0").rstrip(".") if info.fps else "",
        rotation=info.rotation,
        bit_rate=info.bit_rate,
    )

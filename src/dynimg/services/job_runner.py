"""Running animated-image jobs: idempotent, with leases, retries and exactly one result.

A job is one kind of durable work (:class:`JobWork`) on the one lifecycle
(:mod:`dynimg.services.lifecycle`): an attempt claims the job, renders outside any transaction
while the heartbeat renews the lease, stores the file under the job's own key, and then, in
one short transaction that only succeeds while this attempt still holds the job, records the
image, the job's success, the cover, the usage and the completion event.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path

from dynimg import log_context
from dynimg.domain.events import EVENT_DYNAMIC_IMAGE_COMPLETE, dynamic_image_complete
from dynimg.domain.jobs import (
    LEASE,
    RENDER_GRACE,
    DynamicImage,
    DynamicImageJob,
    JobResult,
    JobStatus,
    image_key,
    job_policy,
)
from dynimg.domain.on_demand import ON_DEMAND_TEMPLATE_ID
from dynimg.domain.outbox import OutboxMessage
from dynimg.domain.rendering import RenderResult, RenderSpec
from dynimg.domain.tasks import TaskKind
from dynimg.domain.uploads import UploadPolicy
from dynimg.domain.url_signing import DeliveryPolicy
from dynimg.domain.usage import UsageRow, resolution_class
from dynimg.domain.work import Claim, Fault, FaultKind, Outcome
from dynimg.errors import (
    FileSizeUnreachable,
    InternalError,
    VideoNotFound,
)
from dynimg.ports import (
    Clock,
    Dispatcher,
    MediaEngine,
    Metrics,
    NullMetrics,
    Storage,
    StoredObject,
    UnitOfWork,
    UnitOfWorkFactory,
)
from dynimg.ports.jobs import JobRepository
from dynimg.ports.tracing import NO_TRACING, Attributes, Tracer
from dynimg.services import lifecycle
from dynimg.services.heartbeat import Liveness
from dynimg.services.job_faults import job_fault
from dynimg.services.render_assembly import assemble, plan_layers

log = logging.getLogger("dynimg.jobs")


@dataclass(frozen=True)
class JobDeps:
    """What running jobs needs."""

    uow_factory: UnitOfWorkFactory
    clock: Clock
    storage: Storage
    engine: MediaEngine
    dispatcher: Dispatcher
    uploads: UploadPolicy
    delivery: DeliveryPolicy
    lease: timedelta = LEASE
    render_seconds: float = 300.0
    """The engine's render deadline; past it (plus a grace) the heartbeat stops renewing."""
    render_grace: timedelta = RENDER_GRACE
    """Time for preparing and storing beyond the render deadline; the shortest stall window."""
    metrics: Metrics = field(default_factory=NullMetrics)
    """Where job durations and render times are reported."""
    fair_share: int | None = 1
    """Jobs of one account rendering at once while another account's jobs wait
    (``DYNIMG_ACCOUNT_FAIR_SHARE``; None: first submitted, first served)."""
    scratch: Callable[[], Path | None] = lambda: None
    """Where a job's work files go, asked again for every job (None: the system's temporary
    directory)."""
    tracer: Tracer = NO_TRACING


def run_job(deps: JobDeps, job_id: str) -> JobStatus | None:
    """Run a job if it can be claimed; returns its resulting status, None if not claimed."""
    outcome = lifecycle.run(_runtime(deps), JobWork(deps), job_id)
    return _STATUS[outcome] if outcome is not None else None


def recover_jobs(deps: JobDeps) -> int:
    """Requeue jobs whose worker died (lease expired), or fail them once attempts run out."""
    return lifecycle.recover(_runtime(deps), JobWork(deps))


_STATUS = {
    Outcome.DONE: JobStatus.SUCCESS,
    Outcome.RETRY: JobStatus.QUEUED,
    Outcome.GAVE_UP: JobStatus.FAIL,
}


def _runtime(deps: JobDeps) -> lifecycle.Runtime:
    return lifecycle.Runtime(deps.uow_factory, deps.clock, deps.tracer)


@dataclass(frozen=True)
class _Rendered:
    spec: RenderSpec
    result: RenderResult
    stored: StoredObject


class JobWork(lifecycle.WorkKind[DynamicImageJob, _Rendered, JobResult]):
    """Rendering an animated-image job, as a kind of durable work."""

    task = TaskKind.RENDER
    abandoned = Fault(
        FaultKind.CRASH, InternalError.code, "The job was abandoned by its worker too often."
    )

    def __init__(self, deps: JobDeps) -> None:
        self.deps = deps
        self.policy = job_policy(
            deps.lease, deps.render_seconds, deps.render_grace, deps.fair_share
        )

    def queue(self, uow: UnitOfWork) -> JobRepository:
        return uow.jobs

    def perform(self, claim: Claim[DynamicImageJob], liveness: Liveness) -> _Rendered:
        job = claim.record
        progress = _ProgressReporter(self.deps, job, liveness)
        with ExitStack() as files:
            spec, source = _prepare(self.deps, job, files)
            result, stored = _render(self.deps, job, spec, source, progress)
        return _Rendered(spec, result, stored)

    def fault(self, claim: Claim[DynamicImageJob], exc: Exception) -> Fault:
        search = exc.size_search if isinstance(exc, FileSizeUnreachable) else None
        return job_fault(exc, claim, log, search or None)

    def result(self, produced: _Rendered) -> JobResult:
        search = produced.result.size_search  # the encodes made to fit MaxFileSize
        return JobResult(produced.result.seek_ms, search.to_document() if search else None)

    def finished(
        self, uow: UnitOfWork, claim: Claim[DynamicImageJob], produced: _Rendered
    ) -> lifecycle.AfterCommit:
        event = _record_image(self.deps, uow, claim.record, produced)
        job, fmt = claim.record, produced.result.format.value
        earlier = [image_key(job.video_id, job.dynamic_image_id, fmt, n)
                   for n in range(1, claim.attempt)]  # fmt: skip

        def after() -> None:
            _ring(self.deps, event)
            _delete_quietly(self.deps.storage, earlier)  # files of attempts that died

        return after

    def lost(self, claim: Claim[DynamicImageJob], produced: _Rendered) -> None:
        _delete_quietly(self.deps.storage, [produced.stored.key])

    def gave_up(
        self, uow: UnitOfWork, claim: Claim[DynamicImageJob], fault: Fault
    ) -> lifecycle.AfterCommit:
        job = claim.record
        failed = replace(job, status=JobStatus.FAIL, error_code=fault.code,
                         error_message=fault.message)  # fmt: skip
        event = _announce(self.deps, uow, failed, None, self.deps.clock.now())
        return lambda: _ring(self.deps, event)

    def context(self, ref: str) -> AbstractContextManager[object]:
        return log_context.bound(log_context.job_id, ref)

    def attributes(self, claim: Claim[DynamicImageJob]) -> Attributes:
        return {"job.id": claim.ref, "account.id": claim.record.account_id}

    def settled(self, claim: Claim[DynamicImageJob], outcome: Outcome) -> None:
        """Report a job that ended (Success or Fail) with its time from submission."""
        if outcome is not Outcome.RETRY:
            job = claim.record
            waited = (self.deps.clock.now() - job.created_at).total_seconds()
            status = _STATUS[outcome].value
            self.deps.metrics.job_finished(_format_of(job), status, max(waited, 0.0))


def _format_of(job: DynamicImageJob) -> str:
    """The job's output format, as a metric label."""
    return job.config.format.value


def _prepare(deps: JobDeps, job: DynamicImageJob, files: ExitStack) -> tuple[RenderSpec, Path]:
    """The render spec and the source file; files stay readable until ``files`` closes.

    The watermarks are planned in a unit of work; every file is opened after it has closed.
    """
    with deps.uow_factory() as uow:
        video = uow.videos.get(job.account_id, job.video_id)
        if video is None:
            raise VideoNotFound()
        layers = plan_layers(
            uow, deps.uploads, job.account_id, job.config.watermark_ids, job.overrides.watermarks
        )
    spec = assemble(job.config, layers, files, deps.storage.readable)
    return spec, files.enter_context(deps.storage.readable(video.render_key))


def _render(
    deps: JobDeps,
    job: DynamicImageJob,
    spec: RenderSpec,
    source: Path,
    progress: _ProgressReporter,
) -> tuple[RenderResult, StoredObject]:
    fmt = spec.template.format.value
    key = image_key(job.video_id, job.dynamic_image_id, fmt, job.attempt)
    with tempfile.TemporaryDirectory(prefix="job-", dir=deps.scratch()) as scratch:
        output = Path(scratch) / f"{job.dynamic_image_id}.{fmt}"
        started = time.monotonic()
        result = deps.engine.render(source, spec, output, progress)
        deps.metrics.rendered(fmt, time.monotonic() - started)
        with output.open("rb") as rendered:
            stored = deps.storage.put(key, iter(lambda: rendered.read(1 << 20), b""))
    return result, stored


def _delete_quietly(storage: Storage, keys: list[str]) -> None:
    """Remove files no image row names; one that stays is an orphan, never a broken image."""
    for key in keys:
        try:
            storage.delete(key)
        except Exception:
            log.warning("could not remove %s", key, exc_info=True)


def _record_image(
    deps: JobDeps, uow: UnitOfWork, job: DynamicImageJob, rendered: _Rendered
) -> str | None:
    """In the transaction of the job's success: its image, cover, usage and completion event."""
    spec, result, stored = rendered.spec, rendered.result, rendered.stored
    now = deps.clock.now()
    image = DynamicImage(
        id=job.dynamic_image_id,
        account_id=job.account_id,
        video_id=job.video_id,
        job_id=job.id,
        format=result.format.value,
        width=result.width,
        height=result.height,
        fps=_fps_text(result.fps),
        duration_ms=result.duration_ms,
        file_size=stored.size,
        storage_key=stored.key,
        created_at=now,
        frame_count=result.frames,
        loop_count=spec.template.loop,
        seek_ms=result.seek_ms,
        md5_hex=stored.md5_hex,
    )
    done = replace(
        job, status=JobStatus.SUCCESS, progress=100, finished_at=now, seek_ms=result.seek_ms
    )
    if uow.images.get(image.id) is None:
        uow.images.add(image)
    if spec.template.set_default_cover:
        video = uow.videos.get(job.account_id, job.video_id)
        if video is not None:
            uow.videos.update(replace(video, cover_image_id=image.id, modified_at=now))
    uow.usage.add(
        job.account_id,
        UsageRow(
            now.strftime("%Y-%m-%d"),
            resolution_class(image.width, image.height),
            image.format,
            image.duration_ms,
            1,
        ),
    )
    return _announce(deps, uow, done, image, now)


def _announce(
    deps: JobDeps, uow: UnitOfWork, job: DynamicImageJob, image: DynamicImage | None, now: datetime
) -> str | None:
    """Store the completion event in the job's own transaction; returns its id, if any."""
    if job.template_id == ON_DEMAND_TEMPLATE_ID:
        return None  # nobody submitted it: the GET that asked for it gets the file instead
    callback = uow.callbacks.get(job.account_id)
    if callback is None or not callback.wants(EVENT_DYNAMIC_IMAGE_COMPLETE):
        return None
    file_url = (
        deps.delivery.file_url("/" + image.storage_key, int(now.timestamp())) if image else ""
    )
    payload = dynamic_image_complete(job, image, file_url, now)
    message = OutboxMessage.queued(callback, EVENT_DYNAMIC_IMAGE_COMPLETE, payload, now)
    uow.outbox.add(message)
    return message.id


def _ring(deps: JobDeps, event_id: str | None) -> None:
    if event_id is not None:
        deps.dispatcher.announce(TaskKind.DELIVER, event_id)


def _fps_text(fps: float) -> str:
    value = Fraction(fps).limit_denominator(1001)
    return str(value.numerator) if value.denominator == 1 else f"{float(value):.3f}".rstrip("0")


class _ProgressReporter:
    """Records a running job's progress, at most twice a second, each in its own transaction.

    Every report is also a sign of life for the heartbeat, which tells a render that is
    working from one that is stuck.
    """

    def __init__(self, deps: JobDeps, job: DynamicImageJob, liveness: Liveness) -> None:
        self._deps, self._job, self._liveness = deps, job, liveness
        self._shown, self._at = 0, 0.0

    def __call__(self, fraction: float) -> None:
        self._liveness.touch()
        now = time.monotonic()
        percent = min(int(fraction * 100), 99)  # 100 is recorded with the result
        if percent - self._shown < 5 or now - self._at < 0.5:
            return
        self._shown, self._at = percent, now
        try:
            with self._deps.uow_factory() as uow:
                uow.jobs.progress(self._job.id, self._job.attempt, percent)
                uow.commit()
        except Exception:
            log.exception("could not record the progress of job %s", self._job.id)

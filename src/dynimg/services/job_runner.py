"""Running animated-image jobs: idempotent, with leases, retries and exactly one result.

A run claims the job (compare-and-set), renders outside any transaction while a heartbeat
renews the lease, stores the file under the job's own key, and then, in one short
transaction that only succeeds while this run still holds the job, records the image, the
job's success, the cover, the usage and the completion event.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path

from dynimg import log_context
from dynimg.domain.events import EVENT_DYNAMIC_IMAGE_COMPLETE, dynamic_image_complete
from dynimg.domain.ids import new_resource_id
from dynimg.domain.jobs import (
    LEASE,
    MAX_ATTEMPTS,
    RENDER_GRACE,
    STORAGE_MAX_ATTEMPTS,
    DynamicImage,
    DynamicImageJob,
    JobStatus,
    backoff,
    image_key,
    storage_backoff,
)
from dynimg.domain.json_document import dump_compact, parse_json_object
from dynimg.domain.on_demand import ON_DEMAND_TEMPLATE_ID
from dynimg.domain.outbox import OutboxMessage
from dynimg.domain.rendering import (
    RenderResult,
    RenderSpec,
    WatermarkLayer,
    WatermarkOverride,
    apply_override,
    effective_template,
    parse_overrides,
)
from dynimg.domain.tasks import TaskKind
from dynimg.domain.templates import DEFAULT_WATERMARK, parse_template_config
from dynimg.domain.uploads import UploadPolicy
from dynimg.domain.url_signing import DeliveryPolicy
from dynimg.domain.usage import UsageRow, resolution_class
from dynimg.domain.watermarks import WatermarkType, parse_watermark_config
from dynimg.errors import (
    ClientError,
    DynimgError,
    FileSizeUnreachable,
    InternalError,
    StorageError,
    VideoNotFound,
    WatermarkNotFound,
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
from dynimg.services.watermarks import uploaded_key

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
    scratch: Callable[[], Path | None] = lambda: None
    """Where a job's work files go, asked again for every job (None: the system's temporary
    directory)."""


def run_job(deps: JobDeps, job_id: str) -> JobStatus | None:
    """Run a job if it can be claimed; returns its resulting status, None if not claimed."""
    now = deps.clock.now()
    with deps.uow_factory() as uow:
        claimed = uow.jobs.claim(job_id, now, now + deps.lease)
        uow.commit()
        job = uow.jobs.get(None, job_id) if claimed else None
    if job is None:
        return None
    with log_context.bound(log_context.job_id, job.id):
        status = _attempt(deps, job)
    _observe(deps, job, status)
    return status


def _observe(deps: JobDeps, job: DynamicImageJob, status: JobStatus | None) -> None:
    """Report a job that ended (Success or Fail) with its time from submission."""
    if status in (JobStatus.SUCCESS, JobStatus.FAIL):
        waited = (deps.clock.now() - job.created_at).total_seconds()
        deps.metrics.job_finished(_format_of(job), status.value, max(waited, 0.0))


def _attempt(deps: JobDeps, job: DynamicImageJob) -> JobStatus | None:
    """One claimed attempt at ``job``, whatever goes wrong: the status it leaves the job in."""
    progress = _ProgressReporter(deps, job)
    with _Heartbeat(deps, job, progress), ExitStack() as files:
        try:
            spec, source = _prepare(deps, job, files)
            result = _render(deps, job, spec, source, progress)
            return _succeed(deps, job, spec, result)
        except ClientError as exc:
            return _finish_failed(deps, job, exc)
        except StorageError as exc:
            log.warning("job %s attempt %s: storage failed", job.id, job.attempt)
            return _wait_for_storage(deps, job, exc)
        except Exception as exc:
            log.exception("job %s attempt %s failed", job.id, job.attempt)
            return _retry_or_fail(deps, job, exc)


def _format_of(job: DynamicImageJob) -> str:
    """The job's output format as a metric label; ``unknown`` if its template does not parse."""
    try:
        config = parse_template_config(parse_json_object(job.template_config, "TemplateConfig"))
    except Exception:  # a broken template already failed the job; the label must not fail too
        return "unknown"
    return config.format.value


def recover_jobs(deps: JobDeps) -> int:
    """Requeue jobs whose worker died (lease expired), or fail them once attempts run out."""
    now = deps.clock.now()
    with deps.uow_factory() as uow:
        expired = uow.jobs.expired(now)
    for job in expired:
        if job.attempt >= MAX_ATTEMPTS:
            status = _finish_failed(
                deps, job, InternalError("The job was abandoned by its worker too often.")
            )
            _observe(deps, job, status)
            continue
        with deps.uow_factory() as uow:
            uow.jobs.update_running(
                job.id, job.attempt, status=JobStatus.QUEUED, next_attempt_at=now,
                lease_until=None, announced_at=None,
            )  # fmt: skip
            uow.commit()
        deps.dispatcher.announce(TaskKind.RENDER, job.id)
    return len(expired)


def _prepare(deps: JobDeps, job: DynamicImageJob, files: ExitStack) -> tuple[RenderSpec, Path]:
    """The render spec and the source file; files stay readable until ``files`` closes."""
    document = (
        parse_json_object(job.override_params, "OverrideParams") if job.override_params else {}
    )
    template = effective_template(
        parse_json_object(job.template_config, "TemplateConfig"), document
    )
    overrides = parse_overrides(document)
    with deps.uow_factory() as uow:
        video = uow.videos.get(job.account_id, job.video_id)
        if video is None:
            raise VideoNotFound()
        layers = tuple(
            apply_override(layer, overrides.get(layer.watermark_id))
            for layer in _layers(deps, uow, job, template.watermark_ids, overrides, files)
        )
    return RenderSpec(template, layers), files.enter_context(
        deps.storage.readable(video.storage_key)
    )


def _layers(
    deps: JobDeps,
    uow: UnitOfWork,
    job: DynamicImageJob,
    ids: tuple[str, ...],
    overrides: dict[str, WatermarkOverride],
    files: ExitStack,
) -> Iterator[WatermarkLayer]:
    for watermark_id in ids:
        watermark = (
            uow.watermarks.default(job.account_id)
            if watermark_id == DEFAULT_WATERMARK
            else uow.watermarks.get(job.account_id, watermark_id)
        )
        if watermark is None:
            if watermark_id == DEFAULT_WATERMARK:
                continue  # no default watermark set: nothing to draw
            raise WatermarkNotFound(f"Watermark {watermark_id} no longer exists.")
        config = parse_watermark_config(
            watermark.type, parse_json_object(watermark.config_json, "WatermarkConfig")
        )
        image = None
        if watermark.type is WatermarkType.IMAGE:
            override = overrides.get(watermark.id)
            key = watermark.storage_key
            if override is not None and override.file_url:
                key = uploaded_key(uow, deps.uploads, job.account_id, override.file_url)
            image = files.enter_context(deps.storage.readable(key))
        yield WatermarkLayer(watermark.id, config, image)


def _render(
    deps: JobDeps,
    job: DynamicImageJob,
    spec: RenderSpec,
    source: Path,
    progress: _ProgressReporter,
) -> tuple[RenderResult, StoredObject]:
    fmt = spec.template.format.value
    key = image_key(job.video_id, job.dynamic_image_id, fmt)
    with tempfile.TemporaryDirectory(prefix="job-", dir=deps.scratch()) as scratch:
        output = Path(scratch) / f"{job.dynamic_image_id}.{fmt}"
        started = time.monotonic()
        result = deps.engine.render(source, spec, output, progress)
        deps.metrics.rendered(fmt, time.monotonic() - started)
        with output.open("rb") as rendered:
            stored = deps.storage.put(key, iter(lambda: rendered.read(1 << 20), b""))
    return result, stored


def _succeed(
    deps: JobDeps,
    job: DynamicImageJob,
    spec: RenderSpec,
    rendered: tuple[RenderResult, StoredObject],
) -> JobStatus | None:
    result, stored = rendered
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
    with deps.uow_factory() as uow:
        if not uow.jobs.update_running(
            job.id, job.attempt, status=JobStatus.SUCCESS, progress=100, finished_at=now,
            lease_until=None, error_code="", error_message="", seek_ms=result.seek_ms,
            size_search=_size_search(result),
        ):  # fmt: skip
            return None  # this run lost the job; the run that holds it records the result
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
        event = _announce(deps, uow, done, image, now)
        uow.commit()
    _ring(deps, event)
    return JobStatus.SUCCESS


def _finish_failed(deps: JobDeps, job: DynamicImageJob, error: DynimgError) -> JobStatus | None:
    now = deps.clock.now()
    failed = replace(job, status=JobStatus.FAIL, error_code=error.code, error_message=error.message)
    search = error.size_search if isinstance(error, FileSizeUnreachable) else None
    with deps.uow_factory() as uow:
        if not uow.jobs.update_running(
            job.id, job.attempt, status=JobStatus.FAIL, finished_at=now, lease_until=None,
            error_code=error.code, error_message=error.message[:500],
            size_search=dump_compact(search) if search else "",
        ):  # fmt: skip
            return None
        event = _announce(deps, uow, failed, None, now)
        uow.commit()
    _ring(deps, event)
    return JobStatus.FAIL


def _retry_or_fail(deps: JobDeps, job: DynamicImageJob, exc: Exception) -> JobStatus | None:
    if job.attempt >= MAX_ATTEMPTS:
        return _finish_failed(deps, job, InternalError())
    now = deps.clock.now()
    with deps.uow_factory() as uow:
        uow.jobs.update_running(
            job.id,
            job.attempt,
            status=JobStatus.QUEUED,
            next_attempt_at=now + backoff(job.attempt),
            lease_until=None,
            announced_at=None,  # the sweeper announces it when it is due
            error_code=InternalError.code,
            error_message=InternalError().message,
        )
        uow.commit()
    return JobStatus.QUEUED


def _wait_for_storage(deps: JobDeps, job: DynamicImageJob, exc: StorageError) -> JobStatus | None:
    """Requeue for later, saying why, while storage is full or failing; fail after many tries."""
    if job.attempt >= STORAGE_MAX_ATTEMPTS:
        return _finish_failed(deps, job, exc)
    with deps.uow_factory() as uow:
        uow.jobs.update_running(
            job.id, job.attempt, status=JobStatus.QUEUED, lease_until=None, announced_at=None,
            next_attempt_at=deps.clock.now() + storage_backoff(job.attempt),
            error_code=exc.code, error_message=exc.message,
        )  # fmt: skip
        uow.commit()
    return JobStatus.QUEUED


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
    event_id = new_resource_id()
    uow.outbox.add(
        OutboxMessage(
            id=event_id,
            account_id=job.account_id,
            event_type=EVENT_DYNAMIC_IMAGE_COMPLETE,
            url=callback.callback_url,
            auth_key=callback.auth_key if callback.auth_switch else "",
            payload=dump_compact(dynamic_image_complete(job, image, file_url, now)),
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            announced_at=now,
        )
    )
    return event_id


def _ring(deps: JobDeps, event_id: str | None) -> None:
    if event_id is not None:
        deps.dispatcher.announce(TaskKind.DELIVER, event_id)


def _size_search(result: RenderResult) -> str:
    """The encodes made to fit MaxFileSize, as the job record keeps them."""
    return dump_compact(result.size_search.to_document()) if result.size_search else ""


def _fps_text(fps: float) -> str:
    value = Fraction(fps).limit_denominator(1001)
    return str(value.numerator) if value.denominator == 1 else f"{float(value):.3f}".rstrip("0")


class _ProgressReporter:
    """Records a running job's progress, at most twice a second, each in its own transaction.

    It also remembers when the engine last reported anything, so the heartbeat can tell a
    render that is working from one that is stuck.
    """

    def __init__(self, deps: JobDeps, job: DynamicImageJob) -> None:
        self._deps, self._job = deps, job
        self._shown, self._at = 0, 0.0
        self.last_report = time.monotonic()

    def __call__(self, fraction: float) -> None:
        now = time.monotonic()
        self.last_report = now
        percent = min(int(fraction * 100), 99)  # 100 is recorded with the result
        if percent - self._shown < 5 or now - self._at < 0.5:
            return
        self._shown, self._at = percent, now
        try:
            with self._deps.uow_factory() as uow:
                uow.jobs.update_running(self._job.id, self._job.attempt, progress=percent)
                uow.commit()
        except Exception:
            log.exception("could not record the progress of job %s", self._job.id)


class _Heartbeat:
    """Renews a running job's lease while the work goes on, so no sweeper takes it away.

    Each beat extends the lease by the configured lease (a quarter of it between beats), and
    touches nothing else: progress is the reporter's business. It stops renewing once the
    render is past the engine's deadline plus a grace, or the engine has reported nothing for
    a whole stall window: such a render is stuck (in native code, where the engine's own
    deadline cannot reach it), and letting the lease lapse hands the job to another attempt.
    """

    def __init__(self, deps: JobDeps, job: DynamicImageJob, progress: _ProgressReporter) -> None:
        self._deps, self._job, self._progress = deps, job, progress
        self._stop = threading.Event()
        self._started = time.monotonic()
        self._thread = threading.Thread(
            target=self._beat, name=f"dynimg-lease-{job.id[:8]}", daemon=True
        )

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def stuck(self) -> bool:
        """Whether the render has outlived its deadline or stopped reporting progress."""
        now = time.monotonic()
        grace = self._deps.render_grace.total_seconds()
        deadline = self._deps.render_seconds + grace
        stall = max(self._deps.lease.total_seconds(), grace)
        return now - self._started > deadline or now - self._progress.last_report > stall

    def _beat(self) -> None:
        while not self._stop.wait(self._deps.lease.total_seconds() / 4):
            if self.stuck():
                log.error("job %s attempt %s is stuck; letting its lease lapse",
                          self._job.id, self._job.attempt)  # fmt: skip
                return
            try:
                with self._deps.uow_factory() as uow:
                    lease_until = self._deps.clock.now() + self._deps.lease
                    uow.jobs.update_running(
                        self._job.id, self._job.attempt, lease_until=lease_until
                    )
                    uow.commit()
            except Exception:
                log.exception("could not renew the lease of job %s", self._job.id)

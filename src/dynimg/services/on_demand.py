"""On-demand animated images and thumbnails: find or start the one render of a request, and
sign its URLs.

The state of record is the ``on_demand_renders`` row of (account, video, canonical parameters),
which names the job that renders them. Claiming a render inserts that row and its job in one
transaction; a second request with the same parameters, on any API node, finds the row (or
loses the insert) and waits for the same job, so concurrent requests cause one render. The
job runs on the workers like any other (leases, retries, usage counted once it succeeds): an
animated-image job for ``animated.*``, a one-picture snapshot job for ``thumbnail.*``; the two
share the claims, the waits and the account's cap on renders in flight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from dynimg.domain.accounts import Account
from dynimg.domain.jobs import DynamicImage, DynamicImageJob, JobRequest, JobStatus
from dynimg.domain.on_demand import (
    ON_DEMAND_TEMPLATE_ID,
    SERVED_EVERY,
    OnDemandParams,
    OnDemandRender,
    animated_path,
    fit_window,
)
from dynimg.domain.snapshot_jobs import Snapshot, SnapshotJob
from dynimg.domain.snapshots import SnapshotType
from dynimg.domain.tasks import TaskKind
from dynimg.domain.thumbnails import ThumbnailParams, check_time, thumbnail_path
from dynimg.domain.url_signing import DeliveryPolicy
from dynimg.domain.videos import Video
from dynimg.errors import (
    IllegalStatus,
    InvalidParameter,
    OnDemandThrottled,
    RenderFailed,
    VideoNotFound,
)
from dynimg.ports import Clock, Dispatcher, Storage, UnitOfWork, UnitOfWorkFactory
from dynimg.services.jobs import SUBMITTABLE

MAX_URL_LIFETIME = 7 * 86400
RETIRE_BATCH = 500
"""Renders one account loses per housekeeping run (every 5 minutes), in one transaction."""


@dataclass(frozen=True)
class Outcome:
    """Where a request's render stands: done (``file``), failed (``error``), else in flight."""

    job_id: str
    file: DynamicImage | Snapshot | None = None
    """An animated image, or a thumbnail's picture."""
    error: RenderFailed | None = None


Params = OnDemandParams | ThumbnailParams
"""What an on-demand URL asks for: an animated image or a thumbnail."""


@dataclass(frozen=True)
class RenderRequest:
    """A verified on-demand GET: who signed it (account uid), which video, what to render."""

    uid: str
    video_id: str
    params: Params


class _Kind(Protocol):
    """What differs between on-demand animated images and thumbnails: their job and result."""

    task: TaskKind

    def fit(self, video: Video, params: Params) -> Params: ...
    def add_job(self, uow: UnitOfWork, video: Video, params: Params, now: datetime) -> str: ...
    def outcome(self, uow: UnitOfWork, job_id: str) -> Outcome: ...


class _Animated:
    """An animated-image job with the parameters as its template."""

    task = TaskKind.RENDER

    def fit(self, video: Video, params: Params) -> Params:
        assert isinstance(params, OnDemandParams)
        return check_window(video, params)

    def add_job(self, uow: UnitOfWork, video: Video, params: Params, now: datetime) -> str:
        assert isinstance(params, OnDemandParams)
        request = JobRequest(
            video.account_id, video.id, ON_DEMAND_TEMPLATE_ID, params.template_config()
        )
        job = DynamicImageJob.queued(request, now)
        uow.jobs.add(job)
        return job.id

    def outcome(self, uow: UnitOfWork, job_id: str) -> Outcome:
        job = uow.jobs.get(None, job_id)
        if job is None or job.status is JobStatus.FAIL:
            return _failed(job_id, job.error_code if job else "", job.error_message if job else "")
        if job.status is not JobStatus.SUCCESS:
            return Outcome(job_id)
        image = uow.images.get(job.dynamic_image_id)
        if image is None:  # deleted (DeleteDynamicImage): the next request renders it again
            return Outcome(job_id, error=RenderFailed("The image was deleted; request it again."))
        return Outcome(job_id, file=image)


class _Thumbnail:
    """A one-picture snapshot job."""

    task = TaskKind.SNAPSHOT

    def fit(self, video: Video, params: Params) -> Params:
        assert isinstance(params, ThumbnailParams)
        _check_status(video)
        return check_time(params, video.probe.duration_ms if video.probe is not None else None)

    def add_job(self, uow: UnitOfWork, video: Video, params: Params, now: datetime) -> str:
        assert isinstance(params, ThumbnailParams)
        job = SnapshotJob.queued(
            video.account_id, video.id, ON_DEMAND_TEMPLATE_ID, params.snapshot_config(), now
        )
        uow.snapshot_jobs.add(job)
        return job.id

    def outcome(self, uow: UnitOfWork, job_id: str) -> Outcome:
        job = uow.snapshot_jobs.get(None, job_id)
        if job is None or job.status is JobStatus.FAIL:
            return _failed(job_id, job.error_code if job else "", job.error_message if job else "")
        if job.status is not JobStatus.SUCCESS:
            return Outcome(job_id)
        found = uow.snapshots.page(job_id, SnapshotType.THUMBNAIL, 0, 1)[1]
        if not found:  # its video's files were deleted
            return Outcome(job_id, error=RenderFailed("The picture was deleted; request it again."))
        return Outcome(job_id, file=found[0])


def _kind(params: Params) -> _Kind:
    return _THUMBNAIL if isinstance(params, ThumbnailParams) else _ANIMATED


_ANIMATED, _THUMBNAIL = _Animated(), _Thumbnail()


def _failed(job_id: str, code: str, message: str) -> Outcome:
    return Outcome(job_id, error=RenderFailed(f"The render failed ({code}): {message}"))


def open_render(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    dispatcher: Dispatcher,
    request: RenderRequest,
    max_concurrent: int,
) -> Outcome:
    """The stored render of ``request``, the job rendering it, or a new job (announced)."""
    now, kind = clock.now(), _kind(request.params)
    with uow_factory() as uow:
        video = _video_of(uow, request.uid, request.video_id)
        params = kind.fit(video, request.params)
        uow.on_demand.lock_account(video.account_id)
        existing = uow.on_demand.get(video.account_id, video.id, params.key)
        if existing is not None:
            outcome = kind.outcome(uow, existing.job_id)
            if outcome.file is not None and _stale(existing.served_at, now):
                uow.on_demand.served(existing, now)  # for retirement: least recently served
                uow.commit()
            if outcome.error is None:
                return outcome  # stored, or in flight: wait for that job
        job_id = _claim(uow, kind, video, params, existing, max_concurrent, now)
        if job_id is not None:
            uow.commit()
    if job_id is None:  # another node claimed it between our read and our write
        return poll_render(uow_factory, video.account_id, video.id, params)
    dispatcher.announce(kind.task, job_id)
    return Outcome(job_id)


def poll_render(
    uow_factory: UnitOfWorkFactory, account_id: str, video_id: str, params: Params
) -> Outcome:
    """Where the render of ``params`` stands now."""
    with uow_factory() as uow:
        render = uow.on_demand.get(account_id, video_id, params.key)
        assert render is not None, "a row in flight is never retired"
        return _kind(params).outcome(uow, render.job_id)


def poll_job(uow_factory: UnitOfWorkFactory, job_id: str, params: Params) -> Outcome:
    """Where the job ``job_id``, rendering ``params``, stands now."""
    with uow_factory() as uow:
        return _kind(params).outcome(uow, job_id)


def _claim(
    uow: UnitOfWork,
    kind: _Kind,
    video: Video,
    params: Params,
    existing: OnDemandRender | None,
    max_concurrent: int,
    now: datetime,
) -> str | None:
    """Add a job for ``params`` and claim the row for it; None when another claim won."""
    if uow.on_demand.in_flight(video.account_id) >= max_concurrent:
        raise OnDemandThrottled(max_concurrent)
    job_id = kind.add_job(uow, video, params, now)
    render = OnDemandRender(video.account_id, video.id, params.key, job_id, now)
    if existing is None:
        won = uow.on_demand.claim(render)
    else:  # its last job failed: this request tries again
        won = uow.on_demand.replace_job(render, existing.job_id)
    return job_id if won else None


def _video_of(uow: UnitOfWork, uid: str, video_id: str) -> Video:
    """The video, if the account whose uid signed the URL owns it; else it does not exist."""
    video = uow.videos.get(None, video_id)
    account = uow.accounts.get(video.account_id) if video is not None else None
    if video is None or account is None or str(account.uid) != uid:
        raise VideoNotFound()
    return video


def _check_status(video: Video) -> None:
    if video.status not in SUBMITTABLE:
        raise IllegalStatus(f"Status of the video is illegal. Current Status is {video.status}.")


def check_window(video: Video, params: OnDemandParams) -> OnDemandParams:
    """The video can be rendered; ``params`` with their window fitted to it."""
    _check_status(video)
    return fit_window(params, video.probe.duration_ms if video.probe is not None else None)


def signed_url(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    delivery: DeliveryPolicy,
    account: Account,
    video_id: str,
    params: Params,
    lifetime: int | None = None,
) -> tuple[str, datetime]:
    """A signed on-demand URL (animated image or thumbnail) for the account's video, and when
    it expires."""
    lifetime = delivery.lifetime_seconds if lifetime is None else lifetime
    if not 60 <= lifetime <= MAX_URL_LIFETIME:
        raise InvalidParameter("AuthTimeout", f"must be 60 to {MAX_URL_LIFETIME} seconds")
    with uow_factory() as uow:
        video = uow.videos.get(account.id, video_id)
    if video is None:
        raise VideoNotFound()
    params = _kind(params).fit(video, params)
    expires = int(clock.now().timestamp()) + lifetime
    if isinstance(params, ThumbnailParams):
        path = thumbnail_path(video.id, params.format)
    else:
        path = animated_path(video.id, params.format)
    url = delivery.query_url(path, params.query(), str(account.uid), expires)
    return url, datetime.fromtimestamp(expires, clock.now().tzinfo)


def _stale(served_at: datetime | None, now: datetime) -> bool:
    return served_at is None or served_at <= now - SERVED_EVERY


def retire_renders(uow_factory: UnitOfWorkFactory, storage: Storage, quota: int) -> int:
    """Remove each account's least recently served renders beyond ``quota`` (animated images
    and thumbnails): the row, the job, and what it stored with the files (files after their
    rows: a crash between leaves an orphan file, not a row without one). A removed URL renders
    again when it is requested again."""
    removed = 0
    with uow_factory() as uow:
        accounts = uow.on_demand.over_quota(quota)
    for account_id in accounts:
        with uow_factory() as uow:
            doomed = uow.on_demand.least_served(account_id, quota, RETIRE_BATCH)
            keys = [key for render in doomed for key in _forget(uow, render)]
            uow.commit()
        for key in keys:
            storage.delete(key)
        removed += len(doomed)
    return removed


def _forget(uow: UnitOfWork, render: OnDemandRender) -> list[str]:
    """Forget the render's row and its job; the storage keys of what the job stored."""
    uow.on_demand.remove(render)
    job = uow.jobs.get(None, render.job_id)
    if job is None:  # a thumbnail's snapshot job
        return [snapshot.storage_key for snapshot in uow.snapshots.delete_job(render.job_id)]
    image = uow.images.get(job.dynamic_image_id)
    if image is not None:
        uow.images.delete(image.id)
    uow.jobs.delete(render.job_id)
    return [image.storage_key] if image is not None else []

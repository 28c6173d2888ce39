"""On-demand animated images: find or start the one render of a request, and sign its URLs.

The state of record is the ``on_demand_renders`` row of (account, video, canonical parameters),
which names the job that renders them. Claiming a render inserts that row and its job in one
transaction; a second request with the same parameters, on any API node, finds the row (or
loses the insert) and waits for the same job, so concurrent requests cause one render. The
job runs on the workers like any other (leases, retries, usage counted once it succeeds).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from dynimg.domain.accounts import Account
from dynimg.domain.jobs import DynamicImage, DynamicImageJob, JobRequest, JobStatus
from dynimg.domain.on_demand import (
    ON_DEMAND_TEMPLATE_ID,
    OnDemandParams,
    OnDemandRender,
    animated_path,
    fit_window,
    parse_params,
)
from dynimg.domain.tasks import TaskKind
from dynimg.domain.url_signing import DeliveryPolicy
from dynimg.domain.videos import Video
from dynimg.errors import (
    IllegalStatus,
    InvalidParameter,
    OnDemandThrottled,
    RenderFailed,
    VideoNotFound,
)
from dynimg.ports import Clock, Dispatcher, UnitOfWork, UnitOfWorkFactory
from dynimg.services.jobs import SUBMITTABLE

MAX_URL_LIFETIME = 7 * 86400


@dataclass(frozen=True)
class Outcome:
    """Where a request's render stands: done (``image``), failed (``error``), else in flight."""

    job_id: str
    image: DynamicImage | None = None
    error: RenderFailed | None = None


@dataclass(frozen=True)
class RenderRequest:
    """A verified on-demand GET: who signed it (account uid), which video, what to render."""

    uid: str
    video_id: str
    params: OnDemandParams


def open_render(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    dispatcher: Dispatcher,
    request: RenderRequest,
    max_concurrent: int,
) -> Outcome:
    """The stored render of ``request``, the job rendering it, or a new job (announced)."""
    now = clock.now()
    with uow_factory() as uow:
        video = _video_of(uow, request.uid, request.video_id)
        params = check_window(video, request.params)
        uow.on_demand.lock_account(video.account_id)
        existing = uow.on_demand.get(video.account_id, video.id, params.key)
        if existing is not None:
            outcome = _outcome(uow, existing.job_id)
            if outcome.error is None:
                return outcome  # stored, or in flight: wait for that job
        job = _claim(uow, video, params, existing, max_concurrent, now)
        if job is not None:
            uow.commit()
    if job is None:  # another node claimed it between our read and our write
        return poll_render(uow_factory, video.account_id, video.id, params.key)
    dispatcher.announce(TaskKind.RENDER, job.id)
    return Outcome(job.id)


def poll_render(
    uow_factory: UnitOfWorkFactory, account_id: str, video_id: str, key: str
) -> Outcome:
    """Where the render of ``key`` stands now."""
    with uow_factory() as uow:
        render = uow.on_demand.get(account_id, video_id, key)
        assert render is not None, "rows are never deleted"
        return _outcome(uow, render.job_id)


def poll_job(uow_factory: UnitOfWorkFactory, job_id: str) -> Outcome:
    """Where the job ``job_id`` stands now."""
    with uow_factory() as uow:
        return _outcome(uow, job_id)


def _claim(
    uow: UnitOfWork,
    video: Video,
    params: OnDemandParams,
    existing: OnDemandRender | None,
    max_concurrent: int,
    now: datetime,
) -> DynamicImageJob | None:
    """Add a job for ``params`` and claim the row for it; None when another claim won."""
    if uow.on_demand.in_flight(video.account_id) >= max_concurrent:
        raise OnDemandThrottled(max_concurrent)
    job = _new_job(video, params, now)
    uow.jobs.add(job)
    render = OnDemandRender(video.account_id, video.id, params.key, job.id, now)
    if existing is None:
        won = uow.on_demand.claim(render)
    else:  # its last job failed: this request tries again
        won = uow.on_demand.replace_job(render, existing.job_id)
    return job if won else None


def _new_job(video: Video, params: OnDemandParams, now: datetime) -> DynamicImageJob:
    request = JobRequest(
        video.account_id, video.id, ON_DEMAND_TEMPLATE_ID, params.template_config()
    )
    return DynamicImageJob.queued(request, now)


def _outcome(uow: UnitOfWork, job_id: str) -> Outcome:
    job = uow.jobs.get(None, job_id)
    if job is None or job.status is JobStatus.FAIL:
        code, message = (job.error_code, job.error_message) if job else ("", "")
        return Outcome(job_id, error=RenderFailed(f"The render failed ({code}): {message}"))
    if job.status is JobStatus.SUCCESS:
        image = uow.images.get(job.dynamic_image_id)
        if image is None:  # deleted (DeleteDynamicImage): the next request renders it again
            return Outcome(job_id, error=RenderFailed("The image was deleted; request it again."))
        return Outcome(job_id, image=image)
    return Outcome(job_id)


def _video_of(uow: UnitOfWork, uid: str, video_id: str) -> Video:
    """The video, if the account whose uid signed the URL owns it; else it does not exist."""
    video = uow.videos.get(None, video_id)
    account = uow.accounts.get(video.account_id) if video is not None else None
    if video is None or account is None or str(account.uid) != uid:
        raise VideoNotFound()
    return video


def check_window(video: Video, params: OnDemandParams) -> OnDemandParams:
    """The video can be rendered; ``params`` with their window fitted to it."""
    if video.status not in SUBMITTABLE:
        raise IllegalStatus(f"Status of the video is illegal. Current Status is {video.status}.")
    return fit_window(params, video.probe.duration_ms if video.probe is not None else None)


def signed_url(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    delivery: DeliveryPolicy,
    account: Account,
    video_id: str,
    fmt: str,
    query: Mapping[str, str],
    lifetime: int | None = None,
) -> tuple[str, datetime]:
    """A signed on-demand URL for the account's video, and when it expires."""
    params = parse_params(fmt, query)
    lifetime = delivery.lifetime_seconds if lifetime is None else lifetime
    if not 60 <= lifetime <= MAX_URL_LIFETIME:
        raise InvalidParameter("AuthTimeout", f"must be 60 to {MAX_URL_LIFETIME} seconds")
    with uow_factory() as uow:
        video = uow.videos.get(account.id, video_id)
    if video is None:
        raise VideoNotFound()
    params = check_window(video, params)
    expires = int(clock.now().timestamp()) + lifetime
    path = animated_path(video.id, params.format)
    url = delivery.query_url(path, params.query(), str(account.uid), expires)
    return url, datetime.fromtimestamp(expires, clock.now().tzinfo)

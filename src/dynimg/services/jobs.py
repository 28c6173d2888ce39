"""SubmitDynamicImageJob, and reading jobs back (GetDynamicImageJob, ListDynamicImageJobs)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dynimg.domain.accounts import Account
from dynimg.domain.codecs import AV1_ONLY, CodecPolicy
from dynimg.domain.jobs import DynamicImageJob, JobRequest, JobStatus, SubmitJob
from dynimg.domain.rendering import effective_template
from dynimg.domain.tasks import TaskKind
from dynimg.domain.templates import DynamicImageTemplateConfig
from dynimg.domain.videos import VideoStatus
from dynimg.errors import (
    IllegalStatus,
    InvalidParameter,
    JobNotFound,
    QueueFull,
    TemplateNotFound,
    VideoNotFound,
)
from dynimg.ports import Clock, Dispatcher, UnitOfWorkFactory
from dynimg.ports.work import WorkQueue
from dynimg.services.render_assembly import applied_ids

SUBMITTABLE = frozenset(
    {
        VideoStatus.UPLOAD_SUCC,
        VideoStatus.TRANSCODING,
        VideoStatus.NORMAL,
        VideoStatus.CHECKING,
        VideoStatus.BLOCKED,
    }
)
"""The seed's list: Uploaded, Transcoding, Normal, Reviewing (Checking) or Flagged (Blocked)."""


def submit_job(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    dispatcher: Dispatcher,
    account: Account,
    command: SubmitJob,
    queue_limit: int = 0,
    *,
    codecs: CodecPolicy = AV1_ONLY,
) -> DynamicImageJob:
    """Check the request, store a Queued job, then announce it; the work happens later.

    With ``queue_limit``, an account that has that many jobs waiting or running already is
    answered ``Throttling`` (:class:`QueueFull`) and nothing is stored."""
    now = clock.now()
    with uow_factory() as uow:
        check_queue(uow.jobs, account, queue_limit)
        video = uow.videos.get(account.id, command.video_id)
        if video is None:
            raise VideoNotFound()
        if video.status not in SUBMITTABLE:
            raise IllegalStatus(
                f"Status of the video is illegal. Current Status is {video.status}."
            )
        template = uow.templates.get(account.id, command.template_id)
        if template is None or not isinstance(template.config, DynamicImageTemplateConfig):
            raise TemplateNotFound(
                f"The DynamicImageTemplateId {command.template_id!r} does not exist."
            )
        applied = applied_ids(uow, account.id, template.config.watermark_ids)
        for watermark_id in sorted(set(command.overrides.watermarks) - applied):
            raise InvalidParameter(
                "OverrideParams.Watermarks",
                f"watermark {watermark_id} is not applied by the template",
            )
        # The request's clip, size and extras must make a valid template, checked now rather
        # than failing the job later; the job keeps the result.
        config = effective_template(template.document, command.overrides.document)
        codecs.check(config, "DynamicImageTemplateId")  # the operator may have turned it off
        request = JobRequest(account.id, video.id, template.id, config, command.overrides)
        job = DynamicImageJob.queued(request, now)
        uow.jobs.add(job)
        uow.commit()
    dispatcher.announce(TaskKind.RENDER, job.id)
    return job


def check_queue(queue: WorkQueue[Any, Any], account: Account, limit: int) -> None:
    """Refuse a submission of an account that has ``limit`` rows of this kind unfinished
    (0: no limit), the one cap of every kind clients submit."""
    if limit and queue.unfinished(account.id) >= limit:
        raise QueueFull(limit)


def get_job(uow_factory: UnitOfWorkFactory, account: Account, job_id: str) -> DynamicImageJob:
    with uow_factory() as uow:
        job = uow.jobs.get(account.id, job_id)
    if job is None:
        raise JobNotFound()
    return job


def find_jobs(
    uow_factory: UnitOfWorkFactory, account: Account, job_ids: Sequence[str]
) -> list[DynamicImageJob]:
    """Those of the given jobs that are the account's, in one short transaction."""
    with uow_factory() as uow:
        found = [uow.jobs.get(account.id, job_id) for job_id in job_ids]
    return [job for job in found if job is not None]


@dataclass(frozen=True)
class JobQuery:
    """Which of an account's jobs to list: by video and state, a page of them."""

    video_id: str | None = None
    status: str | None = None
    page: int = 1
    size: int = 10


def list_jobs(
    uow_factory: UnitOfWorkFactory, account: Account, query: JobQuery
) -> tuple[int, Sequence[DynamicImageJob]]:
    """A page of the account's jobs, newest first."""
    if query.status and query.status not in {s.value for s in JobStatus}:
        raise InvalidParameter("Status", "must be Queued, Processing, Success or Fail")
    offset = (query.page - 1) * query.size
    with uow_factory() as uow:
        return uow.jobs.list(account.id, query.video_id, query.status or None, offset, query.size)

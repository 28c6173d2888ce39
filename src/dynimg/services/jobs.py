"""SubmitDynamicImageJob, and reading jobs back (GetDynamicImageJob, ListDynamicImageJobs)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dynimg.domain.accounts import Account
from dynimg.domain.jobs import DynamicImageJob, JobRequest, JobStatus
from dynimg.domain.json_document import dump_compact, parse_json_object
from dynimg.domain.rendering import effective_template, parse_overrides
from dynimg.domain.tasks import TaskKind
from dynimg.domain.templates import DEFAULT_WATERMARK, TemplateType, parse_template_config
from dynimg.domain.videos import VideoStatus
from dynimg.errors import (
    IllegalStatus,
    InvalidParameter,
    JobNotFound,
    TemplateNotFound,
    VideoNotFound,
)
from dynimg.ports import Clock, Dispatcher, UnitOfWork, UnitOfWorkFactory

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
    *,
    video_id: str,
    template_id: str,
    override_params: str | None,
) -> DynamicImageJob:
    """Check the request, store a Queued job, then announce it; the work happens later."""
    document = parse_json_object(override_params, "OverrideParams") if override_params else None
    overrides = parse_overrides(document) if document is not None else {}
    now = clock.now()
    with uow_factory() as uow:
        video = uow.videos.get(account.id, video_id)
        if video is None:
            raise VideoNotFound()
        if video.status not in SUBMITTABLE:
            raise IllegalStatus(
                f"Status of the video is illegal. Current Status is {video.status}."
            )
        template = uow.templates.get(account.id, template_id)
        if template is None or template.type is not TemplateType.DYNAMIC_IMAGE:
            raise TemplateNotFound(f"The DynamicImageTemplateId {template_id!r} does not exist.")
        _check_overrides(uow, account, template.config_json, set(overrides))
        # The request's clip, size and extras must make a valid template, checked now rather
        # than failing the job later.
        effective_template(parse_json_object(template.config_json, "TemplateConfig"), document)
        request = JobRequest(
            account.id,
            video.id,
            template.id,
            template.config_json,
            dump_compact(document) if document is not None else "",
        )
        job = DynamicImageJob.queued(request, now)
        uow.jobs.add(job)
        uow.commit()
    dispatcher.announce(TaskKind.RENDER, job.id)
    return job


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


def _check_overrides(uow: UnitOfWork, account: Account, config_json: str, ids: set[str]) -> None:
    config = parse_template_config(parse_json_object(config_json, "TemplateConfig"))
    applied = set(config.watermark_ids)
    if DEFAULT_WATERMARK in applied:
        default = uow.watermarks.default(account.id)
        applied |= {default.id} if default else set()
    for watermark_id in sorted(ids - applied):
        raise InvalidParameter(
            "OverrideParams.Watermarks", f"watermark {watermark_id} is not applied by the template"
        )

"""SubmitDynamicImageJob, GetDynamicImageJob and ListDynamicImageJobs."""

from __future__ import annotations

from typing import Any

from dynimg.api.rpc.action import Action
from dynimg.api.rpc.context import ActionContext
from dynimg.api.rpc.params import Param
from dynimg.domain.fields import read_int
from dynimg.domain.jobs import DynamicImageJob, SubmitJob
from dynimg.domain.json_document import MAX_DOCUMENT_BYTES
from dynimg.domain.rendering import read_overrides
from dynimg.domain.timecode import format_seconds
from dynimg.domain.timestamps import format_utc
from dynimg.services import jobs


def submit_dynamic_image_job(ctx: ActionContext) -> dict[str, Any]:
    s = ctx.deps
    command = SubmitJob(
        ctx.require("VideoId"),
        ctx.require("DynamicImageTemplateId"),
        read_overrides(ctx.params["OverrideParams"]),
    )
    limit = ctx.services.settings.account_queue_limit
    job = jobs.submit_job(
        s.uow_factory, s.clock, s.dispatcher, ctx.account, command, limit, codecs=s.codecs
    )
    s.tracer.annotate({"job.id": job.id})
    return {"DynamicImageJob": {"JobId": job.id}}


def get_dynamic_image_job(ctx: ActionContext) -> dict[str, Any]:
    job = jobs.get_job(ctx.deps.uow_factory, ctx.account, ctx.require("JobId"))
    return {"DynamicImageJob": job_info(job)}


def list_dynamic_image_jobs(ctx: ActionContext) -> dict[str, Any]:
    params = ctx.params
    query = jobs.JobQuery(
        video_id=params.get("VideoId") or None,
        status=params.get("Status") or None,
        page=read_int(params.get("PageNo") or 1, "PageNo", 1, 10**6),
        size=read_int(params.get("PageSize") or 10, "PageSize", 1, 100),
    )
    total, found = jobs.list_jobs(ctx.deps.uow_factory, ctx.account, query)
    return {"Total": total, "DynamicImageJobList": [job_info(job) for job in found]}


def job_info(job: DynamicImageJob) -> dict[str, Any]:
    """A job's state, progress, error, timings and output (a dynimg extension to Alibaba's API)."""
    info: dict[str, Any] = {
        "JobId": job.id,
        "VideoId": job.video_id,
        "DynamicImageTemplateId": job.template_id,
        "Status": job.status.value,
        "Progress": job.progress,
        "Attempts": job.attempt,
        "CreationTime": format_utc(job.created_at),
    }
    if job.started_at:
        info["StartTime"] = format_utc(job.started_at)
    if job.finished_at:
        info["CompleteTime"] = format_utc(job.finished_at)
    if job.error_code:
        info["ErrorCode"], info["ErrorMessage"] = job.error_code, job.error_message
    if job.status.value == "Success":
        info["DynamicImageId"] = job.dynamic_image_id
    if job.seek_ms is not None:
        info["Seek"] = format_seconds(job.seek_ms)
    if job.size_search:
        # Container.MaxFileSize: the encodes made, their settings and bytes, the one kept.
        info["SizeSearch"] = dict(job.size_search)
    return info


ACTIONS = [
    Action(
        "SubmitDynamicImageJob",
        submit_dynamic_image_job,
        (
            Param("VideoId", required=True, max_bytes=64),
            Param("DynamicImageTemplateId", required=True, max_bytes=64),
            Param("OverrideParams", max_bytes=MAX_DOCUMENT_BYTES),
        ),
    ),
    Action(
        "GetDynamicImageJob", get_dynamic_image_job, (Param("JobId", required=True, max_bytes=64),)
    ),
    Action(
        "ListDynamicImageJobs",
        list_dynamic_image_jobs,
        tuple(Param(n, max_bytes=64) for n in ("VideoId", "Status", "PageNo", "PageSize")),
    ),
]

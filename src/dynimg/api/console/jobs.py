"""Jobs: submit (template plus optional OverrideParams, from fields or JSON), the filtered list,
live progress (server-sent events, see job_events, with a JSON status route to poll when they
are refused), and a job's page with its chosen Seek and MaxFileSize search."""

from __future__ import annotations

import functools
from datetime import datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from dynimg.api.console.core import Console, page
from dynimg.api.console.job_events import job_events, job_row
from dynimg.api.console.job_forms import override_text, override_values
from dynimg.api.console.paging import paging
from dynimg.api.console.sessions import Visitor
from dynimg.api.console.size_search_view import size_search_view
from dynimg.api.console.videos import all_videos
from dynimg.domain.jobs import JobStatus, SubmitJob
from dynimg.domain.json_document import dump_compact
from dynimg.domain.rendering import JobOverrides, read_overrides
from dynimg.domain.templates import TemplateType
from dynimg.errors import DynimgError
from dynimg.services import jobs, templates


async def list_page(console: Console, request: Request, visitor: Visitor) -> Response:
    return await _page(console, request, visitor)


async def submit(console: Console, request: Request, visitor: Visitor) -> Response:
    form = await request.form()
    video_id, template_id = str(form.get("video_id", "")), str(form.get("template_id", ""))
    values = override_values(form)
    s = console.deps
    try:
        command = SubmitJob(video_id, template_id, read_overrides(override_text(values)))
        await run_in_threadpool(
            functools.partial(jobs.submit_job, s.uow_factory, s.clock, s.dispatcher,
                              console.account(visitor), command,
                              console.services.settings.account_queue_limit, codecs=s.codecs),
        )  # fmt: skip
    except DynimgError as exc:
        error = f"{exc.code}: {exc.message}"
        chosen = {**values, "template_id": template_id}
        return await _page(console, request, visitor, exc.http_status, error, chosen)
    return RedirectResponse(f"/console/jobs?video={video_id}&submitted=1", status_code=303)


async def detail(console: Console, request: Request, visitor: Visitor) -> Response:
    """One job: its state, timings, overrides, the Seek it used and its MaxFileSize search."""
    job = await run_in_threadpool(
        jobs.get_job, console.deps.uow_factory, console.account(visitor),
        request.path_params["job_id"],
    )  # fmt: skip
    return console.render(
        request, visitor, "job.html", job=job_row(job), attempts=job.attempt,
        started=_when(job.started_at), finished=_when(job.finished_at),
        image_id=job.dynamic_image_id if job.status is JobStatus.SUCCESS else "",
        overrides=_overrides_text(job.overrides), search=size_search_view(job.size_search),
    )  # fmt: skip


def _overrides_text(overrides: JobOverrides) -> str:
    return "" if overrides.document is None else dump_compact(overrides.document)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


async def status(console: Console, request: Request, visitor: Visitor) -> Response:
    job = await run_in_threadpool(
        jobs.get_job, console.deps.uow_factory, console.account(visitor),
        request.path_params["job_id"],
    )  # fmt: skip
    return JSONResponse(job_row(job))


async def _page(
    console: Console,
    request: Request,
    visitor: Visitor,
    code: int = 200,
    error: str = "",
    chosen: dict[str, str] | None = None,
) -> Response:
    s = console.deps
    account = console.account(visitor)
    video = request.query_params.get("video") or None
    state = request.query_params.get("state") or None
    at = paging(request)
    query = jobs.JobQuery(video_id=video, status=state, page=at.page, size=at.size)
    total, found = await run_in_threadpool(jobs.list_jobs, s.uow_factory, account, query)
    videos = await run_in_threadpool(all_videos, console, visitor)
    kinds = TemplateType.DYNAMIC_IMAGE.value
    listed = await run_in_threadpool(templates.list_templates, s.uow_factory, account, kinds)
    return console.render(
        request, visitor, "jobs.html", code, jobs=[job_row(j) for j in found],
        videos=[{"id": v.id, "title": v.metadata.title} for v in videos],
        templates=[{"id": t.id, "name": t.name} for t in listed], video=video or "",
        state=state or "", states=[s.value for s in JobStatus], error=error,
        submitted=request.query_params.get("submitted") == "1", pages=at.links(request, total),
        chosen=chosen or {}, open_overrides=any(v for k, v in (chosen or {}).items()
                                                if k != "template_id"),
    )  # fmt: skip


def routes(console: Console) -> list[Route]:
    return [
        Route("/jobs", page(console, list_page), methods=["GET"]),
        Route("/jobs", page(console, submit), methods=["POST"]),
        Route("/jobs/events", page(console, job_events), methods=["GET"]),
        Route("/jobs/{job_id}.json", page(console, status), methods=["GET"]),
        Route("/jobs/{job_id}", page(console, detail), methods=["GET"]),
    ]

"""A video's snapshots: the player with its storyboard (hovering over the timeline shows the
WebVTT cue's cell of a sprite sheet), the files of each snapshot type with their signed URLs,
and a form that submits a snapshot job from a template or inline parameters."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from dynimg.api.console.core import Console, page
from dynimg.api.console.sessions import Visitor
from dynimg.api.console.snapshot_templates import snapshot_templates
from dynimg.api.console.videos import video_row
from dynimg.domain.accounts import Account
from dynimg.domain.jobs import JobStatus
from dynimg.domain.snapshot_jobs import SnapshotJob
from dynimg.domain.snapshots import SnapshotType, parse_snapshot_request
from dynimg.errors import DynimgError, IllegalStatus
from dynimg.services import snapshot_views, snapshots, videos
from dynimg.services.snapshots import SnapshotQuery, SnapshotRequest

SHOWN = (SnapshotType.WEBVTT, SnapshotType.SPRITE, SnapshotType.NORMAL,
         SnapshotType.SPRITE_ORIGIN, SnapshotType.COVER)  # fmt: skip
"""The types the page lists, the storyboard's first."""
PER_TYPE = 100
INLINE_FIELDS = {"count": "Count", "interval": "Interval", "offset": "SpecifiedOffsetTime",
                 "width": "Width", "height": "Height"}  # fmt: skip
VTT_TYPE = "text/vtt; charset=utf-8"


async def video_page(console: Console, request: Request, visitor: Visitor) -> Response:
    return await _page(console, request, visitor, {})


async def submit(console: Console, request: Request, visitor: Visitor) -> Response:
    form = await request.form()
    values = {key: str(form.get(key, "")).strip() for key in ("template_id", *INLINE_FIELDS)}
    video_id = request.path_params["video_id"]
    params = {api: values[key] or None for key, api in INLINE_FIELDS.items()}
    template_id = values["template_id"] or None
    s, limit = console.deps, console.services.settings.account_queue_limit
    try:
        inline = None if template_id else parse_snapshot_request(params)
        command = SnapshotRequest(video_id, template_id, inline)
        job = await run_in_threadpool(
            snapshots.submit_snapshot_job, s.uow_factory, s.clock, s.dispatcher,
            console.account(visitor), command, limit,
        )  # fmt: skip
    except DynimgError as exc:
        return await _page(console, request, visitor, values, exc.http_status,
                           f"{exc.code}: {exc.message}")  # fmt: skip
    return RedirectResponse(f"/console/videos/{video_id}/snapshots?job={job.id}", 303)


async def storyboard(console: Console, request: Request, visitor: Visitor) -> Response:
    """The newest WebVTT storyboard, its pictures signed absolute URLs; 404 without one."""
    s = console.deps
    text = await run_in_threadpool(
        snapshot_views.console_storyboard, s.uow_factory, s.storage, s.clock, s.delivery,
        console.account(visitor), request.path_params["video_id"],
    )  # fmt: skip
    if text is None:
        return Response("WEBVTT\n", status_code=404, media_type=VTT_TYPE)
    return Response(text, media_type=VTT_TYPE)


async def job_state(console: Console, request: Request, visitor: Visitor) -> Response:
    """A snapshot job's state, which the page polls until it ends."""
    job = await run_in_threadpool(
        snapshot_views.get_snapshot_job, console.deps.uow_factory, console.account(visitor),
        request.path_params["job_id"],
    )  # fmt: skip
    return JSONResponse(job_row(job))


def job_row(job: SnapshotJob) -> dict[str, Any]:
    """What the page shows of a job."""
    return {
        "id": job.id, "status": job.status.value, "progress": job.progress,
        "type": job.config.type.value, "error_code": job.error_code,
        "error_message": job.error_message,
        "done": job.status in (JobStatus.SUCCESS, JobStatus.FAIL),
    }  # fmt: skip


async def _page(
    console: Console,
    request: Request,
    visitor: Visitor,
    values: dict[str, str],
    status: int = 200,
    error: str = "",
) -> Response:
    account = console.account(visitor)
    video_id = request.path_params["video_id"]
    video = await run_in_threadpool(videos.get_video, console.deps.uow_factory, account, video_id)
    groups = await run_in_threadpool(_groups, console, account, video_id)
    found = await run_in_threadpool(snapshot_templates, console, visitor)
    job = None
    if job_id := request.query_params.get("job", ""):
        found_job = await run_in_threadpool(
            snapshot_views.get_snapshot_job, console.deps.uow_factory, account, job_id
        )
        job = job_row(found_job)
    return console.render(
        request, visitor, "snapshots.html", status, video=video_row(video), groups=groups,
        templates=[{"id": t.id, "name": t.name} for t in found], values=values, error=error,
        job=job, has_storyboard=any(g["type"] == SnapshotType.WEBVTT.value for g in groups),
    )  # fmt: skip


def _groups(console: Console, account: Account, video_id: str) -> list[dict[str, Any]]:
    """Each type's newest files (as ListSnapshots lists them), the types with none left out."""
    s = console.deps
    shown = []
    for kind in SHOWN:
        try:
            listing = snapshots.list_snapshots(
                s.uow_factory, s.clock, s.delivery, account,
                SnapshotQuery(video_id, kind, 1, PER_TYPE),
            )  # fmt: skip
        except IllegalStatus:  # not yet uploaded: nothing to list
            return []
        if listing.job is None:
            continue
        files = [{"index": snap.index, "url": url, "width": snap.width, "height": snap.height,
                  "at": "" if snap.at_ms is None else f"{snap.at_ms / 1000:g} s"}
                 for snap, url in listing.urls]  # fmt: skip
        shown.append({"type": kind.value, "job_id": listing.job.id, "total": listing.total,
                      "files": files, "regular": listing.regular,
                      "created": listing.job.created_at.strftime("%Y-%m-%d %H:%M")})  # fmt: skip
    return shown


def routes(console: Console) -> list[Route]:
    return [
        Route("/videos/{video_id}/snapshots", page(console, video_page), methods=["GET"]),
        Route("/videos/{video_id}/snapshots", page(console, submit), methods=["POST"]),
        Route("/videos/{video_id}/storyboard.vtt", page(console, storyboard), methods=["GET"]),
        Route("/snapshot-jobs/{job_id}.json", page(console, job_state), methods=["GET"]),
    ]

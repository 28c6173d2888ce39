"""Live job progress as server-sent events: the jobs' state and progress, read from the database
(the state of record) once a second and sent when they change, until every job is finished.

Streams are bounded: a few per session and a few dozen in all (each polls the database), and each
lasts at most ``MAX_STREAM_SECONDS``. A refused or ended stream is not an error for the page: it
falls back to polling the JSON status route.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from dynimg.api.console.core import Console
from dynimg.api.console.sessions import Visitor
from dynimg.api.console.size_search_view import size_search_view
from dynimg.domain.jobs import DynamicImageJob, JobStatus
from dynimg.domain.timecode import format_seconds
from dynimg.services import jobs

MAX_JOBS = 50
MAX_STREAM_SECONDS = 600
TICK_SECONDS = 1.0


async def job_events(console: Console, request: Request, visitor: Visitor) -> Response:
    """``GET /console/jobs/events?ids=a,b``: an event per change of a listed job, then ``end``."""
    ids = [i for i in request.query_params.get("ids", "").split(",") if i][:MAX_JOBS]
    session = visitor.csrf  # one per session, never shown to another one
    slots = console.job_streams
    if not slots.take(session):
        message = "Too many live streams; the page polls instead."
        return JSONResponse({"Code": "Throttling", "Message": message}, status_code=429)

    async def stream() -> AsyncIterator[str]:
        try:
            async for event in _changes(console, visitor, ids):
                yield event
        finally:
            slots.give_back(session)

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


async def _changes(console: Console, visitor: Visitor, ids: list[str]) -> AsyncIterator[str]:
    sent: dict[str, str] = {}
    deadline = time.monotonic() + MAX_STREAM_SECONDS
    yield "retry: 3000\n\n"
    while time.monotonic() < deadline:
        found = await run_in_threadpool(
            jobs.find_jobs, console.deps.uow_factory, console.account(visitor), ids
        )
        rows = [job_row(job) for job in found]
        for row in rows:
            data = json.dumps(row)
            if sent.get(row["id"]) != data:
                sent[row["id"]] = data
                yield f"event: job\ndata: {data}\n\n"
        if all(row["done"] for row in rows):
            break
        await asyncio.sleep(TICK_SECONDS)
    yield "event: end\ndata: {}\n\n"


def job_row(job: DynamicImageJob) -> dict[str, Any]:
    """What the list, the events and the progress poll show of a job."""
    return {
        "id": job.id,
        "video_id": job.video_id,
        "template_id": job.template_id,
        "status": job.status.value,
        "progress": job.progress,
        "error_code": job.error_code,
        "error_message": job.error_message,
        "created": job.created_at.strftime("%Y-%m-%d %H:%M:%S"),
        "done": job.status in (JobStatus.SUCCESS, JobStatus.FAIL),
        "seek": "" if job.seek_ms is None else format_seconds(job.seek_ms),
        "fit": _fit(job.size_search),
    }


def _fit(size_search: Mapping[str, Any] | None) -> str:
    """``5,856 / 6,000 bytes`` for a MaxFileSize job once it fitted, else the target."""
    view = size_search_view(size_search)
    if view is None:
        return ""
    return f"{view['kept'] or '–'} / {view['target']} B"

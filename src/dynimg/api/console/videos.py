"""Videos: the list, chunked upload from the browser, the source player, delete.

An upload is a multipart upload under the same grant an OSS client would get: the page PUTs
slices of the file one by one, each streamed into storage as it arrives (never held whole), and
completing it runs the OSS endpoint's upload-complete hook (probe, then ``Normal``; counted). The
page remembers an unfinished upload (in the browser's localStorage, by file name, size and
modification time); choosing the same file after a reload asks which slices are stored and
sends only the others, for as long as the upload's grant lives (50 minutes).
"""

from __future__ import annotations

import functools
import json
from typing import Any

from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from dynimg.api.byte_ranges import parse_range
from dynimg.api.console.core import Console, page
from dynimg.api.console.paging import paging
from dynimg.api.console.sessions import Visitor
from dynimg.api.console.stream_slots import COVER_WAIT_SECONDS
from dynimg.api.streams import file_chunks, spooled_body
from dynimg.domain.templates import ImageFormat
from dynimg.domain.upload_requests import browser_video
from dynimg.domain.uploads import UploadGrant
from dynimg.domain.videos import Video
from dynimg.errors import InvalidParameter, PreviewsBusy
from dynimg.ports import StoredObject
from dynimg.services import object_uploads as objects
from dynimg.services import uploads, videos
from dynimg.services.covers import stored_cover, video_cover

CHUNK_BYTES = 8 * 1024 * 1024
"""Slice size the page uploads in: small enough to retry cheaply, large enough to be few."""
CONTENT_TYPES = {
    "mp4": "video/mp4",
    "m4v": "video/mp4",
    "webm": "video/webm",
    "mov": "video/quicktime",
    "mkv": "video/x-matroska",
    "ogv": "video/ogg",
}
ANIMATION_TYPES = {
    f.value: f.media_type for f in (ImageFormat.GIF, ImageFormat.APNG, ImageFormat.WEBP)
}
"""Animated images uploaded as videos, by their probed format (the output formats' own names
and types): the page shows them in an ``<img>`` (a ``<video>`` plays none of them), served as
what they are whatever their name."""


async def list_page(
    console: Console, request: Request, visitor: Visitor, status: int = 200, **extra: Any
) -> Response:
    """The list with the upload and import forms (``extra``: what a refused import shows)."""
    at = paging(request)
    query = videos.VideoQuery(page=at.page, size=at.size)
    found = await run_in_threadpool(
        videos.list_videos, console.deps.uow_factory, console.account(visitor), query
    )
    rows = [video_row(v) for v in found.videos]
    return console.render(
        request, visitor, "videos.html", status, videos=rows, chunk_bytes=CHUNK_BYTES,
        pages=at.links(request, found.total),
        imported=request.query_params.get("imported", ""), **extra,
    )  # fmt: skip


def all_videos(console: Console, visitor: Visitor) -> list[Video]:
    """The account's newest 100 videos, for the choices of the other pages' forms."""
    page_ = videos.list_videos(
        console.deps.uow_factory, console.account(visitor), videos.VideoQuery(size=100)
    )
    return list(page_.videos)


def video_row(video: Video) -> dict[str, Any]:
    """What the list and the status poll show of a video."""
    probe = video.probe
    return {
        "id": video.id,
        "title": video.metadata.title,
        "status": video.status.value,
        "duration": f"{probe.duration_ms / 1000:.1f} s" if probe else "",
        "duration_seconds": probe.duration_ms / 1000 if probe else 0,
        "size": _bytes(video.size) if video.size is not None else "",
        "dimensions": f"{probe.width}×{probe.height}" if probe else "",
        "created": video.created_at.strftime("%Y-%m-%d %H:%M"),
        "failure": video.failure_reason,
        "playable": probe is not None,
        "animation": probe is not None and probe.container in ANIMATION_TYPES,
    }


async def status(console: Console, request: Request, visitor: Visitor) -> Response:
    s = console.deps
    video = await run_in_threadpool(
        videos.get_video,
        s.uow_factory,
        console.account(visitor),
        request.path_params["video_id"],
    )
    return JSONResponse(video_row(video))


async def start_upload(console: Console, request: Request, visitor: Visitor) -> Response:
    """Register the video and open a multipart upload; the page then PUTs the slices."""
    try:
        body = json.loads(await request.body())
    except (ValueError, RecursionError):  # a form, a 5,000-digit size, deep nesting
        raise InvalidParameter("Body", "must be a JSON object") from None
    if not isinstance(body, dict):
        raise InvalidParameter("Body", "must be a JSON object")
    size = body.get("size")
    if not isinstance(size, int) or size < 1:
        raise InvalidParameter("FileSize", "must be a positive number of bytes")
    s = console.deps
    title = str(body.get("title") or body.get("file_name") or "")
    command = browser_video(str(body.get("file_name", "")), title, size)
    grant = await run_in_threadpool(
        uploads.start_browser_upload, s.uow_factory, s.clock, s.upload_policy,
        console.account(visitor), command,
    )  # fmt: skip
    upload_id = await run_in_threadpool(objects.initiate_multipart, upload_context(console, grant))
    return JSONResponse({"video_id": grant.target_id, "grant": grant.key_id, "upload": upload_id})


async def put_part(console: Console, request: Request, visitor: Visitor) -> Response:
    """One slice of the file, read without a worker thread, then stored."""
    ctx = await _authorized(console, request, visitor)
    number = _part_number(request.path_params["number"])
    s, settings = console.services.deps, console.services.settings
    spooled = await spooled_body(
        request.stream(), limit=settings.max_upload_bytes, idle_seconds=settings.body_idle_seconds,
        directory=s.scratch(), metrics=s.metrics,
    )  # fmt: skip
    with spooled:
        stored = await run_in_threadpool(
            objects.upload_part, ctx, request.path_params["upload_id"], number,
            file_chunks(spooled), None,
        )  # fmt: skip
    return JSONResponse({"part": number, "size": stored.size})


async def stored_parts(console: Console, request: Request, visitor: Visitor) -> Response:
    """The slices already stored, so a page reloaded mid-upload sends only the rest."""
    ctx = await _authorized(console, request, visitor)
    parts = await run_in_threadpool(objects.list_parts, ctx, request.path_params["upload_id"])
    return JSONResponse({"parts": [{"number": n, "size": size} for n, size, _md5 in parts]})


async def complete_upload(console: Console, request: Request, visitor: Visitor) -> Response:
    """Assemble the slices in order; the video becomes UploadSucc and is probed."""
    ctx = await _authorized(console, request, visitor)
    upload_id = request.path_params["upload_id"]

    def complete() -> StoredObject:
        parts = objects.list_parts(ctx, upload_id)
        return objects.complete_multipart(ctx, upload_id, [(n, md5) for n, _, md5 in parts])

    stored = await run_in_threadpool(complete)
    return JSONResponse({"video_id": ctx.grant.target_id, "size": stored.size})


async def source(console: Console, request: Request, visitor: Visitor) -> Response:
    """The uploaded file, with byte ranges so the player can seek."""
    s = console.deps
    video = await run_in_threadpool(
        videos.get_video,
        s.uow_factory,
        console.account(visitor),
        request.path_params["video_id"],
    )
    size = await run_in_threadpool(s.storage.size, video.storage_key)
    extension = video.storage_key.rsplit(".", 1)[-1].lower()
    probe = video.probe
    media_type = (ANIMATION_TYPES.get(probe.container) if probe else None) or CONTENT_TYPES.get(
        extension, "application/octet-stream"
    )
    headers = {"Accept-Ranges": "bytes", "Cache-Control": "private, max-age=300"}
    start, end, code = 0, size, 200
    if request.headers.get("range"):
        parsed = parse_range(request.headers["range"], size)
        if parsed is None:
            return Response(status_code=416, headers={"Content-Range": f"bytes */{size}"})
        (start, end), code = parsed, 206
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    headers["Content-Length"] = str(end - start)
    chunks = s.storage.open_range(video.storage_key, start, end)
    return StreamingResponse(
        iterate_in_threadpool(chunks), status_code=code, headers=headers,
        media_type=media_type,
    )  # fmt: skip


async def cover(console: Console, request: Request, visitor: Visitor) -> Response:
    """The video's cover frame (made on the first request, then read from storage)."""
    s, account, video_id = console.deps, console.account(visitor), request.path_params["video_id"]
    key = await run_in_threadpool(stored_cover, s.uow_factory, s.storage, account, video_id)
    if key is None:  # a first visit: wait for a render slot on the event loop, not on a thread
        async with console.covers.held(account.id, PreviewsBusy(), COVER_WAIT_SECONDS):
            key = await run_in_threadpool(
                functools.partial(video_cover, s.uow_factory, s.storage, s.preview_engine,
                                  account, video_id, scratch=s.scratch())
            )  # fmt: skip
    return StreamingResponse(
        iterate_in_threadpool(s.storage.open_range(key)), media_type="image/webp",
        headers={"Cache-Control": "private, max-age=86400"},
    )  # fmt: skip


async def delete(console: Console, request: Request, visitor: Visitor) -> Response:
    s = console.deps
    video_id = request.path_params["video_id"]
    missing = await run_in_threadpool(
        videos.delete_videos,
        s.uow_factory,
        s.storage,
        console.account(visitor),
        [video_id],
    )
    if missing:
        raise InvalidParameter("VideoId", "the video does not exist")
    return RedirectResponse("/console/videos", status_code=303)


async def _authorized(
    console: Console, request: Request, visitor: Visitor
) -> objects.ObjectContext:
    """The upload's grant, only if it is this account's grant for this video."""
    grant = await run_in_threadpool(
        uploads.video_upload_grant, console.deps.uow_factory, console.deps.clock,
        console.account(visitor),
        request.path_params["video_id"], request.path_params["grant"],
    )  # fmt: skip
    return upload_context(console, grant)


def upload_context(console: Console, grant: UploadGrant) -> objects.ObjectContext:
    """The grant's object context: uploads finish as the OSS endpoint's do."""
    return objects.ObjectContext(grant, console.deps)


def _bytes(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def routes(console: Console) -> list[Route]:
    upload = "/videos/{video_id}/uploads/{grant}/{upload_id}"
    return [
        Route("/videos", page(console, list_page), methods=["GET"]),
        Route("/videos/uploads", page(console, start_upload), methods=["POST"]),
        Route(upload + "/parts/{number}", page(console, put_part), methods=["PUT"]),
        Route(upload + "/parts", page(console, stored_parts), methods=["GET"]),
        Route(upload + "/complete", page(console, complete_upload), methods=["POST"]),
        Route("/videos/{video_id}.json", page(console, status), methods=["GET"]),
        Route("/videos/{video_id}/source", page(console, source), methods=["GET"]),
        Route("/videos/{video_id}/cover", page(console, cover), methods=["GET"]),
        Route("/videos/{video_id}/delete", page(console, delete), methods=["POST"]),
    ]


def _part_number(text: str) -> int:
    """A slice's number, checked before ``int()`` so 5,000 digits cannot become a 500."""
    if (
        not (text.isascii() and text.isdigit())
        or len(text) > 5
        or not 1 <= int(text) <= objects.MAX_PARTS
    ):
        raise InvalidParameter("PartNumber", f"must be an integer in [1, {objects.MAX_PARTS}]")
    return int(text)

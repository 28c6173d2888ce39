"""The gallery: a video's animated images, playing, with their facts (frames, loops, the Seek
used, MD5), signed URL and delete. Images made before dynimg recorded a fact leave it out."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dynimg.api.console.core import Console, page
from dynimg.api.console.paging import paging
from dynimg.api.console.sessions import Visitor
from dynimg.api.console.videos import video_row
from dynimg.domain.timecode import format_seconds
from dynimg.services import images, videos
from dynimg.services.images import ImageView


async def gallery(console: Console, request: Request, visitor: Visitor) -> Response:
    s = console.deps
    account = console.account(visitor)
    video_id = request.path_params["video_id"]
    video = await run_in_threadpool(videos.get_video, s.uow_factory, account, video_id)
    at = paging(request)
    total, found = await run_in_threadpool(
        images.image_page, s, account, video_id,
        images.ImagePage(at.offset, at.size),
    )  # fmt: skip
    return console.render(
        request, visitor, "gallery.html", video=video_row(video),
        images=[_card(v) for v in found], pages=at.links(request, total),
    )  # fmt: skip


async def delete(console: Console, request: Request, visitor: Visitor) -> Response:
    s = console.deps
    video_id, image_id = request.path_params["video_id"], request.path_params["image_id"]
    await run_in_threadpool(
        images.delete_images, s, console.account(visitor), video_id,
        image_id,
    )  # fmt: skip
    return RedirectResponse(f"/console/videos/{video_id}/gallery", status_code=303)


def _card(view: ImageView) -> dict[str, Any]:
    image = view.image
    return {
        "id": image.id,
        "url": view.file_url,
        "format": image.format,
        "fps": image.fps,
        "dimensions": f"{image.width}×{image.height}",
        "duration": f"{image.duration_ms / 1000:.2f} s",
        "bytes": f"{image.file_size:,}",
        "file_name": f"{image.id}.{image.format}",
        "frames": "" if image.frame_count is None else str(image.frame_count),
        "loops": "" if image.loop_count is None else str(image.loop_count),
        "seek": "" if image.seek_ms is None else f"{format_seconds(image.seek_ms)} s",
        "md5": image.md5_hex or "",
    }


def routes(console: Console) -> list[Route]:
    return [
        Route("/videos/{video_id}/gallery", page(console, gallery), methods=["GET"]),
        Route(
            "/videos/{video_id}/images/{image_id}/delete", page(console, delete), methods=["POST"]
        ),
    ]

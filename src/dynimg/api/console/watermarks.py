"""Watermarks: text watermarks (Chinese included) with position, size, colour and font; image
watermarks uploaded from the browser with their corner, offsets, size and timeline; a preview
over the first seconds of a chosen video; the list, the account default, delete. Templates pick
them on the template form."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dynimg.api.console.core import Console, page
from dynimg.api.console.sessions import Visitor
from dynimg.api.console.stream_slots import PREVIEW_WAIT_SECONDS
from dynimg.api.console.videos import all_videos, upload_context, video_row
from dynimg.domain.json_document import dump_compact
from dynimg.domain.watermark_documents import (
    AddWatermark,
    read_watermark_config,
    read_watermark_name,
    read_watermark_type,
)
from dynimg.domain.watermarks import (
    FONT_NAMES,
    REFER_POSITIONS,
    Watermark,
    WatermarkConfig,
    WatermarkType,
)
from dynimg.errors import InvalidParameter, PreviewsBusy
from dynimg.services import object_uploads, uploads, watermarks
from dynimg.services.previews import render_watermark_preview

TEXT_FIELDS = ("content", "font_name", "font_size", "font_color", "top", "left")
IMAGE_FIELDS = ("refer_pos", "dx", "dy", "width", "height", "start", "duration")
FIELDS = ("name", "type", *TEXT_FIELDS, *IMAGE_FIELDS)
BLANK = {"name": "", "type": "Text", "content": "", "font_name": FONT_NAMES[1],
         "font_size": "24", "font_color": "#ffffff", "top": "8", "left": "8",
         "refer_pos": "TopRight", "dx": "8", "dy": "8", "width": "", "height": "",
         "start": "0", "duration": ""}  # fmt: skip
_FIELD_OF = {"Name": "name", "Type": "type", "Content": "content", "FontName": "font_name",
             "FontSize": "font_size", "FontColor": "font_color", "Top": "top", "Left": "left",
             "ReferPos": "refer_pos", "Dx": "dx", "Dy": "dy", "Width": "width",
             "Height": "height", "Start": "start", "Duration": "duration", "FileUrl": "image",
             "FileName": "image", "MediaExt": "image", "FileSize": "image"}  # fmt: skip
_TEXT_KEYS = (("FontSize", "font_size"), ("FontColor", "font_color"), ("Top", "top"),
              ("Left", "left"))  # fmt: skip
_IMAGE_KEYS = (("Dx", "dx"), ("Dy", "dy"), ("Width", "width"), ("Height", "height"))
IMAGE_TYPES = {"gif": "image/gif", "webp": "image/webp"}


async def list_page(console: Console, request: Request, visitor: Visitor) -> Response:
    return await _page(console, request, visitor, dict(BLANK))


async def create(console: Console, request: Request, visitor: Visitor) -> Response:
    form = await request.form()
    values = _values(form)
    s = console.deps
    try:
        image = _image(form) if values["type"] == WatermarkType.IMAGE.value else None
        kind = read_watermark_type(values["type"])
        config = read_watermark_config(kind, watermark_config(values))
        file_url = await _store_image(console, visitor, image) if image else ""
        command = AddWatermark(read_watermark_name(values["name"]), config, file_url)
        created = await run_in_threadpool(
            watermarks.add_watermark, s.uow_factory, s.clock, s.upload_policy,
            console.account(visitor), command,
        )  # fmt: skip
    except InvalidParameter as exc:
        field = _FIELD_OF.get(exc.parameter.rsplit(".", 1)[-1], "")
        return await _page(console, request, visitor, values, 400, field, exc.message)
    if form.get("default"):
        await run_in_threadpool(
            watermarks.set_default_watermark,
            s.uow_factory,
            console.account(visitor),
            created.id,
        )
    return RedirectResponse(f"/console/watermarks?added={created.id}", status_code=303)


async def preview(console: Console, request: Request, visitor: Visitor) -> Response:
    """A stored watermark (``watermark_id``) or the text form's, over a video's first seconds."""
    form = await request.form()
    video_id = str(form.get("video_id") or "")
    if not video_id:
        raise InvalidParameter("VideoId", "choose a video to preview")
    chosen: WatermarkConfig | str = str(form.get("watermark_id") or "")
    if not chosen:
        values = _values(form)
        if values["type"] != WatermarkType.TEXT.value:
            raise InvalidParameter("FileUrl", "save an image watermark to preview it")
        chosen = read_watermark_config(WatermarkType.TEXT, watermark_config(values)).config
    s, account = console.deps, console.account(visitor)
    async with console.previews.held(account.id, PreviewsBusy(), PREVIEW_WAIT_SECONDS):
        body, fmt = await run_in_threadpool(
            render_watermark_preview, s.uow_factory, s.storage, s.preview_engine, account,
            video_id, chosen, scratch=s.scratch(),
        )  # fmt: skip
    return Response(body, media_type=IMAGE_TYPES[fmt])


async def make_default(console: Console, request: Request, visitor: Visitor) -> Response:
    await run_in_threadpool(
        watermarks.set_default_watermark, console.deps.uow_factory, console.account(visitor),
        request.path_params["watermark_id"],
    )  # fmt: skip
    return RedirectResponse("/console/watermarks", status_code=303)


async def delete(console: Console, request: Request, visitor: Visitor) -> Response:
    await run_in_threadpool(
        watermarks.delete_watermark, console.deps.uow_factory, console.account(visitor),
        request.path_params["watermark_id"],
    )  # fmt: skip
    return RedirectResponse("/console/watermarks", status_code=303)


def watermark_config(values: Mapping[str, str]) -> dict[str, Any]:
    """The WatermarkConfig the form describes, as typed, for the API's validation to judge."""
    config: dict[str, Any]
    if values["type"] == WatermarkType.IMAGE.value:
        config = {"ReferPos": values["refer_pos"]}
        config.update({key: values[field] for key, field in _IMAGE_KEYS if values[field]})
        timeline = {"Start": values["start"] or "0", "Duration": values["duration"] or "ToEND"}
        config["Timeline"] = timeline
    else:
        config = {"Content": values["content"], "FontName": values["font_name"]}
        config.update({key: values[field] for key, field in _TEXT_KEYS if values[field]})
    return config


def account_watermarks(console: Console, visitor: Visitor) -> list[Watermark]:
    """The account's watermarks, for this page and the template form."""
    found = watermarks.list_watermarks(console.deps.uow_factory, console.account(visitor), None)
    return list(found)


def _values(form: FormData) -> dict[str, str]:
    values = {name: str(form.get(name) or "").strip() for name in FIELDS}
    values["type"] = values["type"] or WatermarkType.TEXT.value
    return values


def _image(form: FormData) -> UploadFile:
    image = form.get("image")
    if not isinstance(image, UploadFile) or not image.filename or not image.size:
        raise InvalidParameter("FileUrl", "choose an image file (PNG, JPEG, GIF or WebP)")
    return image


async def _store_image(console: Console, visitor: Visitor, image: UploadFile) -> str:
    """Store the image as CreateUploadAttachedMedia and an OSS PutObject would (the same media
    row, grant and probe), and return the FileURL AddWatermark takes."""
    s = console.deps
    started = await run_in_threadpool(
        functools.partial(
            uploads.start_browser_media_upload, s.uow_factory, s.clock, s.upload_policy,
            console.account(visitor), business_type="watermark",
            file_name=str(image.filename), size=int(image.size or 0),
        )
    )  # fmt: skip
    await run_in_threadpool(
        object_uploads.put_object, upload_context(console, started.grant), _chunks(image.file),
        None,
    )  # fmt: skip
    return started.file_url


def _chunks(file: BinaryIO) -> Iterator[bytes]:
    file.seek(0)
    while chunk := file.read(256 * 1024):
        yield chunk


async def _page(
    console: Console,
    request: Request,
    visitor: Visitor,
    values: dict[str, str],
    status: int = 200,
    error_field: str = "",
    error: str = "",
) -> Response:
    found = await run_in_threadpool(account_watermarks, console, visitor)
    rows = [{"id": w.id, "name": w.name, "type": w.type.value, "config": dump_compact(w.document),
             "default": w.is_default} for w in found]  # fmt: skip
    playable = [video_row(v) for v in await run_in_threadpool(all_videos, console, visitor)]
    return console.render(
        request, visitor, "watermarks.html", status, watermarks=rows, values=values,
        fonts=FONT_NAMES, positions=REFER_POSITIONS, error_field=error_field, error=error,
        videos=[v for v in playable if v["playable"]],
        added=request.query_params.get("added", ""),
    )  # fmt: skip


def routes(console: Console) -> list[Route]:
    item = "/watermarks/{watermark_id}"
    return [
        Route("/watermarks", page(console, list_page), methods=["GET"]),
        Route("/watermarks", page(console, create), methods=["POST"]),
        Route("/watermarks/preview", page(console, preview), methods=["POST"]),
        Route(item + "/default", page(console, make_default), methods=["POST"]),
        Route(item + "/delete", page(console, delete), methods=["POST"]),
    ]

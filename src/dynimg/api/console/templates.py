"""Templates: the list, the create and edit forms with their clip timeline, the live preview,
delete."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dynimg.api.console.core import Console, page
from dynimg.api.console.i18n import choose_language, translator
from dynimg.api.console.sessions import Visitor
from dynimg.api.console.stream_slots import PREVIEW_WAIT_SECONDS
from dynimg.api.console.template_forms import (
    config_document,
    config_input,
    field_of,
    form_values,
    template_values,
)
from dynimg.api.console.template_settings import Translate, template_settings
from dynimg.api.console.videos import all_videos, video_row
from dynimg.api.console.watermarks import account_watermarks
from dynimg.domain.json_document import dump_compact
from dynimg.domain.template_documents import AddTemplate, UpdateTemplate
from dynimg.domain.template_parsing import parse_template_config, parse_template_name
from dynimg.domain.templates import EXTRAS_USED, ImageFormat, Template, TemplateType
from dynimg.errors import InvalidParameter, PreviewsBusy
from dynimg.services import templates
from dynimg.services.previews import render_preview

IMAGE_TYPES = {f.value: f.media_type for f in ImageFormat}
BLANK = {"name": "", "format": "gif", "width": "", "height": "", "fps": "10", "seek": "0",
         "seek_auto": "", "duration": "2", "video_id": "", "watermark_ids": "", "quality": "",
         "loop": "", "max_colors": "", "dither": "", "max_file_kb": "", "crop": "",
         "playback": "", "speed": ""}  # fmt: skip
EXTRAS = {f.value: sorted(EXTRAS_USED.get(f, ())) for f in ImageFormat}
"""Which extras the form shows for each format (its script hides the others)."""
ADVANCED_FIELDS = ("quality", "loop", "max_colors", "dither", "max_file_kb", "crop", "playback",
                   "speed")  # fmt: skip


async def list_page(console: Console, request: Request, visitor: Visitor) -> Response:
    return await _page(console, request, visitor, dict(BLANK))


async def create(console: Console, request: Request, visitor: Visitor) -> Response:
    values = form_values(await request.form())
    s = console.deps
    try:
        await run_in_threadpool(
            functools.partial(
                templates.add_template, s.uow_factory, s.clock, console.account(visitor),
                AddTemplate(parse_template_name(values["name"]), TemplateType.DYNAMIC_IMAGE,
                            config_input(values)),
                codecs=s.codecs,
            )
        )  # fmt: skip
    except InvalidParameter as exc:
        field = field_of(exc.parameter)
        return await _page(console, request, visitor, values, 400, field, exc.message)
    return RedirectResponse("/console/templates?saved=1", status_code=303)


async def edit_page(console: Console, request: Request, visitor: Visitor) -> Response:
    """The form filled with a stored template; saving it calls UpdateVodTemplate's use case."""
    template = await _template(console, request, visitor)
    return await _page(console, request, visitor, template_values(template), editing=template)


async def update(console: Console, request: Request, visitor: Visitor) -> Response:
    template = await _template(console, request, visitor)
    values = form_values(await request.form())
    s = console.deps
    try:
        await run_in_threadpool(
            functools.partial(
                templates.update_template, s.uow_factory, s.clock, console.account(visitor),
                UpdateTemplate(template.id, parse_template_name(values["name"]),
                               config_document(values, template.document)),
                codecs=s.codecs,
            )
        )  # fmt: skip
    except InvalidParameter as exc:
        field = field_of(exc.parameter)
        return await _page(console, request, visitor, values, 400, field, exc.message, template)
    return RedirectResponse("/console/templates?saved=1", status_code=303)


async def _template(console: Console, request: Request, visitor: Visitor) -> Template:
    return await run_in_threadpool(
        templates.get_template, console.deps.uow_factory, console.account(visitor),
        request.path_params["template_id"],
    )  # fmt: skip


async def preview(console: Console, request: Request, visitor: Visitor) -> Response:
    """A small render of the form's clip; errors come back as JSON with the API's message."""
    form = await request.form()
    values = form_values(form)
    if not values["video_id"]:
        raise InvalidParameter("VideoId", "choose a video to preview")
    stored: Mapping[str, Any] | None = None
    if template_id := str(form.get("template_id") or ""):  # the edit form: keep hidden fields
        found = await run_in_threadpool(
            templates.get_template, console.deps.uow_factory, console.account(visitor),
            template_id,
        )  # fmt: skip
        stored = found.document
    s, account = console.deps, console.account(visitor)
    async with console.previews.held(account.id, PreviewsBusy(), PREVIEW_WAIT_SECONDS):
        body, fmt = await run_in_threadpool(
            render_preview, s.uow_factory, s.storage, s.preview_engine, account,
            values["video_id"], parse_template_config(config_document(values, stored)),
            scratch=s.scratch(),
        )  # fmt: skip
    return Response(body, media_type=IMAGE_TYPES[fmt])


async def delete(console: Console, request: Request, visitor: Visitor) -> Response:
    s = console.deps
    await run_in_threadpool(
        templates.delete_template, s.uow_factory, console.account(visitor),
        request.path_params["template_id"],
    )  # fmt: skip
    return RedirectResponse("/console/templates", status_code=303)


async def _page(
    console: Console,
    request: Request,
    visitor: Visitor,
    values: dict[str, str],
    status: int = 200,
    error_field: str = "",
    error: str = "",
    editing: Template | None = None,
) -> Response:
    s = console.deps
    account = console.account(visitor)
    found = await run_in_threadpool(
        templates.list_templates, s.uow_factory, account, TemplateType.DYNAMIC_IMAGE.value
    )
    playable = [video_row(v) for v in await run_in_threadpool(all_videos, console, visitor)]
    playable = [v for v in playable if v["playable"]]
    if not values["video_id"] and playable:
        values["video_id"] = playable[0]["id"]
    marks = await run_in_threadpool(account_watermarks, console, visitor)
    names = {w.id: w.name for w in marks}
    chosen = set(values["watermark_ids"].split(","))
    return console.render(
        request, visitor, "templates.html", status,
        templates=[_row(t, names, translator(choose_language(request))) for t in found],
        videos=playable, values=values, error_field=error_field, error=error,
        watermarks=[{"id": w.id, "name": w.name, "checked": w.id in chosen} for w in marks],
        saved=request.query_params.get("saved") == "1", editing=editing,
        extras=EXTRAS, extras_json=json.dumps(EXTRAS), advanced_fields=ADVANCED_FIELDS,
    )  # fmt: skip


def _row(template: Template, names: Mapping[str, str], _: Translate) -> dict[str, Any]:
    return {"id": template.id, "name": template.name, "config": dump_compact(template.document),
            "settings": template_settings(template, names, _),
            "created": template.created_at.strftime("%Y-%m-%d %H:%M")}  # fmt: skip


def routes(console: Console) -> list[Route]:
    return [
        Route("/templates", page(console, list_page), methods=["GET"]),
        Route("/templates", page(console, create), methods=["POST"]),
        Route("/templates/preview", page(console, preview), methods=["POST"]),
        Route("/templates/{template_id}/edit", page(console, edit_page), methods=["GET"]),
        Route("/templates/{template_id}", page(console, update), methods=["POST"]),
        Route("/templates/{template_id}/delete", page(console, delete), methods=["POST"]),
    ]

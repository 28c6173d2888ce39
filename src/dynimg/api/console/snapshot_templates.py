"""Snapshot templates (``TemplateType=Snapshot``): a readable list, a form that writes the
``SnapshotTemplateConfig`` document AddVodTemplate would get, delete."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dynimg.api.console.core import Console, page
from dynimg.api.console.sessions import Visitor
from dynimg.domain.snapshots import TEMPLATE_TYPES, SnapshotConfig, SnapshotType
from dynimg.domain.template_documents import AddTemplate, read_template_document
from dynimg.domain.template_parsing import parse_template_name
from dynimg.domain.templates import Template, TemplateType
from dynimg.errors import InvalidParameter
from dynimg.services import templates

CONFIG_FIELDS = {"count": "Count", "interval": "Interval", "offset": "SpecifiedOffsetTime",
                 "width": "Width", "height": "Height", "frame_type": "FrameType"}  # fmt: skip
SPRITE_FIELDS = {"columns": "Columns", "lines": "Lines", "padding": "Padding",
                 "margin": "Margin", "color": "Color"}  # fmt: skip
BLANK = {"name": "", "type": SnapshotType.WEBVTT.value, "count": "100", "interval": "10",
         "offset": "", "width": "160", "height": "", "frame_type": "intra", "columns": "10",
         "lines": "10", "padding": "", "margin": "", "color": ""}  # fmt: skip


async def list_page(console: Console, request: Request, visitor: Visitor) -> Response:
    return await _page(console, request, visitor, dict(BLANK))


async def create(console: Console, request: Request, visitor: Visitor) -> Response:
    values = _form_values(await request.form())
    s = console.deps
    try:
        command = AddTemplate(
            parse_template_name(values["name"]), TemplateType.SNAPSHOT,
            read_template_document(snapshot_document(values), TemplateType.SNAPSHOT),
        )  # fmt: skip
        await run_in_threadpool(
            functools.partial(
                templates.add_template, s.uow_factory, s.clock, console.account(visitor), command
            )
        )
    except InvalidParameter as exc:
        return await _page(console, request, visitor, values, 400, exc.message)
    return RedirectResponse("/console/snapshot-templates?saved=1", status_code=303)


async def delete(console: Console, request: Request, visitor: Visitor) -> Response:
    await run_in_threadpool(
        templates.delete_template, console.deps.uow_factory, console.account(visitor),
        request.path_params["template_id"],
    )  # fmt: skip
    return RedirectResponse("/console/snapshot-templates", status_code=303)


def snapshot_document(values: Mapping[str, str]) -> dict[str, Any]:
    """The SnapshotTemplateConfig the form describes (empty fields are left to the defaults)."""
    config: dict[str, Any] = {api: values[k] for k, api in CONFIG_FIELDS.items() if values.get(k)}
    kind = values.get("type", "")
    if kind != SnapshotType.NORMAL.value:
        sprite = {api: values[k] for k, api in SPRITE_FIELDS.items() if values.get(k)}
        if sprite:
            config["SpriteSnapshotConfig"] = sprite
    if kind == SnapshotType.WEBVTT.value:
        config["Format"] = "vtt"
    return {"SnapshotType": kind, "SnapshotConfig": config}


def snapshot_templates(console: Console, visitor: Visitor) -> list[Template]:
    """The account's snapshot templates, newest first."""
    return list(
        templates.list_templates(
            console.deps.uow_factory, console.account(visitor), TemplateType.SNAPSHOT.value
        )
    )


async def _page(
    console: Console,
    request: Request,
    visitor: Visitor,
    values: dict[str, str],
    status: int = 200,
    error: str = "",
) -> Response:
    found = await run_in_threadpool(snapshot_templates, console, visitor)
    return console.render(
        request, visitor, "snapshot_templates.html", status, values=values, error=error,
        templates=[template_row(t) for t in found], types=[t.value for t in TEMPLATE_TYPES],
        saved=request.query_params.get("saved") == "1",
    )  # fmt: skip


def template_row(template: Template) -> dict[str, str]:
    """What the list shows of a template: its settings in words and numbers, not JSON."""
    config = template.config
    assert isinstance(config, SnapshotConfig)
    width, height = config.width or "", config.height or ""
    size = f"{width or '?'}×{height or '?'}" if width or height else ""
    sprite = config.sprite
    return {
        "id": template.id, "name": template.name, "type": config.type.value,
        "count": str(config.count),
        "interval": f"{config.interval_s} s" if config.interval_s else "",
        "offset": f"{config.offset_ms / 1000:g} s", "size": size,
        "frame_type": config.frame_type.value,
        "grid": f"{sprite.columns}×{sprite.lines}" if sprite else "",
        "created": template.created_at.strftime("%Y-%m-%d %H:%M"),
    }  # fmt: skip


def _form_values(form: FormData) -> dict[str, str]:
    return {key: str(form.get(key, "")).strip() for key in BLANK}


def routes(console: Console) -> list[Route]:
    return [
        Route("/snapshot-templates", page(console, list_page), methods=["GET"]),
        Route("/snapshot-templates", page(console, create), methods=["POST"]),
        Route("/snapshot-templates/{template_id}/delete", page(console, delete), methods=["POST"]),
    ]

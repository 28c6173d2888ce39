"""Watermarks: text watermarks (Chinese included) with position, size, colour and font; the
list, the account default, delete. Templates pick them on the template form."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dynimg.api.console.core import Console, page
from dynimg.api.console.sessions import Visitor
from dynimg.domain.watermarks import FONT_NAMES, Watermark, WatermarkType
from dynimg.errors import InvalidParameter
from dynimg.services import watermarks

FIELDS = ("name", "content", "font_name", "font_size", "font_color", "top", "left")
BLANK = {"name": "", "content": "", "font_name": FONT_NAMES[1], "font_size": "24",
         "font_color": "#ffffff", "top": "8", "left": "8"}  # fmt: skip
_FIELD_OF = {"Name": "name", "Content": "content", "FontName": "font_name",
             "FontSize": "font_size", "FontColor": "font_color", "Top": "top",
             "Left": "left"}  # fmt: skip


async def list_page(console: Console, request: Request, visitor: Visitor) -> Response:
    return await _page(console, request, visitor, dict(BLANK))


async def create(console: Console, request: Request, visitor: Visitor) -> Response:
    form = await request.form()
    values = {name: str(form.get(name) or "").strip() for name in FIELDS}
    params: dict[str, str | None] = {"Type": WatermarkType.TEXT.value, "Name": values["name"],
              "WatermarkConfig": text_config(values)}  # fmt: skip
    s = console.services
    try:
        created = await run_in_threadpool(
            watermarks.add_watermark, s.uow_factory, s.clock, s.upload_policy,
            console.account(visitor), params,
        )  # fmt: skip
    except InvalidParameter as exc:
        field = _FIELD_OF.get(exc.parameter.rsplit(".", 1)[-1], "")
        return await _page(console, request, visitor, values, 400, field, exc.message)
    if form.get("default"):
        await run_in_threadpool(
            watermarks.set_default_watermark, s.uow_factory, console.account(visitor), created.id
        )
    return RedirectResponse("/console/watermarks", status_code=303)


async def make_default(console: Console, request: Request, visitor: Visitor) -> Response:
    await run_in_threadpool(
        watermarks.set_default_watermark, console.services.uow_factory, console.account(visitor),
        request.path_params["watermark_id"],
    )  # fmt: skip
    return RedirectResponse("/console/watermarks", status_code=303)


async def delete(console: Console, request: Request, visitor: Visitor) -> Response:
    await run_in_threadpool(
        watermarks.delete_watermark, console.services.uow_factory, console.account(visitor),
        request.path_params["watermark_id"],
    )  # fmt: skip
    return RedirectResponse("/console/watermarks", status_code=303)


def text_config(values: Mapping[str, str]) -> str:
    """The WatermarkConfig the form describes, as typed, for the API's validation to judge."""
    config: dict[str, Any] = {"Content": values["content"], "FontName": values["font_name"]}
    for key, field in (("FontSize", "font_size"), ("FontColor", "font_color"), ("Top", "top"),
                       ("Left", "left")):  # fmt: skip
        if values[field]:
            config[key] = values[field]
    return json.dumps(config, ensure_ascii=False)


def account_watermarks(console: Console, visitor: Visitor) -> list[Watermark]:
    """The account's watermarks, for this page and the template form."""
    found = watermarks.list_watermarks(console.services.uow_factory, console.account(visitor), None)
    return list(found)


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
    rows = [{"id": w.id, "name": w.name, "type": w.type.value, "config": w.config_json,
             "default": w.is_default} for w in found]  # fmt: skip
    return console.render(
        request, visitor, "watermarks.html", status, watermarks=rows, values=values,
        fonts=FONT_NAMES, error_field=error_field, error=error,
    )  # fmt: skip


def routes(console: Console) -> list[Route]:
    item = "/watermarks/{watermark_id}"
    return [
        Route("/watermarks", page(console, list_page), methods=["GET"]),
        Route("/watermarks", page(console, create), methods=["POST"]),
        Route(item + "/default", page(console, make_default), methods=["POST"]),
        Route(item + "/delete", page(console, delete), methods=["POST"]),
    ]

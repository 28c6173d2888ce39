"""The watermark Actions."""

from __future__ import annotations

from typing import Any

from dynimg.api.rpc.action import Action
from dynimg.api.rpc.context import ActionContext
from dynimg.api.rpc.params import Param
from dynimg.domain.json_document import dump_compact
from dynimg.domain.timestamps import format_utc
from dynimg.domain.watermark_documents import read_add_watermark, read_update_watermark
from dynimg.domain.watermarks import Watermark
from dynimg.services import watermarks


def add_watermark(ctx: ActionContext) -> dict[str, Any]:
    s = ctx.deps
    p = ctx.params
    command = read_add_watermark(
        p.get("Name"), p.get("Type"), p.get("WatermarkConfig"), p.get("FileUrl"), p.get("AppId")
    )
    watermark = watermarks.add_watermark(
        s.uow_factory, s.clock, s.upload_policy, ctx.account, command
    )
    return {"WatermarkInfo": watermark_info(watermark, with_app=False)}


def update_watermark(ctx: ActionContext) -> dict[str, Any]:
    command = read_update_watermark(
        ctx.require("WatermarkId"), ctx.params.get("Name"), ctx.params.get("WatermarkConfig")
    )
    watermark = watermarks.update_watermark(ctx.deps.uow_factory, ctx.account, command)
    return {"WatermarkInfo": watermark_info(watermark, with_app=False)}


def get_watermark(ctx: ActionContext) -> dict[str, Any]:
    watermark = watermarks.get_watermark(
        ctx.deps.uow_factory, ctx.account, ctx.require("WatermarkId")
    )
    return {"WatermarkInfo": watermark_info(watermark)}


def list_watermark(ctx: ActionContext) -> dict[str, Any]:
    found = watermarks.list_watermarks(ctx.deps.uow_factory, ctx.account, ctx.params["AppId"])
    return {"WatermarkInfos": [watermark_info(w) for w in found]}


def delete_watermark(ctx: ActionContext) -> dict[str, Any]:
    watermarks.delete_watermark(ctx.deps.uow_factory, ctx.account, ctx.require("WatermarkId"))
    return {}


def set_default_watermark(ctx: ActionContext) -> dict[str, Any]:
    watermarks.set_default_watermark(ctx.deps.uow_factory, ctx.account, ctx.require("WatermarkId"))
    return {}


def watermark_info(watermark: Watermark, *, with_app: bool = True) -> dict[str, Any]:
    """A ``WatermarkInfo``: every value a string, WatermarkConfig as JSON text."""
    info = {
        "WatermarkId": watermark.id,
        "Name": watermark.name,
        "Type": watermark.type.value,
        "IsDefault": "Default" if watermark.is_default else "NotDefault",
        "WatermarkConfig": dump_compact(watermark.document),
        "CreationTime": format_utc(watermark.created_at),
    }
    if watermark.file_url:
        info["FileUrl"] = watermark.file_url
    if with_app:
        info["AppId"] = watermark.app_id
    return info


_ID = Param("WatermarkId", required=True, max_bytes=64)
_CONFIG = Param("WatermarkConfig", max_bytes=8192)
ACTIONS = [
    Action(
        "AddWatermark",
        add_watermark,
        (
            Param("Name", required=True, max_bytes=128),
            Param("Type", max_bytes=16),
            Param("WatermarkConfig", required=True, max_bytes=8192),
            Param("FileUrl", max_bytes=2048),
            Param("AppId", max_bytes=64),
        ),
    ),
    Action(
        "UpdateWatermark",
        update_watermark,
        (
            _ID,
            Param("Name", max_bytes=128),
            Param("WatermarkConfig", required=True, max_bytes=8192),
        ),
    ),
    Action("GetWatermark", get_watermark, (_ID,)),
    Action("ListWatermark", list_watermark, (Param("AppId", max_bytes=64),)),
    Action("DeleteWatermark", delete_watermark, (_ID,)),
    Action("SetDefaultWatermark", set_default_watermark, (_ID,)),
]

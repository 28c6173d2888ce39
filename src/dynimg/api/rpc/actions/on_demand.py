"""GetAnimatedImageUrl and GetThumbnailUrl (dynimg extensions): signed on-demand URLs for a
window of a video, or a picture of it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dynimg.api.rpc.action import Action
from dynimg.api.rpc.context import ActionContext
from dynimg.api.rpc.params import Param
from dynimg.domain.fields import read_int
from dynimg.domain.on_demand import parse_format, parse_params
from dynimg.domain.thumbnails import parse_thumbnail_format, parse_thumbnail_params
from dynimg.domain.timestamps import format_utc
from dynimg.services.on_demand import MAX_URL_LIFETIME, Params, signed_url

_QUERY = {"Start": "start", "End": "end", "Width": "width", "Fps": "fps"}
_THUMBNAIL_QUERY = {"Time": "time", "Width": "width"}


def get_animated_image_url(ctx: ActionContext) -> dict[str, Any]:
    query = _query(ctx, _QUERY)
    params = parse_params(parse_format(ctx.params["ImageFormat"] or "gif"), query)
    url, expires = _signed(ctx, params)
    return {"AnimatedImageURL": url, "ExpireTime": format_utc(expires)}


def get_thumbnail_url(ctx: ActionContext) -> dict[str, Any]:
    query = _query(ctx, _THUMBNAIL_QUERY)
    fmt = parse_thumbnail_format(ctx.params["ImageFormat"] or "jpg")
    url, expires = _signed(ctx, parse_thumbnail_params(fmt, query))
    return {"ThumbnailURL": url, "ExpireTime": format_utc(expires)}


def _query(ctx: ActionContext, names: dict[str, str]) -> dict[str, str]:
    return {name: value for key, name in names.items() if (value := ctx.params[key]) is not None}


def _signed(ctx: ActionContext, params: Params) -> tuple[str, datetime]:
    s, timeout = ctx.deps, ctx.params["AuthTimeout"]
    return signed_url(
        s.uow_factory, s.clock, s.delivery, ctx.account, ctx.require("VideoId"), params,
        None if timeout is None else read_int(timeout, "AuthTimeout", 60, MAX_URL_LIFETIME),
    )  # fmt: skip


ACTIONS = [
    Action(
        "GetAnimatedImageUrl",
        get_animated_image_url,
        (
            Param("VideoId", required=True, max_bytes=64),
            Param("ImageFormat", max_bytes=16),
            *(Param(name, max_bytes=16) for name in _QUERY),
            Param("AuthTimeout", max_bytes=16),
        ),
    ),
    Action(
        "GetThumbnailUrl",
        get_thumbnail_url,
        (
            Param("VideoId", required=True, max_bytes=64),
            Param("ImageFormat", max_bytes=16),
            *(Param(name, max_bytes=16) for name in _THUMBNAIL_QUERY),
            Param("AuthTimeout", max_bytes=16),
        ),
    ),
]

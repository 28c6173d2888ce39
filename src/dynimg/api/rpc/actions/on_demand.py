"""GetAnimatedImageUrl (a dynimg extension): a signed on-demand URL for a window of a video."""

from __future__ import annotations

from typing import Any

from dynimg.api.rpc.action import Action
from dynimg.api.rpc.context import ActionContext
from dynimg.api.rpc.params import Param
from dynimg.domain.fields import read_int
from dynimg.domain.on_demand import parse_format
from dynimg.domain.timestamps import format_utc
from dynimg.services.on_demand import MAX_URL_LIFETIME, signed_url

_QUERY = {"Start": "start", "End": "end", "Width": "width", "Fps": "fps"}


def get_animated_image_url(ctx: ActionContext) -> dict[str, Any]:
    s, params = ctx.deps, ctx.params
    query = {name: value for key, name in _QUERY.items() if (value := params[key]) is not None}
    timeout = params["AuthTimeout"]
    url, expires = signed_url(
        s.uow_factory,
        s.clock,
        s.delivery,
        ctx.account,
        ctx.require("VideoId"),
        parse_format(params["ImageFormat"] or "gif"),
        query,
        None if timeout is None else read_int(timeout, "AuthTimeout", 60, MAX_URL_LIFETIME),
    )
    return {"AnimatedImageURL": url, "ExpireTime": format_utc(expires)}


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
]

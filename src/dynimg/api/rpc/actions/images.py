"""ListDynamicImage and DeleteDynamicImage."""

from __future__ import annotations

from typing import Any

from dynimg.api.rpc.action import Action
from dynimg.api.rpc.context import ActionContext
from dynimg.api.rpc.params import Param
from dynimg.domain.jobs import DynamicImage
from dynimg.domain.timecode import format_seconds
from dynimg.domain.timestamps import format_utc
from dynimg.services import images
from dynimg.services.images import ImageView


def list_dynamic_image(ctx: ActionContext) -> dict[str, Any]:
    most = ctx.services.settings.list_images_max
    found = images.list_images(ctx.deps, ctx.account, ctx.require("VideoId"), most)
    return {"DynamicImageList": [image_info(view) for view in found]}


def delete_dynamic_image(ctx: ActionContext) -> dict[str, Any]:
    images.delete_images(
        ctx.deps,
        ctx.account,
        ctx.require("VideoId"),
        ctx.params["DynamicImageIds"],
    )
    return {}


def image_info(view: ImageView) -> dict[str, Any]:
    """One DynamicImageList item: every value a string, as the seed document shows.

    dynimg adds FrameCount, LoopCount, Seek and MD5 when it recorded them (images made by
    older versions have none); the official SDKs' models ignore keys they do not know.
    """
    image = view.image
    seconds = image.duration_ms / 1000
    return {
        "DynamicImageId": image.id,
        "JobId": image.job_id,
        "VideoId": image.video_id,
        "Format": image.format,
        "Fps": image.fps,
        "Width": str(image.width),
        "Height": str(image.height),
        "Duration": f"{seconds:g}" if seconds == int(seconds) else f"{seconds:.3f}".rstrip("0"),
        "FileSize": str(image.file_size),
        "FileURL": view.file_url,
        "CreationTime": format_utc(image.created_at),
        **_extras(image),
    }


def _extras(image: DynamicImage) -> dict[str, str]:
    extras = {
        "FrameCount": None if image.frame_count is None else str(image.frame_count),
        "LoopCount": None if image.loop_count is None else str(image.loop_count),
        "Seek": None if image.seek_ms is None else format_seconds(image.seek_ms),
        "MD5": image.md5_hex,
    }
    return {key: value for key, value in extras.items() if value is not None}


ACTIONS = [
    Action(
        "ListDynamicImage", list_dynamic_image, (Param("VideoId", required=True, max_bytes=64),)
    ),
    Action(
        "DeleteDynamicImage",
        delete_dynamic_image,
        (Param("VideoId", required=True, max_bytes=64), Param("DynamicImageIds", max_bytes=400)),
    ),
]

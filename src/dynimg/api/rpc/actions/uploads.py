"""CreateUploadVideo, RefreshUploadVideo, CreateUploadImage, CreateUploadAttachedMedia."""

from __future__ import annotations

from typing import Any

from dynimg.api.rpc.action import Action
from dynimg.api.rpc.context import ActionContext
from dynimg.api.rpc.params import VIDEO_METADATA, Param
from dynimg.domain.upload_requests import read_new_media, read_new_video
from dynimg.domain.uploads import UploadTarget
from dynimg.services import uploads


def create_upload_video(ctx: ActionContext) -> dict[str, Any]:
    s = ctx.deps
    command = read_new_video(ctx.params)
    ticket = uploads.create_upload_video(
        s.uow_factory, s.clock, s.upload_policy, ctx.account, command
    )
    return {
        "VideoId": ticket.target_id,
        "UploadAddress": ticket.upload_address,
        "UploadAuth": ticket.upload_auth,
    }


def refresh_upload_video(ctx: ActionContext) -> dict[str, Any]:
    s = ctx.deps
    ticket = uploads.refresh_upload_video(
        s.uow_factory, s.clock, s.upload_policy, ctx.account, ctx.require("VideoId")
    )
    return {
        "VideoId": ticket.target_id,
        "UploadAddress": ticket.upload_address,
        "UploadAuth": ticket.upload_auth,
    }


def create_upload_image(ctx: ActionContext) -> dict[str, Any]:
    return _media_ticket(ctx, UploadTarget.IMAGE, "ImageId", "ImageURL")


def create_upload_attached_media(ctx: ActionContext) -> dict[str, Any]:
    return _media_ticket(ctx, UploadTarget.ATTACHED, "MediaId", "MediaURL")


def _media_ticket(
    ctx: ActionContext, kind: UploadTarget, id_field: str, url_field: str
) -> dict[str, Any]:
    s = ctx.deps
    command = read_new_media(kind, ctx.params)
    ticket = uploads.create_upload_media(
        s.uow_factory, s.clock, s.upload_policy, ctx.account, command
    )
    return {
        id_field: ticket.target_id,
        url_field: ticket.file_url,
        "FileURL": ticket.file_url,
        "UploadAddress": ticket.upload_address,
        "UploadAuth": ticket.upload_auth,
    }


ACTIONS = [
    Action(
        "CreateUploadVideo",
        create_upload_video,
        (
            Param("Title", required=True, max_bytes=384),
            Param("FileName", required=True, max_bytes=255),
            Param("FileSize", max_bytes=20),
            *VIDEO_METADATA,
            Param("AppId", max_bytes=64),
            Param("TemplateGroupId", max_bytes=64),
            Param("StorageLocation", max_bytes=128),
        ),
    ),
    Action(
        "RefreshUploadVideo", refresh_upload_video, (Param("VideoId", required=True, max_bytes=64),)
    ),
    Action(
        "CreateUploadImage",
        create_upload_image,
        (
            Param("ImageType", max_bytes=32),
            Param("ImageExt", max_bytes=10),
            Param("Title", max_bytes=384),
            Param("FileName", max_bytes=255),
            Param("Tags", max_bytes=1024),
            Param("AppId", max_bytes=64),
        ),
    ),
    Action(
        "CreateUploadAttachedMedia",
        create_upload_attached_media,
        (
            Param("BusinessType", required=True, max_bytes=32),
            Param("MediaExt", max_bytes=10),
            Param("Title", max_bytes=384),
            Param("FileName", max_bytes=255),
            Param("FileSize", max_bytes=20),
            Param("AppId", max_bytes=64),
        ),
    ),
]

"""GetVideoInfo, GetVideoInfos, GetVideoList, UpdateVideoInfo, DeleteVideo, GetMezzanineInfo."""

from __future__ import annotations

from typing import Any

from dynimg.api.rpc.action import Action
from dynimg.api.rpc.context import ActionContext
from dynimg.api.rpc.params import VIDEO_METADATA, Param
from dynimg.domain.fields import read_int
from dynimg.domain.timestamps import format_utc
from dynimg.domain.videos import Video, dump_tags, parse_video_ids, read_update_video
from dynimg.errors import InvalidParameter
from dynimg.services import videos
from dynimg.services.images import cover_url
from dynimg.services.snapshots import cover_snapshots


def get_video_info(ctx: ActionContext) -> dict[str, Any]:
    video = videos.get_video(ctx.deps.uow_factory, ctx.account, ctx.require("VideoId"))
    return {"Video": video_info(ctx, video)}


def get_video_infos(ctx: ActionContext) -> dict[str, Any]:
    ids = parse_video_ids(ctx.require("VideoIds"))
    found, missing = videos.get_videos(ctx.deps.uow_factory, ctx.account, ids)
    return {"VideoList": [video_info(ctx, v) for v in found], "NonExistVideoIds": missing}


def get_video_list(ctx: ActionContext) -> dict[str, Any]:
    params = ctx.params
    sort = params.get("SortBy") or "CreationTime:Desc"
    if sort not in ("CreationTime:Desc", "CreationTime:Asc"):
        raise InvalidParameter("SortBy", "must be CreationTime:Desc or CreationTime:Asc")
    query = videos.VideoQuery(
        statuses=tuple(s.strip() for s in (params.get("Status") or "").split(",") if s.strip()),
        page=read_int(params.get("PageNo") or 1, "PageNo", 1, 10**6),
        size=read_int(params.get("PageSize") or 10, "PageSize", 1, videos.MAX_PAGE_SIZE),
        newest_first=sort.endswith("Desc"),
    )
    page = videos.list_videos(ctx.deps.uow_factory, ctx.account, query)
    return {"Total": page.total, "VideoList": {"Video": [video_info(ctx, v) for v in page.videos]}}


def update_video_info(ctx: ActionContext) -> dict[str, Any]:
    s = ctx.deps
    command = read_update_video(ctx.require("VideoId"), ctx.params)
    videos.update_video(s.uow_factory, s.clock, ctx.account, command)
    return {}


def delete_video(ctx: ActionContext) -> dict[str, Any]:
    ids = parse_video_ids(ctx.require("VideoIds"))
    missing = videos.delete_videos(ctx.deps.uow_factory, ctx.deps.storage, ctx.account, ids)
    return {"NonExistVideoIds": missing, "ForbiddenVideoIds": []}


def get_mezzanine_info(ctx: ActionContext) -> dict[str, Any]:
    video = videos.get_video(ctx.deps.uow_factory, ctx.account, ctx.require("VideoId"))
    probe = video.probe
    mezzanine: dict[str, Any] = {
        "VideoId": video.id,
        "FileName": video.file_name,
        "Status": video.status.value,
        "CreationTime": format_utc(video.created_at),
        "Size": str(video.size or 0),
    }
    if video.failure_reason:
        mezzanine["ErrorMessage"] = video.failure_reason
    if probe is not None:
        mezzanine.update(
            Width=probe.width,
            Height=probe.height,
            Duration=f"{probe.duration_ms / 1000:.3f}",
            Fps=probe.fps,
            Bitrate=str(round((probe.bit_rate or 0) / 1000)),
            VideoStreamList=[
                {
                    "CodecName": probe.video_codec,
                    "Width": str(probe.width),
                    "Height": str(probe.height),
                    "Fps": probe.fps,
                    "Rotate": str(probe.rotation),
                    "Duration": f"{probe.duration_ms / 1000:.3f}",
                }
            ],
            FormatName=probe.container,
        )
    return {"Mezzanine": mezzanine}


def video_info(ctx: ActionContext, video: Video) -> dict[str, Any]:
    """A ``Video`` object as GetVideoInfo returns it (numbers where the SDK expects numbers)."""
    meta, settings = video.metadata, ctx.services.settings
    info: dict[str, Any] = {
        "VideoId": video.id,
        "Title": meta.title,
        "Description": meta.description,
        "CoverURL": meta.cover_url,
        "Status": video.status.value,
        "CreationTime": format_utc(video.created_at),
        "ModificationTime": format_utc(video.modified_at),
        "Size": video.size or 0,
        "Tags": dump_tags(meta.tags),
        "TemplateGroupId": "",
        "StorageLocation": settings.bucket,
        "RegionId": settings.region_id,
        "AppId": video.app_id,
        "AuditStatus": "Normal",
        "DownloadSwitch": "on",
        "StorageClass": "Standard",
        "UserData": meta.user_data,
    }
    s = ctx.deps
    covers = cover_snapshots(s.uow_factory, s.clock, s.delivery, video)
    info["Snapshots"] = {"Snapshot": [url for _, url in covers.urls]}
    if video.cover_image_id:
        info["CoverURL"] = cover_url(s, video.cover_image_id)
    elif not meta.cover_url and covers.chosen:
        info["CoverURL"] = covers.chosen
    if meta.cate_id is not None:
        info["CateId"] = meta.cate_id
    if video.probe is not None:
        info["Duration"] = video.probe.duration_ms / 1000
    return info


_VIDEO_ID = Param("VideoId", required=True, max_bytes=64)
_IDS = Param("VideoIds", required=True, max_bytes=20 * 40)
ACTIONS = [
    Action("GetVideoInfo", get_video_info, (_VIDEO_ID,)),
    Action("GetVideoInfos", get_video_infos, (_IDS,)),
    Action(
        "GetVideoList",
        get_video_list,
        tuple(Param(n, max_bytes=64) for n in ("Status", "PageNo", "PageSize", "SortBy", "CateId")),
    ),
    Action(
        "UpdateVideoInfo",
        update_video_info,
        (
            _VIDEO_ID,
            Param("Title", max_bytes=384),
            *VIDEO_METADATA,
        ),
    ),
    Action("DeleteVideo", delete_video, (_IDS,)),
    Action("GetMezzanineInfo", get_mezzanine_info, (_VIDEO_ID,)),
]

"""UploadMediaByURL and GetURLUploadInfos, with Alibaba's parameter names and response shapes."""

from __future__ import annotations

from typing import Any

from dynimg.api.rpc.action import Action
from dynimg.api.rpc.context import ActionContext
from dynimg.api.rpc.params import Param
from dynimg.domain.snapshot_events import read_user_data
from dynimg.domain.timestamps import format_utc
from dynimg.domain.upload_requests import DEFAULT_APP_ID
from dynimg.domain.url_uploads import (
    MAX_URL_BYTES,
    MAX_URLS,
    UrlUpload,
    UrlUploadStatus,
    read_query,
    read_sources,
    read_upload_urls,
)
from dynimg.services import url_uploads
from dynimg.services.url_uploads import UrlImport

_URLS_BYTES = MAX_URLS * MAX_URL_BYTES * 3
"""Twenty URLs of 2048 bytes, percent-encoded."""


def upload_media_by_url(ctx: ActionContext) -> dict[str, Any]:
    s, params = ctx.deps, ctx.params
    allow = ctx.services.settings.allow_private_url_uploads
    urls = read_upload_urls(ctx.require("UploadURLs"), allow_private=allow)
    command = UrlImport(
        sources=read_sources(urls, params["UploadMetadatas"]),
        user_data=read_user_data(params["UserData"]) or "",
        app_id=params["AppId"] or DEFAULT_APP_ID,
    )
    limit = ctx.services.settings.account_queue_limit
    found = url_uploads.submit_url_uploads(
        s.uow_factory, s.clock, s.dispatcher, s.upload_policy, ctx.account, command, limit
    )
    return {"UploadJobs": [{"JobId": u.id, "SourceURL": u.url} for u in found]}


def get_url_upload_infos(ctx: ActionContext) -> dict[str, Any]:
    by, values = read_query(ctx.params)
    infos = url_uploads.url_upload_infos(ctx.deps.uow_factory, ctx.account, by, values)
    return {
        "URLUploadInfoList": [upload_info(u) for u in infos.found],
        "NonExists": list(infos.missing),
    }


def upload_info(upload: UrlUpload) -> dict[str, Any]:
    """One import as the SDK models read it (FileSize is a string there)."""
    info: dict[str, Any] = {
        "JobId": upload.id,
        "UploadURL": upload.url,
        "Status": upload.status.value,
        "FileSize": str(upload.received),
        "CreationTime": format_utc(upload.created_at),
        "UserData": upload.user_data,
        "ErrorCode": upload.error_code,
        "ErrorMessage": upload.error_message,
    }
    if upload.completed_at is not None:
        info["CompleteTime"] = format_utc(upload.completed_at)
    if upload.status is UrlUploadStatus.SUCCESS:
        info["MediaId"] = upload.video_id
    return info


ACTIONS = [
    Action(
        "UploadMediaByURL",
        upload_media_by_url,
        (
            Param("UploadURLs", required=True, max_bytes=_URLS_BYTES),
            Param("UploadMetadatas", max_bytes=32 * 1024),
            Param("UserData", max_bytes=1024),
            Param("AppId", max_bytes=64),
        ),
    ),
    Action(
        "GetURLUploadInfos",
        get_url_upload_infos,
        (Param("JobIds", max_bytes=1024), Param("UploadURLs", max_bytes=_URLS_BYTES // 2)),
    ),
]

"""The SnapshotComplete event, as Alibaba documents it (``SnapshotInfos`` per snapshot type)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dynimg.domain.json_document import parse_json_object
from dynimg.domain.snapshot_jobs import COVER_TEMPLATE, SnapshotJob
from dynimg.domain.snapshots import SnapshotType
from dynimg.domain.timestamps import format_utc

EVENT_SNAPSHOT_COMPLETE = "SnapshotComplete"


@dataclass(frozen=True)
class SnapshotInfo:
    """What the event says about a job's files of one type."""

    type: SnapshotType
    count: int
    format: str
    """The path rule with ``{SnapshotCount}`` (Alibaba's ``SnapshotFormat``)."""
    regular: str
    """The same as a URL rule (``SnapshotRegular``), without a signature."""


def snapshot_complete(
    job: SnapshotJob,
    infos: Sequence[SnapshotInfo],
    cover_url: str,
    now: datetime,
) -> dict[str, Any]:
    """The event for a job that ended: its files by type, or its error."""
    event: dict[str, Any] = {
        "EventTime": format_utc(now),
        "EventType": EVENT_SNAPSHOT_COMPLETE,
        "VideoId": job.video_id,
        "JobId": job.id,
        "Status": "fail" if job.error_code else "success",
    }
    if job.template_id != COVER_TEMPLATE:
        event["SubType"] = "SpecifiedTime"  # taken through SubmitSnapshotJob
    extend = user_extend(job.user_data)
    if extend is not None:
        event["Extend"] = extend
    if job.error_code:
        return event | {"ErrorCode": job.error_code, "ErrorMessage": job.error_message}
    if cover_url:
        event["CoverUrl"] = cover_url
    event["SnapshotInfos"] = [
        {"Status": "success", "SnapshotType": info.type.value, "SnapshotCount": info.count,
         "SnapshotFormat": info.format, "SnapshotRegular": info.regular, "JobId": job.id}
        for info in infos
    ]  # fmt: skip
    return event


MAX_USER_DATA_BYTES = 1024
"""SubmitSnapshotJob's UserData limit, as at Alibaba."""


def read_user_data(text: str | None) -> str | None:
    """SubmitSnapshotJob's UserData as the wire gives it, once checked to be a JSON object of at
    most 1 KB (InvalidParameter otherwise): the job keeps the text, its ``Extend`` goes back."""
    if text:
        parse_json_object(text, "UserData", max_bytes=MAX_USER_DATA_BYTES)
    return text


def user_extend(user_data: str) -> str | None:
    """UserData's ``Extend``, passed back as a JSON string (Alibaba's pass-through data)."""
    if not user_data:
        return None
    try:
        extend = json.loads(user_data).get("Extend")
    except (ValueError, AttributeError):
        return None
    if extend is None:
        return None
    return extend if isinstance(extend, str) else json.dumps(extend, separators=(",", ":"))

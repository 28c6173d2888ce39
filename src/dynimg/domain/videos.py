"""Videos and their lifecycle, with Alibaba's status values.

``Uploading`` → ``UploadSucc`` (the file arrived) → ``Normal`` (probed: playable), or
``UploadFail`` when the file is not a playable video (the reason is kept). The other values
(``Transcoding``, ``TranscodeFail``, ``Checking``, ``Blocked``, ``ProduceFail``) exist for
compatibility; dynimg itself does not transcode or review.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from dynimg.domain.fields import read_int, read_text
from dynimg.domain.json_document import parse_json_object
from dynimg.errors import InvalidParameter

MAX_TAGS = 16
MAX_TAG_LENGTH = 32


class VideoStatus(StrEnum):
    """Alibaba's video status values."""

    UPLOADING = "Uploading"
    UPLOAD_FAIL = "UploadFail"
    UPLOAD_SUCC = "UploadSucc"
    TRANSCODING = "Transcoding"
    TRANSCODE_FAIL = "TranscodeFail"
    CHECKING = "Checking"
    BLOCKED = "Blocked"
    NORMAL = "Normal"
    PRODUCE_FAIL = "ProduceFail"


TRANSITIONS: dict[VideoStatus, frozenset[VideoStatus]] = {
    VideoStatus.UPLOADING: frozenset({VideoStatus.UPLOAD_SUCC, VideoStatus.UPLOAD_FAIL}),
    VideoStatus.UPLOAD_SUCC: frozenset({VideoStatus.NORMAL, VideoStatus.UPLOAD_FAIL}),
    VideoStatus.UPLOAD_FAIL: frozenset({VideoStatus.UPLOAD_SUCC}),
}
"""Which status may follow which; a re-upload after a failure starts over."""


@dataclass(frozen=True)
class VideoMetadata:
    """What the client says about a video."""

    title: str
    description: str = ""
    cover_url: str = ""
    cate_id: int | None = None
    tags: tuple[str, ...] = ()
    user_data: str = ""


@dataclass(frozen=True)
class ProbeFacts:
    """What probing the uploaded file found."""

    container: str
    video_codec: str
    width: int
    height: int
    duration_ms: int
    fps: str
    rotation: int
    bit_rate: int | None


@dataclass(frozen=True)
class Video:
    """A video as stored."""

    id: str
    account_id: str
    app_id: str
    file_name: str
    storage_key: str
    status: VideoStatus
    metadata: VideoMetadata
    created_at: datetime
    modified_at: datetime
    declared_size: int | None = None
    size: int | None = None
    probe: ProbeFacts | None = None
    failure_reason: str = ""
    cover_image_id: str | None = None
    """An animated image made the cover by a SetDefaultCover template."""
    cover_snapshot_id: str | None = None
    """The cover snapshot chosen when the video became Normal (the cover when nothing else is)."""
    source_key: str | None = None
    """What jobs read when it is not the upload itself: an animated image (GIF, APNG, animated
    WebP) is rewritten once as a seekable video, kept beside the upload (which stays as sent)."""

    @property
    def render_key(self) -> str:
        """The file every job, preview and cover of this video decodes."""
        return self.source_key or self.storage_key

    def can_become(self, status: VideoStatus) -> bool:
        return status in TRANSITIONS.get(self.status, frozenset())


def read_title(value: str | None) -> str:
    """A video's title: 1 to 128 characters."""
    title = read_text(value, "Title", max_bytes=128 * 3)
    if len(title) > 128:
        raise InvalidParameter("Title", "must be at most 128 characters")
    return title


def parse_metadata(params: Mapping[str, str | None], *, title_required: bool) -> dict[str, Any]:
    """The metadata fields present in request parameters, validated; absent ones are left out."""
    values: dict[str, Any] = {}
    if params.get("Title") is not None or title_required:
        values["title"] = read_title(params.get("Title"))
    if params.get("Description") is not None:
        values["description"] = read_text(
            params["Description"], "Description", max_bytes=1024 * 3, allow_empty=True
        )
    if params.get("CoverURL") is not None:
        values["cover_url"] = read_text(params["CoverURL"], "CoverURL", max_bytes=1024)
    if params.get("CateId") is not None:
        values["cate_id"] = read_int(params["CateId"], "CateId", 0, 2**62)
    if params.get("Tags") is not None:
        values["tags"] = parse_tags(params["Tags"] or "")
    if params.get("UserData") is not None:
        text = params["UserData"] or ""
        parse_json_object(text, "UserData", max_bytes=1024)
        values["user_data"] = text
    return values


@dataclass(frozen=True)
class MetadataChanges:
    """UpdateVideoInfo, parsed: the metadata fields to replace (None: unchanged)."""

    title: str | None = None
    description: str | None = None
    cover_url: str | None = None
    cate_id: int | None = None
    tags: tuple[str, ...] | None = None
    user_data: str | None = None

    def applied_to(self, metadata: VideoMetadata) -> VideoMetadata:
        """``metadata`` with these changes."""
        changed = {name: value for name, value in vars(self).items() if value is not None}
        return replace(metadata, **changed)


@dataclass(frozen=True)
class UpdateVideo:
    """UpdateVideoInfo, parsed."""

    video_id: str
    changes: MetadataChanges


def read_update_video(video_id: str, params: Mapping[str, str | None]) -> UpdateVideo:
    """UpdateVideoInfo's parameters; only those given change."""
    return UpdateVideo(video_id, MetadataChanges(**parse_metadata(params, title_required=False)))


def parse_tags(text: str) -> tuple[str, ...]:
    """Comma-separated tags: at most 16, each at most 32 characters."""
    tags = tuple(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))
    if len(tags) > MAX_TAGS or any(len(t) > MAX_TAG_LENGTH for t in tags):
        raise InvalidParameter("Tags", "at most 16 tags of at most 32 characters")
    return tags


def parse_video_ids(text: str, parameter: str = "VideoIds", limit: int = 20) -> list[str]:
    """Comma-separated ids, at most ``limit``, without duplicates."""
    ids = list(dict.fromkeys(i.strip() for i in text.split(",") if i.strip()))
    if not ids or len(ids) > limit:
        raise InvalidParameter(parameter, f"must list 1 to {limit} ids")
    return ids


def dump_tags(tags: tuple[str, ...]) -> str:
    return ",".join(tags)


def load_tags(text: str) -> tuple[str, ...]:
    return tuple(t for t in text.split(",") if t)

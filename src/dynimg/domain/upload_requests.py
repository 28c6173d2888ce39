"""The upload-starting requests, parsed: a new video (CreateUploadVideo, the console's browser
upload) and a new image or attached media (CreateUploadImage, CreateUploadAttachedMedia)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dynimg.domain.fields import read_choice, read_int, read_text
from dynimg.domain.storage_keys import file_extension
from dynimg.domain.uploads import UploadTarget
from dynimg.domain.videos import VideoMetadata, parse_metadata, read_title
from dynimg.errors import InvalidParameter

IMAGE_EXTENSIONS = ("png", "jpg", "jpeg", "gif", "webp", "apng", "bmp")
BUSINESS_TYPES = ("watermark", "subtitle", "material")
IMAGE_TYPES = ("default", "cover", "watermark")
DEFAULT_APP_ID = "app-1000000"


@dataclass(frozen=True)
class NewVideo:
    """A video to register in ``Uploading``: its file's name and extension, what the client
    says about it, and the size it declared (None: not declared)."""

    file_name: str
    extension: str
    metadata: VideoMetadata
    size: int | None = None
    app_id: str = DEFAULT_APP_ID


@dataclass(frozen=True)
class NewMedia:
    """An image or attached media to register in ``Uploading``."""

    kind: UploadTarget
    business_type: str
    file_name: str
    extension: str
    title: str | None = None


def read_new_video(params: Mapping[str, str | None]) -> NewVideo:
    """CreateUploadVideo's parameters."""
    file_name = params.get("FileName")
    extension = file_extension(read_text(file_name, "FileName", max_bytes=255))
    size = read_size(params.get("FileSize"))
    return NewVideo(
        file_name=file_name or "",
        extension=extension,
        metadata=VideoMetadata(**parse_metadata(params, title_required=True)),
        size=size,
        app_id=params.get("AppId") or DEFAULT_APP_ID,
    )


def browser_video(file_name: str, title: str, size: int) -> NewVideo:
    """The console's upload of a video: a file name, a title and a size, checked as
    CreateUploadVideo checks them."""
    extension = file_extension(read_text(file_name, "FileName", max_bytes=255))
    return NewVideo(file_name, extension, VideoMetadata(read_title(title)), read_size(str(size)))


def read_size(value: str | None) -> int | None:
    """A declared ``FileSize`` in bytes (None: not declared)."""
    return None if value is None else read_int(value, "FileSize", 1, 2**62)


def read_new_media(kind: UploadTarget, params: Mapping[str, str | None]) -> NewMedia:
    """CreateUploadImage's or CreateUploadAttachedMedia's parameters."""
    extension = (params.get("ImageExt") or params.get("MediaExt") or "").lower()
    if kind is UploadTarget.ATTACHED:
        business = read_choice(params.get("BusinessType"), "BusinessType", BUSINESS_TYPES)
    else:
        business = read_choice(params.get("ImageType") or "default", "ImageType", IMAGE_TYPES)
    file_name = params.get("FileName") or f"upload.{extension or 'png'}"
    return new_media(kind, business, file_name, extension, params.get("Title"))


def new_media(
    kind: UploadTarget, business: str, file_name: str, extension: str, title: str | None
) -> NewMedia:
    """A media file of an image type (the extension, or else the file name's, says which)."""
    extension = extension or file_extension(file_name)
    if extension not in IMAGE_EXTENSIONS:
        raise InvalidParameter("MediaExt", "must be one of " + ", ".join(IMAGE_EXTENSIONS))
    return NewMedia(kind, business, file_name, extension, title)

"""Object keys: where dynimg stores files, never taken from user input unchecked."""

from __future__ import annotations

import re

from dynimg.errors import InvalidFileNameExtension, InvalidParameter

MAX_KEY_LENGTH = 512
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_EXTENSION = re.compile(r"^[A-Za-z0-9]{1,10}$")


def validate_key(key: str) -> str:
    """A relative key of safe segments: no absolute paths, no '..', no odd characters."""
    if not key or len(key) > MAX_KEY_LENGTH or key.startswith("/"):
        raise InvalidParameter("ObjectKey", "is not a valid object key")
    for segment in key.split("/"):
        if not _SEGMENT.match(segment) or segment in (".", ".."):
            raise InvalidParameter("ObjectKey", "is not a valid object key")
    return key


def file_extension(file_name: str) -> str:
    """The lower-case extension of an uploaded file's name (Alibaba requires one)."""
    stem, dot, extension = file_name.rpartition(".")
    if not dot or not stem or not _EXTENSION.match(extension):
        raise InvalidFileNameExtension(
            f"The file name {file_name[:64]!r} has no valid extension, such as .mp4."
        )
    return extension.lower()


def cover_key(video_id: str) -> str:
    """Where the console keeps a video's cover frame: beside its source, under its prefix."""
    return validate_key(f"video/{video_id}/cover.webp")


def frames_key(video_id: str) -> str:
    """Where an animated image uploaded as a video is kept once rewritten as a video, beside
    the upload (``Video.source_key``)."""
    return validate_key(f"video/{video_id}/frames.mkv")

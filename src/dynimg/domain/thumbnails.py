"""On-demand thumbnails: ``/videos/{VideoId}/thumbnail.{jpg|webp|avif}?time=&width=``.

Like Mux's thumbnail URLs: a GET takes the picture once and every later GET with the same
parameters serves the stored file. ``time`` is seconds (``sssss[.SSS]`` or ``hh:mm:ss[.SSS]``)
before the end of the video, or ``auto`` (the default): the best still, chosen from the same
look at the video as ``Seek=auto`` (:func:`dynimg.domain.highlight.best_still`). ``width`` is
32 to 1920 pixels (default 640); the height keeps the video's aspect ratio.

A thumbnail is a snapshot job (:class:`~dynimg.domain.snapshots.SnapshotType.THUMBNAIL`, one
picture) whose TemplateId is :data:`~dynimg.domain.on_demand.ON_DEMAND_TEMPLATE_ID`: the same
claims, waits, caps and metering as on-demand animated images.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dynimg.domain.snapshots import (
    AUTO_TIME,
    MAX_OFFSET_MS,
    PICTURE_FORMATS,
    SnapshotConfig,
    SnapshotType,
)
from dynimg.domain.timecode import format_seconds, parse_timecode
from dynimg.errors import InvalidParameter

THUMBNAIL_STEM = "thumbnail"
THUMBNAIL_PARAMETERS = frozenset({"time", "width"})
MIN_WIDTH, MAX_WIDTH, DEFAULT_WIDTH = 32, 1920, 640
MEDIA_TYPES = {"jpg": "image/jpeg", "webp": "image/webp", "avif": "image/avif"}
"""The Content-Type of each picture format."""


@dataclass(frozen=True)
class ThumbnailParams:
    """A validated thumbnail request: format, time (ms; None for ``auto``) and width (px)."""

    format: str
    time_ms: int | None
    width: int

    @property
    def key(self) -> str:
        """The canonical form: equal for every spelling of the same request (and never equal
        to an animated image's, which starts with its format)."""
        at = "auto" if self.time_ms is None else str(self.time_ms)
        return f"{THUMBNAIL_STEM}/{self.format}/t{at}/w{self.width}"

    def query(self) -> list[tuple[str, str]]:
        """The parameters as a URL query, each spelled canonically."""
        at = AUTO_TIME if self.time_ms is None else format_seconds(self.time_ms)
        return [("time", at), ("width", str(self.width))]

    def snapshot_config(self) -> SnapshotConfig:
        """The snapshot job that takes the picture."""
        return SnapshotConfig(
            SnapshotType.THUMBNAIL,
            offset_ms=self.time_ms or 0,
            width=self.width,
            picture_format=self.format,
            auto_time=self.time_ms is None,
        )


def thumbnail_path(video_id: str, fmt: str) -> str:
    """The URL path of a video's on-demand thumbnail."""
    return f"/videos/{video_id}/{THUMBNAIL_STEM}.{fmt}"


def parse_thumbnail_format(fmt: str) -> str:
    """``fmt`` if it is a thumbnail format, else InvalidParameter."""
    if fmt not in PICTURE_FORMATS:
        raise InvalidParameter("format", f"must be one of {', '.join(PICTURE_FORMATS)}")
    return fmt


def parse_thumbnail_params(fmt: str, query: Mapping[str, str]) -> ThumbnailParams:
    """Validate the query of a thumbnail URL; ``time`` defaults to ``auto``."""
    unknown = sorted(set(query) - THUMBNAIL_PARAMETERS - {"auth_key"})
    if unknown:
        raise InvalidParameter(unknown[0], "only time and width are accepted")
    text = query.get("time") or AUTO_TIME
    time_ms = None if text.strip().lower() == AUTO_TIME else parse_timecode(text, "time")
    if time_ms is not None and time_ms > MAX_OFFSET_MS:
        raise InvalidParameter("time", "must be before 24:00:00")
    width = query.get("width") or str(DEFAULT_WIDTH)
    if not (width.isascii() and width.isdigit() and len(width) <= 5):
        raise InvalidParameter("width", f"must be a whole number from {MIN_WIDTH} to {MAX_WIDTH}")
    if not MIN_WIDTH <= int(width) <= MAX_WIDTH:
        raise InvalidParameter("width", f"must be a whole number from {MIN_WIDTH} to {MAX_WIDTH}")
    return ThumbnailParams(parse_thumbnail_format(fmt), time_ms, int(width))


def check_time(params: ThumbnailParams, duration_ms: int | None) -> ThumbnailParams:
    """``params`` if their time lies within a video of ``duration_ms`` (None: unknown; ``auto``
    then takes the first frame), else InvalidParameter naming ``time``."""
    if params.time_ms is None or duration_ms is None or params.time_ms < duration_ms:
        return params
    raise InvalidParameter(
        "time", f"must be before the end of the video ({format_seconds(duration_ms)} s)"
    )

"""Animated-image templates: the `DynamicImageTemplateConfig` document and its rules.

Alibaba's fields, with the defaults dynimg chose where Alibaba documents none:

- ``Video.Width`` / ``Video.Height`` in [128, 4096]. Both left out: the source size. One left
  out: the other follows the source's display aspect ratio (rounded to an even number).
- ``Video.Fps`` in (0, 60]; left out: 10. Never more than the source's frame rate.
- ``Container.Format``: ``gif`` or ``webp`` (required); dynimg adds ``apng``, ``avif`` (animated)
  and ``mp4`` (a silent video, for ``<video autoplay loop muted>``), whose Width and Height must
  be even.
- ``Clip.TimeSpan``: ``Seek`` (required), ``Duration`` or ``End`` (End wins); neither: to the
  end of the video. ``Seek`` may be ``auto`` (a dynimg extension, with a Duration and no End):
  the most interesting ``Duration`` of the video, see :mod:`dynimg.domain.highlight`.
- ``SetDefaultCover``: ``true`` makes the animated image the video's cover.
- ``WatermarkIds``: at most 4 watermark ids; ``USER_DEFAULT_WATERMARK`` is the account default.

Extras beyond Alibaba: ``Quality`` (1-100, WebP, AVIF and MP4, default 75), ``Loop`` (0 =
forever, the default, else the number of plays; an MP4 has no loop count, its player loops it),
``MaxColors`` (2-256, GIF), ``Dither`` (``floyd_steinberg`` default, ``bayer`` for smaller files,
``none``; GIF). An extra given for a format it does not apply to is refused for the formats
dynimg added; GIF and WebP templates keep ignoring them, as they always have.
``Container.MaxFileSize`` (bytes, 1 KiB to 4 GiB: the output is made to fit; see
:mod:`dynimg.domain.size_search`).

``Video.ToneMap`` (``bt2390`` default, ``hable``, ``clip``): how HDR sources become SDR.

Shaping extras: ``Video.Crop`` (``none`` default; ``fill`` fills exactly Width x Height with the
centre of the picture, so both are required; ``auto`` cuts off letterbox or pillarbox bars),
``Clip.Playback`` (``forward`` default, ``reverse``, ``bounce``) and ``Clip.Speed`` (0.25 to 4,
default 1). The TimeSpan is always source time: at Speed 2 a 4-second TimeSpan plays in 2 s.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from dynimg.domain.fields import (
    read_bool,
    read_choice,
    read_float,
    read_int,
    read_object,
    read_text,
)
from dynimg.domain.timecode import parse_timecode
from dynimg.errors import InvalidParameter

if TYPE_CHECKING:
    from dynimg.domain.snapshots import SnapshotConfig

DEFAULT_WATERMARK = "USER_DEFAULT_WATERMARK"
MAX_WATERMARKS = 4
DEFAULT_FPS = 10.0
AUTO_SEEK = "auto"
MIN_FILE_SIZE = 1024
"""Smallest ``Container.MaxFileSize``: below this not even one small frame fits."""
MAX_FILE_SIZE = 4 * 1024**3
"""Largest ``Container.MaxFileSize``: the largest object dynimg stores by default
(``DYNIMG_MAX_UPLOAD_BYTES``); no animated image within the media limits comes near it."""
_WATERMARK_ID = re.compile(r"^[0-9a-f]{32}$")


class TemplateType(StrEnum):
    """Alibaba's TemplateType values; dynimg implements the animated-image one."""

    DYNAMIC_IMAGE = "DynamicImage"
    SNAPSHOT = "Snapshot"


class ImageFormat(StrEnum):
    """Output containers an animated image can have."""

    GIF = "gif"
    WEBP = "webp"
    APNG = "apng"
    AVIF = "avif"
    MP4 = "mp4"

    @property
    def media_type(self) -> str:
        """The Content-Type a file of this format is served with (its extension is the value)."""
        return _MEDIA_TYPES[self]


_MEDIA_TYPES = {
    ImageFormat.GIF: "image/gif",
    ImageFormat.WEBP: "image/webp",
    ImageFormat.APNG: "image/apng",
    ImageFormat.AVIF: "image/avif",
    ImageFormat.MP4: "video/mp4",
}


EXTRAS_BY_FORMAT: dict[ImageFormat, frozenset[str]] = {
    ImageFormat.APNG: frozenset({"Loop"}),
    ImageFormat.AVIF: frozenset({"Quality", "Loop"}),
    ImageFormat.MP4: frozenset({"Quality"}),
}
"""The extras each format added by dynimg takes; any other extra is refused for it (GIF and
WebP, older, keep ignoring extras they do not use)."""
EXTRAS_USED: dict[ImageFormat, frozenset[str]] = {
    ImageFormat.GIF: frozenset({"Loop", "MaxColors", "Dither", "Lossy"}),
    ImageFormat.WEBP: frozenset({"Quality", "Loop"}),
    **EXTRAS_BY_FORMAT,
}
"""The extras each format's writer honours: ``EXTRAS_BY_FORMAT`` plus what GIF and WebP use
(the console offers only these for the chosen format)."""
_EXTRAS = ("Quality", "Loop", "MaxColors", "Dither", "Lossy")
MAX_LOSSY = 200
"""``Lossy`` runs from 0 (lossless LZW) to 200, as gifsicle's ``--lossy`` does."""


class Crop(StrEnum):
    """How the picture is fitted to Width x Height."""

    NONE = "none"
    """Scaled to Width x Height (the aspect ratio changes when both are given)."""
    FILL = "fill"
    """Scaled to cover Width x Height, then the centre cut out: nothing is stretched."""
    AUTO = "auto"
    """Black (or flat) bars around the picture, letterbox or pillarbox, cut off first."""


class ToneMap(StrEnum):
    """How an HDR (PQ or HLG) source's highlights are brought into SDR (``Video.ToneMap``)."""

    BT2390 = "bt2390"
    """ITU-R BT.2390's EETF: a knee in PQ space; below it the picture is untouched."""
    HABLE = "hable"
    """John Hable's filmic curve: softer, darker highlights."""
    CLIP = "clip"
    """No compression: everything brighter than SDR white clips."""


class Playback(StrEnum):
    """The order the clip's frames play in."""

    FORWARD = "forward"
    REVERSE = "reverse"
    BOUNCE = "bounce"
    """Forward, then backward, without repeating the frames it turns around on."""


MIN_SPEED = 0.25
MAX_SPEED = 4.0


class Dither(StrEnum):
    """How GIF colours are reduced to the palette."""

    FLOYD_STEINBERG = "floyd_steinberg"
    BAYER = "bayer"
    NONE = "none"


@dataclass(frozen=True)
class TimeSpan:
    """The part of the video to capture, in milliseconds; ``end_ms`` is trimmed off the tail."""

    seek_ms: int
    duration_ms: int | None = None
    end_ms: int | None = None
    auto: bool = False
    """``Seek=auto``: the renderer picks ``seek_ms`` (0 until then) for the best window."""


@dataclass(frozen=True)
class DynamicImageTemplateConfig:
    """A validated `DynamicImageTemplateConfig`."""

    format: ImageFormat
    time_span: TimeSpan
    width: int | None = None
    height: int | None = None
    fps: float = DEFAULT_FPS
    name: str | None = None
    set_default_cover: bool = False
    watermark_ids: tuple[str, ...] = ()
    quality: int = 75
    loop: int = 0
    max_colors: int = 256
    dither: Dither = Dither.FLOYD_STEINBERG
    lossy: int = 0
    """GIF lossy LZW: how far (0 = not at all) a pixel's colour may stray so that LZW can
    reuse a longer string (see docs/media.md)."""
    max_file_size: int | None = None
    """``Container.MaxFileSize``: the output is at most this many bytes, or the job fails."""
    crop: Crop = Crop.NONE
    tone_map: ToneMap = ToneMap.BT2390
    """How an HDR source is tone-mapped to SDR; SDR sources ignore it."""
    playback: Playback = Playback.FORWARD
    speed: float = 1.0
    """Playback speed; the TimeSpan is source time, the output lasts its length / speed."""


@dataclass(frozen=True)
class Template:
    """An account's animated-image template as stored."""

    id: str
    account_id: str
    name: str
    type: TemplateType
    config: DynamicImageTemplateConfig | SnapshotConfig
    document: Mapping[str, Any]
    """The TemplateConfig as the client wrote it: stored, and echoed back by GetVodTemplate."""
    app_id: str
    is_default: bool
    created_at: datetime
    modified_at: datetime


def parse_template_config(
    doc: Mapping[str, Any], path: str = "TemplateConfig"
) -> DynamicImageTemplateConfig:
    """Validate a `DynamicImageTemplateConfig` document field by field."""
    video = _optional_object(doc, "Video", path)
    container = read_object(_required(doc, "Container", path), f"{path}.Container")
    width = _optional_int(video, "Width", f"{path}.Video", 128, 4096)
    height = _optional_int(video, "Height", f"{path}.Video", 128, 4096)
    config = DynamicImageTemplateConfig(
        format=ImageFormat(
            read_choice(
                _required(container, "Format", f"{path}.Container"),
                f"{path}.Container.Format",
                [f.value for f in ImageFormat],
            )
        ),
        time_span=parse_time_span(doc, path),
        width=width,
        height=height,
        fps=_parse_fps(video, f"{path}.Video"),
        name=_optional_name(doc, path),
        set_default_cover=_optional(doc, "SetDefaultCover", path, read_bool, False),
        watermark_ids=parse_watermark_ids(doc.get("WatermarkIds"), f"{path}.WatermarkIds"),
        quality=_optional_int(doc, "Quality", path, 1, 100) or 75,
        loop=_optional(doc, "Loop", path, lambda v, p: read_int(v, p, 0, 65535), 0),
        max_colors=_optional_int(doc, "MaxColors", path, 2, 256) or 256,
        dither=Dither(
            _optional(
                doc,
                "Dither",
                path,
                lambda v, p: read_choice(v, p, [d.value for d in Dither]),
                Dither.FLOYD_STEINBERG.value,
            )
        ),
        lossy=_optional_int(doc, "Lossy", path, 0, MAX_LOSSY) or 0,
        max_file_size=_optional_int(
            container, "MaxFileSize", f"{path}.Container", MIN_FILE_SIZE, MAX_FILE_SIZE
        ),
        crop=_parse_crop(video, f"{path}.Video", both_sides=bool(width and height)),
        tone_map=ToneMap(
            _optional(
                video,
                "ToneMap",
                f"{path}.Video",
                lambda v, p: read_choice(v, p, [t.value for t in ToneMap]),
                ToneMap.BT2390.value,
            )
        ),
        playback=_parse_playback(_optional_object(doc, "Clip", path), f"{path}.Clip"),
        speed=_parse_speed(_optional_object(doc, "Clip", path), f"{path}.Clip"),
    )
    _check_format_rules(doc, config, path)
    return config


def _check_format_rules(
    doc: Mapping[str, Any], config: DynamicImageTemplateConfig, path: str
) -> None:
    """What the formats dynimg added refuse: extras they cannot honour; for MP4, odd sizes and
    being a video's cover (CoverURL is an image everywhere Alibaba shows it)."""
    allowed = EXTRAS_BY_FORMAT.get(config.format)
    if allowed is None:
        return
    for extra in _EXTRAS:
        if extra not in allowed and doc.get(extra) is not None and doc.get(extra) != "":
            if extra == "Loop" and config.loop == 0:
                continue  # 0 (forever) is what a player looping an MP4 does anyway
            raise InvalidParameter(
                f"{path}.{extra}", f"does not apply to {config.format.value} output"
            )
    if config.format is ImageFormat.MP4:
        if config.set_default_cover:
            raise InvalidParameter(f"{path}.SetDefaultCover", "a video's cover must be an image")
        for name, value in (("Width", config.width), ("Height", config.height)):
            if value is not None and value % 2:
                raise InvalidParameter(
                    f"{path}.Video.{name}",
                    "must be even for mp4 (4:2:0 video has no half chroma pixels)",
                )


def parse_time_span(doc: Mapping[str, Any], path: str) -> TimeSpan:
    """``Clip.TimeSpan``: Seek is required; End, when given, wins over Duration."""
    clip = read_object(_required(doc, "Clip", path), f"{path}.Clip")
    span_path = f"{path}.Clip.TimeSpan"
    span = read_object(_required(clip, "TimeSpan", f"{path}.Clip"), span_path)
    raw_seek = _required(span, "Seek", span_path)
    auto = isinstance(raw_seek, str) and raw_seek.strip().lower() == AUTO_SEEK
    seek = 0 if auto else parse_timecode(raw_seek, f"{span_path}.Seek")
    end = _optional(span, "End", span_path, parse_timecode, None)
    duration = None if end is not None else _optional(span, "Duration", span_path, parse_timecode)
    if duration == 0:
        raise InvalidParameter(f"{span_path}.Duration", "must be greater than 0")
    if auto and (duration is None or end is not None):
        raise InvalidParameter(f"{span_path}.Seek", "auto needs a Duration and no End")
    return TimeSpan(seek_ms=seek, duration_ms=duration, end_ms=end, auto=auto)


def parse_watermark_ids(value: Any, path: str) -> tuple[str, ...]:
    """At most 4 watermark ids, as a JSON list or a comma-separated string."""
    if value is None or value == "":
        return ()
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise InvalidParameter(path, "must be a list of watermark ids")
    ids = tuple(dict.fromkeys(i.strip() for i in items))
    if len(ids) > MAX_WATERMARKS:
        raise InvalidParameter(path, f"must name at most {MAX_WATERMARKS} watermarks")
    for watermark_id in ids:
        if watermark_id != DEFAULT_WATERMARK and not _WATERMARK_ID.match(watermark_id):
            raise InvalidParameter(path, f"{watermark_id!r} is not a watermark id")
    return ids


def parse_template_name(value: Any, path: str = "Name") -> str:
    """A template name: 1 to 128 bytes of UTF-8."""
    return read_text(value, path, max_bytes=128).strip()


def _parse_fps(video: Mapping[str, Any], path: str) -> float:
    if video.get("Fps") is None:
        return DEFAULT_FPS
    fps = read_float(video["Fps"], f"{path}.Fps")
    if not 0 < fps <= 60:
        raise InvalidParameter(f"{path}.Fps", "must be in (0, 60]")
    return fps


def _parse_crop(video: Mapping[str, Any], path: str, *, both_sides: bool) -> Crop:
    crop = Crop(
        _optional(
            video,
            "Crop",
            path,
            lambda v, p: read_choice(v, p, [c.value for c in Crop]),
            Crop.NONE.value,
        )
    )
    if crop is Crop.FILL and not both_sides:
        raise InvalidParameter(f"{path}.Crop", "fill needs both Width and Height")
    return crop


def _parse_playback(clip: Mapping[str, Any], path: str) -> Playback:
    return Playback(
        _optional(
            clip,
            "Playback",
            path,
            lambda v, p: read_choice(v, p, [m.value for m in Playback]),
            Playback.FORWARD.value,
        )
    )


def _parse_speed(clip: Mapping[str, Any], path: str) -> float:
    speed: float = _optional(clip, "Speed", path, read_float, 1.0)
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise InvalidParameter(f"{path}.Speed", f"must be in [{MIN_SPEED:g}, {MAX_SPEED:g}]")
    return speed


def _optional_name(doc: Mapping[str, Any], path: str) -> str | None:
    name: str | None = _optional(doc, "Name", path, lambda v, p: read_text(v, p, max_bytes=128))
    return name


def _required(doc: Mapping[str, Any], key: str, path: str) -> Any:
    if doc.get(key) is None:
        raise InvalidParameter(f"{path}.{key}", "is required")
    return doc[key]


def _optional(doc: Mapping[str, Any], key: str, path: str, reader: Any, default: Any = None) -> Any:
    value = doc.get(key)
    return default if value is None or value == "" else reader(value, f"{path}.{key}")


def _optional_int(doc: Mapping[str, Any], key: str, path: str, low: int, high: int) -> int | None:
    result: int | None = _optional(doc, key, path, lambda v, p: read_int(v, p, low, high))
    return result


def _optional_object(doc: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any]:
    value = doc.get(key)
    return {} if value is None else read_object(value, f"{path}.{key}")

"""Reading a ``DynamicImageTemplateConfig`` document into its typed config, field by field,
with the rules and messages described in :mod:`dynimg.domain.templates`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, TypeVar

from dynimg.domain.fields import (
    read_bool,
    read_choice,
    read_float,
    read_int,
    read_object,
    read_text,
)
from dynimg.domain.templates import (
    AUTO_SEEK,
    DEFAULT_FPS,
    DEFAULT_WATERMARK,
    EXTRAS,
    EXTRAS_BY_FORMAT,
    MAX_FILE_SIZE,
    MAX_LOSSY,
    MAX_SPEED,
    MAX_WATERMARKS,
    MIN_FILE_SIZE,
    MIN_SPEED,
    Crop,
    Dither,
    DynamicImageTemplateConfig,
    ImageFormat,
    Playback,
    TimeSpan,
    ToneMap,
    VideoCodec,
)
from dynimg.domain.timecode import parse_timecode
from dynimg.errors import InvalidParameter

_WATERMARK_ID = re.compile(r"^[0-9a-f]{32}$")
_Choice = TypeVar("_Choice", bound=StrEnum)


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
        dither=_parse_choice(doc, "Dither", path, Dither, Dither.FLOYD_STEINBERG),
        lossy=_optional_int(doc, "Lossy", path, 0, MAX_LOSSY),
        max_file_size=_optional_int(
            container, "MaxFileSize", f"{path}.Container", MIN_FILE_SIZE, MAX_FILE_SIZE
        ),
        crop=_parse_crop(video, f"{path}.Video", both_sides=bool(width and height)),
        tone_map=_parse_choice(video, "ToneMap", f"{path}.Video", ToneMap, ToneMap.BT2390),
        playback=_parse_playback(_optional_object(doc, "Clip", path), f"{path}.Clip"),
        speed=_parse_speed(_optional_object(doc, "Clip", path), f"{path}.Clip"),
        codec=_parse_choice(doc, "Codec", path, VideoCodec, VideoCodec.AV1),
    )
    _check_format_rules(doc, config, path)
    return config


def _check_format_rules(
    doc: Mapping[str, Any], config: DynamicImageTemplateConfig, path: str
) -> None:
    """What the formats dynimg added refuse: extras they cannot honour; for MP4, odd sizes and
    being a video's cover (CoverURL is an image everywhere Alibaba shows it); ``Codec`` is
    an mp4's only."""
    if config.format is not ImageFormat.MP4 and doc.get("Codec") not in (None, ""):
        raise InvalidParameter(f"{path}.Codec", "applies to mp4 output only")
    allowed = EXTRAS_BY_FORMAT.get(config.format)
    if allowed is None:
        return
    for extra in EXTRAS:
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


def _parse_choice(
    doc: Mapping[str, Any], key: str, path: str, choices: type[_Choice], default: _Choice
) -> _Choice:
    """An optional field that names one of ``choices``' values."""
    read = _optional(doc, key, path, lambda v, p: read_choice(v, p, [c.value for c in choices]))
    return default if read is None else choices(read)


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

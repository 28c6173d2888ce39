"""Watermarks: Alibaba's `WatermarkConfig` for image and text watermarks, and their geometry.

Image watermarks (``Type=Image``): ``Dx``, ``Dy``, ``Width``, ``Height`` are pixels in
[8, 4096] or ratios in (0, 1) of the output width (Dx, Width) or height (Dy, Height); Dx/Dy may
also be 0, their default. Neither Width nor Height: width is 0.12 of the output width and height
keeps the image's aspect ratio; one of them: the other keeps it. ``ReferPos`` is the corner the
offsets are measured from. ``Timeline{Start, Duration}`` (seconds, from the start of the animated
image, at most 86400; Duration ``ToEND`` or absent = to the end) limits when it shows.

Text watermarks (``Type=Text``): ``Content``, ``FontName``, ``FontSize`` (4-120, default 16),
``FontColor`` and ``BorderColor`` (a colour name or ``#RRGGBB``), ``FontAlpha`` (0-1, default 1),
``BorderWidth`` (0-4096, default 0), ``Top``/``Left`` (pixels from the top-left, 0-4096).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from dynimg.domain.fields import read_choice, read_float, read_int, read_object, read_text
from dynimg.domain.geometry import Box, corner_box
from dynimg.errors import InvalidParameter

DEFAULT_WIDTH_RATIO = 0.12
MAX_TIMELINE_SECONDS = 86400
"""Timeline Start and Duration bound: far beyond any clip, and milliseconds stay exact."""
REFER_POSITIONS = ("TopLeft", "TopRight", "BottomLeft", "BottomRight")
FONT_NAMES = (
    "SimSun",
    "WenQuanYi Zen Hei",
    "WenQuanYi Zen Hei Mono",
    "WenQuanYi Zen Hei Sharp",
    "Yuanti SC",
)
_HEX_COLOR = re.compile(r"^#?([0-9a-fA-F]{6})$")
NAMED_COLORS: dict[str, tuple[int, int, int]] = {
    "black": (0, 0, 0),
    "white": (255, 255, 255),
    "red": (255, 0, 0),
    "green": (0, 128, 0),
    "lime": (0, 255, 0),
    "blue": (0, 0, 255),
    "yellow": (255, 255, 0),
    "cyan": (0, 255, 255),
    "magenta": (255, 0, 255),
    "gray": (128, 128, 128),
    "grey": (128, 128, 128),
    "silver": (192, 192, 192),
    "orange": (255, 165, 0),
    "purple": (128, 0, 128),
    "pink": (255, 192, 203),
    "brown": (165, 42, 42),
    "navy": (0, 0, 128),
    "teal": (0, 128, 128),
    "maroon": (128, 0, 0),
    "olive": (128, 128, 0),
    "gold": (255, 215, 0),
}


class WatermarkType(StrEnum):
    """The two kinds of watermark."""

    IMAGE = "Image"
    TEXT = "Text"


@dataclass(frozen=True)
class Length:
    """A length given in pixels, or as a ratio of a reference length when ``ratio`` is set."""

    value: float
    ratio: bool

    def pixels(self, reference: int) -> int:
        return max(1, round(self.value * reference)) if self.ratio else round(self.value)


@dataclass(frozen=True)
class Timeline:
    """When an image watermark shows, in milliseconds from the start of the animated image."""

    start_ms: int = 0
    duration_ms: int | None = None

    def shows_at(self, t_ms: float) -> bool:
        if t_ms < self.start_ms:
            return False
        return self.duration_ms is None or t_ms < self.start_ms + self.duration_ms


@dataclass(frozen=True)
class ImageWatermarkConfig:
    """A validated image WatermarkConfig."""

    refer_pos: str = "TopRight"
    dx: Length = Length(0, False)
    dy: Length = Length(0, False)
    width: Length | None = None
    height: Length | None = None
    timeline: Timeline = Timeline()

    def box(self, frame: tuple[int, int], image: tuple[int, int]) -> Box:
        """Where the watermark goes on a frame of ``frame`` size, for an image of ``image`` size."""
        frame_w, frame_h = frame
        image_w, image_h = image
        width = self.width.pixels(frame_w) if self.width else None
        height = self.height.pixels(frame_h) if self.height else None
        if width is None and height is None:
            width = max(1, round(frame_w * DEFAULT_WIDTH_RATIO))
        if width is None:
            width = max(1, round(height * image_w / image_h))  # type: ignore[operator]
        if height is None:
            height = max(1, round(width * image_h / image_w))
        offset = (self.dx.pixels(frame_w), self.dy.pixels(frame_h))
        return corner_box(self.refer_pos, frame, (width, height), offset)


@dataclass(frozen=True)
class TextWatermarkConfig:
    """A validated text WatermarkConfig."""

    content: str
    font_name: str = "SimSun"
    font_size: int = 16
    font_color: tuple[int, int, int] = (0, 0, 0)
    font_alpha: float = 1.0
    border_width: int = 0
    border_color: tuple[int, int, int] = (0, 0, 0)
    top: int = 0
    left: int = 0


WatermarkConfig = ImageWatermarkConfig | TextWatermarkConfig


def parse_watermark_config(
    kind: WatermarkType, doc: Mapping[str, Any], path: str = "WatermarkConfig"
) -> WatermarkConfig:
    """Validate a WatermarkConfig document of the given type field by field."""
    if kind is WatermarkType.IMAGE:
        return _image_config(doc, path)
    return _text_config(doc, path)


def parse_color(value: Any, path: str) -> tuple[int, int, int]:
    """A colour name (Blue, white, ...) or ``#RRGGBB``."""
    if isinstance(value, str):
        named = NAMED_COLORS.get(value.strip().lower())
        if named:
            return named
        match = _HEX_COLOR.match(value.strip())
        if match:
            digits = match[1]
            return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))
    raise InvalidParameter(path, "must be a colour name or #RRGGBB")


def _image_config(doc: Mapping[str, Any], path: str) -> ImageWatermarkConfig:
    refer = doc.get("ReferPos", "TopRight")
    if isinstance(refer, str) and refer.startswith("Botton"):  # Alibaba's own examples misspell it
        refer = "Bottom" + refer[len("Botton") :]
    return ImageWatermarkConfig(
        refer_pos=read_choice(refer, f"{path}.ReferPos", REFER_POSITIONS),
        dx=_length(doc.get("Dx"), f"{path}.Dx", allow_zero=True) or Length(0, False),
        dy=_length(doc.get("Dy"), f"{path}.Dy", allow_zero=True) or Length(0, False),
        width=_length(doc.get("Width"), f"{path}.Width"),
        height=_length(doc.get("Height"), f"{path}.Height"),
        timeline=_timeline(doc.get("Timeline"), f"{path}.Timeline"),
    )


def _text_config(doc: Mapping[str, Any], path: str) -> TextWatermarkConfig:
    alpha = read_float(doc.get("FontAlpha", 1.0), f"{path}.FontAlpha")
    if not 0 < alpha <= 1:
        raise InvalidParameter(f"{path}.FontAlpha", "must be in (0, 1]")
    return TextWatermarkConfig(
        content=read_text(doc.get("Content"), f"{path}.Content", max_bytes=1024),
        font_name=read_choice(doc.get("FontName", "SimSun"), f"{path}.FontName", FONT_NAMES),
        font_size=read_int(doc.get("FontSize", 16), f"{path}.FontSize", 4, 120),
        font_color=parse_color(doc.get("FontColor", "black"), f"{path}.FontColor"),
        font_alpha=alpha,
        border_width=read_int(doc.get("BorderWidth", 0), f"{path}.BorderWidth", 0, 4096),
        border_color=parse_color(doc.get("BorderColor", "black"), f"{path}.BorderColor"),
        top=read_int(doc.get("Top", 0), f"{path}.Top", 0, 4096),
        left=read_int(doc.get("Left", 0), f"{path}.Left", 0, 4096),
    )


def _length(value: Any, path: str, *, allow_zero: bool = False) -> Length | None:
    if value is None or value == "":
        return None
    number = read_float(value, path)
    if allow_zero and number == 0:
        return Length(0, False)
    if 0 < number < 1:
        return Length(round(number, 4), True)
    if 8 <= number <= 4096 and number == int(number):
        return Length(number, False)
    raise InvalidParameter(path, "must be whole pixels in [8, 4096] or a ratio in (0, 1)")


def _timeline(value: Any, path: str) -> Timeline:
    if value is None:
        return Timeline()
    doc = read_object(value, path)
    start = read_float(doc.get("Start", 0), f"{path}.Start")
    if not 0 <= start <= MAX_TIMELINE_SECONDS:
        raise InvalidParameter(f"{path}.Start", f"must be in [0, {MAX_TIMELINE_SECONDS}]")
    duration = doc.get("Duration", "ToEND")
    if duration in (None, "", "ToEND"):
        return Timeline(round(start * 1000), None)
    length = read_float(duration, f"{path}.Duration")
    if not 0 < length <= MAX_TIMELINE_SECONDS:
        raise InvalidParameter(
            f"{path}.Duration", f"must be in (0, {MAX_TIMELINE_SECONDS}] or ToEND"
        )
    return Timeline(round(start * 1000), round(length * 1000))


@dataclass(frozen=True)
class Watermark:
    """An account's watermark as stored."""

    id: str
    account_id: str
    name: str
    type: WatermarkType
    config: WatermarkConfig
    document: Mapping[str, Any]
    """The WatermarkConfig as the client wrote it: stored, and echoed back by GetWatermark."""
    file_url: str
    storage_key: str
    app_id: str
    is_default: bool
    created_at: datetime
